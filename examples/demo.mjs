// `npm run demo`: runs the examples against an embedded OTLP receiver, drives a few requests (one fails), and
// prints each request's span tree and log lines, then a metrics excerpt. No collector, no Docker.
// With PostgreSQL and Redis installed: the orders API (`--require`) on both, calling the inventory service
// (`--import`). Without them: says how to get them and runs the standalone orders API.
// Exits when done and leaves no process behind.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { missingServices, SETUP_COMMAND, startServices } from '../scripts/local-services.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { OtlpHttpReceiver } = require(join(root, 'dist/dev/receiver.js'));
const { renderTraces } = require(join(root, 'dist/dev/render.js'));

const apps = [];
let services;
const killApps = () => apps.forEach((app) => app.child.exitCode === null && app.child.kill('SIGKILL'));
process.on('exit', killApps);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killApps();
    void (services?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

const receiver = new OtlpHttpReceiver();
const endpoint = await receiver.start();

/** Starts an example under the given preload and resolves once it prints `{"listening":PORT}`. */
async function startApp(name, preload, file, env = {}) {
  const child = spawn(process.execPath, [preload, 'otelkit/register', join(root, file)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      OTEL_SERVICE_NAME: name,
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_BLRP_SCHEDULE_DELAY: '200',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      ...env,
    },
  });
  const app = { name, child, output: '' };
  apps.push(app);
  child.stderr.setEncoding('utf8').on('data', (d) => process.stderr.write(`${name} stderr │ ${d}`));
  app.port = await new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d) => {
      app.output += d;
      const match = /\{"listening":(\d+)\}/.exec(app.output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`${name} exited early (code ${code})\n${app.output}`)));
    setTimeout(() => reject(new Error(`${name} did not start within 15 s`)), 15_000).unref();
  });
  return app;
}

async function send(port, method, path, headers = {}) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers });
  await res.text();
  console.log(`  ${method} ${path} → ${res.status}`);
}

const missing = missingServices();
try {
  if (missing.length === 0) {
    services = await startServices();
    const inventory = await startApp('inventory', '--import', 'examples/inventory-service/app.mjs');
    const orders = await startApp('orders-api', '--require', 'examples/orders-api/app.js', {
      DATABASE_URL: services.databaseUrl,
      REDIS_URL: services.redisUrl,
      INVENTORY_URL: `http://127.0.0.1:${inventory.port}`,
    });
    console.log(
      `PostgreSQL (${services.databaseUrl}) and Redis (${services.redisUrl}) started on loopback.\n` +
        `orders-api (express, --require) listens on ${orders.port}, inventory (fastify, --import) on ${inventory.port}.\n`,
    );
    const user = { authorization: 'Bearer token-ada' };
    await send(orders.port, 'GET', '/orders/1001', user); // cache miss: Redis, PostgreSQL, then the inventory
    await send(orders.port, 'GET', '/orders/1001', user); // served from Redis
    await send(orders.port, 'POST', '/orders/1002/refund', user); // fails on purpose
  } else {
    console.log(
      `${missing.join(' and ')} not found: running the standalone orders API (no database).\n` +
        `For the full demo (orders API on PostgreSQL and Redis, calling the inventory service), install them:\n` +
        `  ${SETUP_COMMAND}\n`,
    );
    const orders = await startApp('orders-api', '--require', 'examples/orders-api/standalone.js');
    console.log(`orders-api is listening on ${orders.port}\n`);
    for (const path of ['/orders/1001', '/orders/1002', '/orders/1002/refund']) await send(orders.port, 'GET', path);
  }

  // SIGTERM: otelkit flushes every signal before each app exits.
  await Promise.all(
    apps.map((app) => {
      app.child.kill('SIGTERM');
      return new Promise((resolve) => (app.child.exitCode === null ? app.child.once('exit', resolve) : resolve()));
    }),
  );
} finally {
  killApps();
  await services?.stop();
}

console.log('\nThe apps printed these JSON log lines (stdout):');
for (const app of apps) {
  for (const line of app.output.split('\n').filter((l) => l.startsWith('{"timestamp"'))) console.log(`  ${line}`);
}

// Only traces of requests: start-up work (schema migration, connecting to Redis) makes traces of its own.
const requestTraces = new Set(receiver.spans.filter((s) => s.kind === 2).map((s) => s.traceId));
const spans = receiver.spans.filter((s) => requestTraces.has(s.traceId));
console.log('\nWhat arrived over OTLP, one block per request:\n');
console.log(renderTraces({ spans, logs: receiver.logs }, { color: process.stdout.isTTY === true }));

const metricNames = [...new Set(receiver.metrics.map((m) => m.name))].sort();
console.log(`Metrics received (${metricNames.length} instruments): ${metricNames.join(', ')}`);
for (const app of apps) {
  const duration = receiver.metrics
    .filter((m) => m.name === 'http.server.request.duration' && m.resource['service.name'] === app.name)
    .at(-1);
  for (const point of duration?.dataPoints ?? []) {
    console.log(
      `  ${app.name} http.server.request.duration ${point.attributes['http.request.method']} ${point.attributes['http.route'] ?? '(no route)'} ${point.attributes['http.response.status_code']}: count=${point.count} sum=${point.sum?.toFixed(4)} s`,
    );
  }
}
await receiver.stop();
