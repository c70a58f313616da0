// Orders API without a database: the same service shape with in-memory data, for machines without PostgreSQL and
// Redis (`node --require otelkit/register examples/orders-api/standalone.js`). app.js is the full service.
const express = require('express');
const { getLogger } = require('otelkit');

const log = getLogger('orders-api');
const app = express();

app.get('/inventory/:sku', (req, res) => {
  res.json({ sku: req.params.sku, inStock: 12 });
});

app.get('/orders/:id', async (req, res) => {
  // An outgoing HTTP call: otelkit traces it as a child span and propagates the trace context.
  const stock = await fetch(`http://127.0.0.1:${server.address().port}/inventory/sku-${req.params.id}`).then((r) => r.json());
  log.info('order looked up', { object_type: 'order', object_id: req.params.id, in_stock: stock.inStock });
  res.json({ id: req.params.id, items: [{ sku: stock.sku, quantity: 1 }] });
});

app.get('/orders/:id/refund', (req) => {
  log.warn('refund requested', { object_type: 'order', object_id: req.params.id });
  throw new Error('payment provider unavailable');
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: server.address().port })}\n`);
});
