// The route real services run: an outgoing call with node:http through a keep-alive agent, a JSON body of 50
// items, one line through the app's own winston logger.
const express = require('express');
const winston = require('winston');
const { keepAliveStockClient, listen, orderItems } = require('./orders.cjs');

const log = winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Console()] });
const stockLevel = keepAliveStockClient(process.env.UPSTREAM_URL);
const app = express();

app.get('/orders/:id', async (req, res) => {
  const items = orderItems(await stockLevel(req.params.id));
  log.info('order served', { order_id: req.params.id, items: items.length });
  res.json({ id: req.params.id, items });
});
listen(app);
