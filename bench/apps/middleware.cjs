// A route behind the middleware stack services typically have: body parsers, CORS and security headers, an auth
// check, a timer. Shows the cost of a span per middleware layer (OTELKIT_EXPRESS_MIDDLEWARE_SPANS). Run on the
// root's express 5; ./middleware4.cjs runs the same app on express 4.
const { listen } = require('./orders.cjs');

/** The app, on the express module given. */
function middlewareApp(express) {
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
  return app;
}

module.exports = { middlewareApp };
if (require.main === module) listen(middlewareApp(require('express')));
