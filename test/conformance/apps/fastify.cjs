// fastify, the major chosen by CONFORMANCE_FASTIFY_DIR (a folder whose node_modules hold it; default the root's 5):
// a parameterised route, a POST, a plugin with a prefix, a handler that throws and an unmatched path.
const announce = require('./announce.cjs');

const from = process.env.CONFORMANCE_FASTIFY_DIR;
const fastify = require(from ? require.resolve('fastify', { paths: [from] }) : 'fastify');

const app = fastify();
app.get('/users/:id', async (req) => ({ id: req.params.id }));
app.post('/users', async (req, reply) => reply.code(201).send(req.body ?? {}));
app.register(
  async (api) => {
    api.get('/items/:item', async (req) => ({ item: req.params.item }));
  },
  { prefix: '/api' },
);
app.get('/boom', async () => {
  throw new Error('boom');
});
app.listen({ port: 0, host: '127.0.0.1' }).then(() => announce(app.server));
