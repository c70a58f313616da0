// fastify as an ES module, the major chosen by CONFORMANCE_FASTIFY_DIR (default the root's 5): the CJS app's routes.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const announce = require('./announce.cjs');
const from = process.env.CONFORMANCE_FASTIFY_DIR;
const { default: fastify } = await import(from ? pathToFileURL(require.resolve('fastify', { paths: [from] })).href : 'fastify');

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
await app.listen({ port: 0, host: '127.0.0.1' });
announce(app.server);
