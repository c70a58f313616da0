// The middleware app (./middleware.cjs) on express 4, the copy the tests install in test/frameworks/express4: the
// cost of otelkit's capture of express 4 routes.
const express = require(require.resolve('express', { paths: [`${__dirname}/../../test/frameworks/express4`] }));

const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: false }));
app.use((req, res, next) => {
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('x-content-type-options', 'nosniff');
  next();
});
app.use((req, res, next) => {
  req.user = { id: req.headers.authorization ? 'u-1' : 'anonymous' };
  next();
});
app.use((req, res, next) => {
  const began = process.hrtime.bigint();
  res.on('finish', () => (res.elapsed = process.hrtime.bigint() - began));
  next();
});
const api = express.Router();
api.get('/tickets/:id', (req, res) => res.json({ id: req.params.id, user: req.user.id, status: 'open' }));
app.use('/api', api);

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: server.address().port })}\n`);
});
