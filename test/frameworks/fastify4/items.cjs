// The items app on fastify 4, required.
require('../../fixtures/items-app.cjs').fastify(require('fastify'));
