// hapi: a parameterised route, a POST, a handler that throws (hapi answers 500 itself) and an unmatched path.
const Hapi = require('@hapi/hapi');
const announce = require('./announce.cjs');

async function main() {
  const server = Hapi.server({ port: 0, host: '127.0.0.1' });
  server.route({ method: 'GET', path: '/users/{id}', handler: (request) => ({ id: request.params.id }) });
  server.route({ method: 'POST', path: '/users', handler: (request, h) => h.response({}).code(201) });
  server.route({ method: 'GET', path: '/api/items/{item}', handler: (request) => ({ item: request.params.item }) });
  server.route({
    method: 'GET',
    path: '/boom',
    handler: () => {
      throw new Error('boom');
    },
  });
  await server.start();
  announce(server.listener);
}
void main();
