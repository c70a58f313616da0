// A realistic route: an outgoing HTTP call to a local upstream, a JSON body of 50 items, one log line
// (the app's own winston JSON logger, as apps have before adopting a distro).
const express = require('express');
const winston = require('winston');

const log = winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Console()] });
const upstream = process.env.UPSTREAM_URL;
const app = express();

app.get('/orders/:id', async (req, res) => {
  const stock = await fetch(`${upstream}/stock/${req.params.id}`).then((r) => r.json());
  const items = Array.from({ length: 50 }, (_, i) => ({
    sku: `sku-${i}`,
    quantity: (i % 5) + 1,
    price: 9.99 + i,
    inStock: stock.level > i,
  }));
  log.info('order served', { order_id: req.params.id, items: items.length });
  res.json({ id: req.params.id, items });
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: server.address().port })}\n`);
});
