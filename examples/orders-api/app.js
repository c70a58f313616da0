// Orders API: express (CommonJS) on PostgreSQL and Redis, calling the inventory service over HTTP. Instrumented only
// by the preload: `node --require otelkit/register app.js` with DATABASE_URL, REDIS_URL and INVENTORY_URL set.
const express = require('express');
const { Pool } = require('pg');
const { createClient } = require('redis');
const { getLogger, setUser, setOrganization } = require('otelkit');

const log = getLogger('orders-api');
const db = new Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
const cache = createClient({ url: process.env.REDIS_URL });
const inventoryUrl = process.env.INVENTORY_URL ?? 'http://127.0.0.1:3001';

// Stands in for real authentication: the bearer token names an account, whose user and organization then appear
// in every later log line of the request and on its server span.
const ACCOUNTS = { 'token-ada': { id: '42', username: 'ada', organization: 'acme' } };

const app = express();
app.use((req, res, next) => {
  const account = ACCOUNTS[(req.get('authorization') ?? '').replace(/^Bearer /, '')];
  if (account) {
    setUser({ id: account.id, username: account.username });
    setOrganization(account.organization);
  }
  next();
});

app.get('/orders/:id', async (req, res) => {
  const order = await findOrder(req.params.id);
  if (!order) {
    log.warn('order not found', { object_type: 'order', object_id: req.params.id });
    return res.status(404).json({ error: 'order not found' });
  }
  const stock = await fetch(`${inventoryUrl}/inventory/${order.sku}`).then((r) => r.json());
  log.info('order looked up', {
    event_type: 'order.view',
    object_type: 'order',
    object_id: order.id,
    cached: order.cached,
    in_stock: stock.in_stock,
  });
  res.json({ ...order, in_stock: stock.in_stock });
});

// Fails on purpose: the error reaches the error handler below, the response is a 500 and the span an error.
app.post('/orders/:id/refund', async (req) => {
  const order = await findOrder(req.params.id);
  log.warn('refund requested', { object_type: 'order', object_id: order?.id ?? req.params.id });
  throw new Error('payment provider unavailable');
});

app.use((err, req, res, next) => {
  log.error('request failed', err);
  res.status(500).json({ error: err.message });
});

// Read-through cache: Redis first, PostgreSQL on a miss, then cached for a minute.
async function findOrder(id) {
  const cached = await cache.get(`order:${id}`);
  if (cached) return { ...JSON.parse(cached), cached: true };
  const { rows } = await db.query('SELECT id, sku, quantity, status FROM orders WHERE id = $1', [id]);
  if (rows.length === 0) return undefined;
  await cache.set(`order:${id}`, JSON.stringify(rows[0]), { expiration: { type: 'EX', value: 60 } });
  return { ...rows[0], cached: false };
}

async function migrate() {
  await db.query(
    'CREATE TABLE IF NOT EXISTS orders (id text PRIMARY KEY, sku text NOT NULL, quantity integer NOT NULL, status text NOT NULL)',
  );
  await db.query(
    "INSERT INTO orders VALUES ('1001', 'sku-espresso', 2, 'paid'), ('1002', 'sku-grinder', 1, 'shipped') ON CONFLICT DO NOTHING",
  );
}

async function main() {
  await cache.connect();
  await migrate();
  const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ listening: server.address().port })}\n`);
  });
}

main().catch((err) => {
  log.error('orders-api could not start', err);
  process.exitCode = 1;
  void db.end();
  void cache.destroy();
});
