// The items app on fastify 4, imported as an ES module.
import Fastify from 'fastify';
import items from '../../fixtures/items-app.cjs';

items.fastify(Fastify);
