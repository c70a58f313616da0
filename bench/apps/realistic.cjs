// A realistic route: an outgoing fetch() to a local upstream, a JSON body of 50 items, one log line
// (the app's own winston JSON logger, as apps have before adopting a distro).
const express = require('express');
const winston = require('winston');
const { listen, orderItems } = require('./orders.cjs');

const log = winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Console()] });
const upstream = process.env.UPSTREAM_URL;
const app = express();

app.get('/orders/:id', async (req, res) => {
  const stock = await fetch(`${upstream}/stock/${req.params.id}`).then((r) => r.json());
  const items = orderItems(stock.level);
  log.info('order served', { order_id: req.params.id, items: items.length });
  res.json({ id: req.params.id, items });
});

listen(app);
