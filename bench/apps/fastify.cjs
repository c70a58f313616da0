// A fastify route with a parameter inside a prefixed plugin: the cost of otelkit's fastify route capture.
const fastify = require('fastify');

const app = fastify();
app.register(
  async (api) => {
    api.get('/tickets/:id', async (request) => ({ id: request.params.id, status: 'open' }));
  },
  { prefix: '/api' },
);
app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' }).then(() => {
  process.stdout.write(`${JSON.stringify({ listening: app.server.address().port })}\n`);
});
