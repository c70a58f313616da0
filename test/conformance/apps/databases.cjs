// PostgreSQL (pg), MariaDB (mysql2), Redis (redis and ioredis) on loopback, each used while handling a request:
// a query that succeeds and one that fails. DATABASE_URL, MARIADB_URL and REDIS_URL point at the servers.
const http = require('node:http');
const pg = require('pg');
const mysql = require('mysql2/promise');
const redis = require('redis');
const Redis = require('ioredis');
const announce = require('./announce.cjs');

const pgPool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
const mysqlPool = mysql.createPool({ uri: process.env.MARIADB_URL, connectionLimit: 1 });
const redisClient = redis.createClient({ url: process.env.REDIS_URL });
const ioredis = new Redis(process.env.REDIS_URL, { lazyConnect: true });

const failed = (err) => err.code ?? err.message;
const ROUTES = {
  '/pg': async () => [
    (await pgPool.query('SELECT $1::int AS n', [1])).rows[0].n,
    await pgPool.query('SELECT * FROM missing').catch(failed),
  ],
  '/mysql2': async () => [
    (await mysqlPool.query('SELECT 1 + ? AS n', [1]))[0][0].n,
    await mysqlPool.query('SELECT * FROM missing').catch(failed),
  ],
  '/redis': async () => [
    await redisClient.set('k', 'v'),
    await redisClient.get('k'),
    await redisClient.sendCommand(['NOSUCH']).catch(failed),
  ],
  '/ioredis': async () => [await ioredis.set('k', 'v'), await ioredis.get('k'), await ioredis.call('NOSUCH').catch(failed)],
};

async function main() {
  await redisClient.connect();
  await ioredis.connect();
  const server = http.createServer((req, res) => {
    const route = ROUTES[req.url];
    if (!route) return void res.writeHead(404).end();
    route().then(
      (result) => res.end(JSON.stringify(result)),
      (err) => res.writeHead(500).end(String(err)),
    );
  });
  server.listen(0, '127.0.0.1', () => announce(server));
}
void main();
