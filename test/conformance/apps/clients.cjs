// The HTTP clients, each calling a downstream server in the same process while handling a request: http.request
// and https.request through keep-alive agents (two calls each, the second on the kept socket), axios, fetch and
// undici's request(). CONFORMANCE_TLS_KEY and _CERT hold the https downstream's self-signed pair.
const { readFileSync } = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const axios = require('axios');
const undici = require('undici');
const announce = require('./announce.cjs');

const tls = { key: readFileSync(process.env.CONFORMANCE_TLS_KEY), cert: readFileSync(process.env.CONFORMANCE_TLS_CERT) };
const answer = (req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url }));
const downstream = http.createServer(answer);
const secureDownstream = https.createServer(tls, answer);
const httpAgent = new http.Agent({ keepAlive: true });
const httpsAgent = new https.Agent({ keepAlive: true, ca: tls.cert });

function call(lib, url, agent) {
  return new Promise((resolve, reject) => {
    lib
      .get(url, { agent, servername: 'localhost' }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      })
      .on('error', reject);
  });
}

const CLIENTS = {
  '/http': async (base) => [
    await call(http, `${base.http}/downstream/1`, httpAgent),
    await call(http, `${base.http}/downstream/2`, httpAgent),
  ],
  '/https': async (base) => [
    await call(https, `${base.https}/downstream/1`, httpsAgent),
    await call(https, `${base.https}/downstream/2`, httpsAgent),
  ],
  '/axios': async (base) => [(await axios.get(`${base.http}/downstream/axios`)).status],
  '/fetch': async (base) => [(await fetch(`${base.http}/downstream/fetch`)).status],
  '/undici': async (base) => {
    const res = await undici.request(`${base.http}/downstream/undici`);
    await res.body.dump();
    return [res.statusCode];
  },
  '/refused': async (base) => [
    await fetch(base.closed).then(
      (r) => r.status,
      (err) => err.cause?.code ?? err.message,
    ),
  ],
};

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));

async function main() {
  const closed = http.createServer();
  const base = {
    http: `http://127.0.0.1:${await listen(downstream)}`,
    https: `https://127.0.0.1:${await listen(secureDownstream)}`,
    closed: `http://127.0.0.1:${await listen(closed)}/nothing`,
  };
  await new Promise((resolve) => closed.close(resolve));
  const server = http.createServer((req, res) => {
    const client = CLIENTS[req.url];
    if (!client) return void res.writeHead(404).end();
    client(base).then(
      (statuses) => res.end(JSON.stringify(statuses)),
      (err) => res.writeHead(500).end(String(err)),
    );
  });
  await listen(server);
  announce(server);
}
void main();
