// The http-client route with the app's own pino logger in place of winston.
const express = require('express');
const pino = require('pino');
const { keepAliveStockClient, listen, orderItems } = require('./orders.cjs');

const log = pino();
const stockLevel = keepAliveStockClient(process.env.UPSTREAM_URL);
const app = express();

app.get('/orders/:id', async (req, res) => {
  const items = orderItems(await stockLevel(req.params.id));
  log.info({ order_id: req.params.id, items: items.length }, 'order served');
  res.json({ id: req.params.id, items });
});
listen(app);
