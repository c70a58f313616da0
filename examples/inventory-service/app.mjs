// Inventory service: fastify written as ES modules, instrumented only by the preload:
// `node --import otelkit/register app.mjs`. The orders API calls it, so request_id and the trace continue here.
import Fastify from 'fastify';
import { getLogger } from 'otelkit';

const log = getLogger('inventory');
const stock = new Map([
  ['sku-espresso', 12],
  ['sku-grinder', 0],
]);

const app = Fastify();

app.get('/inventory/:sku', async (request, reply) => {
  const { sku } = request.params;
  if (!stock.has(sku)) {
    log.warn('unknown sku', { object_type: 'sku', object_id: sku });
    return reply.code(404).send({ error: 'unknown sku' });
  }
  log.info('stock checked', { event_type: 'inventory.check', object_type: 'sku', object_id: sku, in_stock: stock.get(sku) });
  return { sku, in_stock: stock.get(sku) };
});

await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ listening: app.server.address().port })}\n`);
