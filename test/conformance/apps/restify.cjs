// restify: body parsing, a parameterised route, a POST, a handler that throws and an unmatched path.
const restify = require('restify');
const announce = require('./announce.cjs');

const server = restify.createServer({ handleUncaughtExceptions: true });
server.use(restify.plugins.bodyParser());
server.get('/users/:id', (req, res) => res.send({ id: req.params.id }));
server.post('/users', (req, res) => res.send(201, req.body ?? {}));
server.get('/api/items/:item', (req, res) => res.send({ item: req.params.item }));
server.get('/boom', () => {
  throw new Error('boom');
});
server.on('uncaughtException', (req, res, route, err) => res.send(500, err.message));
server.listen(0, '127.0.0.1', () => announce(server.server));
