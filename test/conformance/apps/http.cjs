// Node's own http server: a route answered by hand, a JSON body, a 404 and a 500.
const http = require('node:http');
const announce = require('./announce.cjs');

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url.startsWith('/users/')) return void res.end(JSON.stringify({ id: req.url.slice(7) }));
  if (req.method === 'POST' && req.url === '/users') {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => res.writeHead(201, { 'content-type': 'application/json' }).end(body || '{}'));
    return;
  }
  if (req.url === '/boom') return void res.writeHead(500).end('boom');
  res.writeHead(404).end('not found');
});
server.listen(0, '127.0.0.1', () => announce(server));
