// What the order workloads share: the 50-item body they answer with, and the upstream call over node:http.
const http = require('node:http');

exports.orderItems = (level) =>
  Array.from({ length: 50 }, (_, i) => ({ sku: `sku-${i}`, quantity: (i % 5) + 1, price: 9.99 + i, inStock: level > i }));

/** A function that GETs the upstream's stock level through one keep-alive agent, as axios, got and most SDKs do. */
exports.keepAliveStockClient = (upstreamUrl) => {
  const upstream = new URL(upstreamUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  return (id) =>
    new Promise((resolve, reject) => {
      const req = http.get({ host: upstream.hostname, port: upstream.port, path: `/stock/${id}`, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d) => (body += d));
        res.on('end', () => resolve(JSON.parse(body).level));
      });
      req.on('error', reject);
    });
};

/** Listens on PORT (0: any) and prints the port the benchmark reads. */
exports.listen = (app) => {
  const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ listening: server.address().port })}\n`);
  });
};
