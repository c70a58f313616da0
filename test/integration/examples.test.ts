// The examples as users run them: the express orders API (`--require`) on a real PostgreSQL and Redis, calling the
// fastify inventory service (`--import`). Database spans hang under the server span; request_id and the trace cross
// the service boundary. Needs PostgreSQL and Redis installed (scripts/local-services.mjs starts them on loopback).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, useTestBed } from '../harness/test-bed';
import type { App } from '../harness/app';
import type { ReceivedSpan } from '../harness/otlp-receiver';
import { missingServices, SETUP_COMMAND, startServices, type LocalServices } from '../../scripts/local-services.mjs';

const missing = missingServices();
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

if (missing.length > 0 && !inCi) {
  process.stderr.write(`examples.test.ts skipped: ${missing.join(' and ')} not installed (${SETUP_COMMAND})\n`);
}

describe.runIf(missing.length > 0)('examples prerequisites', () => {
  it.skipIf(!inCi)(`PostgreSQL and Redis are installed (missing: ${missing.join(', ')}; ${SETUP_COMMAND})`, () => {
    throw new Error(`${missing.join(' and ')} not installed; set up with: ${SETUP_COMMAND}`);
  });
});

describe.skipIf(missing.length > 0)('examples: orders-api + inventory-service on PostgreSQL and Redis', () => {
  const bed = useTestBed();
  let services: LocalServices;
  beforeAll(async () => {
    services = await startServices();
  });
  afterAll(async () => {
    await services?.stop();
  });

  async function launchBoth(): Promise<{ orders: App; inventory: App; ordersUrl: string }> {
    const inventory = bed.launch('../../examples/inventory-service/app.mjs', {
      preload: 'import',
      env: { OTEL_SERVICE_NAME: 'inventory' },
    });
    const orders = bed.launch('../../examples/orders-api/app.js', {
      preload: 'require',
      env: {
        OTEL_SERVICE_NAME: 'orders-api',
        DATABASE_URL: services.databaseUrl,
        REDIS_URL: services.redisUrl,
        INVENTORY_URL: await inventory.url(''),
      },
    });
    return { orders, inventory, ordersUrl: await orders.url('') };
  }

  const serverSpan = (service: string, requestId: string) =>
    bed.receiver.spans.find(
      (s) => s.kind === SERVER && s.resource['service.name'] === service && s.attributes.request_id === requestId,
    );

  /** The span's ancestors, nearest first, within its trace. */
  function ancestors(span: ReceivedSpan): ReceivedSpan[] {
    const chain: ReceivedSpan[] = [];
    for (let parent = byId(span.parentSpanId); parent; parent = byId(parent.parentSpanId)) chain.push(parent);
    return chain;
  }
  const byId = (id: string) => (id ? bed.receiver.spans.find((s) => s.spanId === id) : undefined);

  it('pg and redis spans descend from the server span; trace and request_id reach the inventory service', async () => {
    const { orders, inventory, ordersUrl } = await launchBoth();
    const res = await fetch(`${ordersUrl}/orders/1001`, {
      headers: { 'x-request-id': 'examples-1', authorization: 'Bearer token-ada' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('examples-1');
    expect(await res.json()).toMatchObject({ id: '1001', sku: 'sku-espresso', cached: false, in_stock: 12 });

    const names = ['pg.query:SELECT postgres', 'redis-GET', 'redis-SET'];
    await bed.receiver.waitFor(
      () =>
        !!serverSpan('inventory', 'examples-1') &&
        !!serverSpan('orders-api', 'examples-1') &&
        names.every((n) => bed.receiver.spans.some((s) => s.name === n)),
      10_000,
      'both server spans, pg and redis spans',
    );
    const server = serverSpan('orders-api', 'examples-1')!;
    expect(server.attributes).toMatchObject({ 'http.route': '/orders/:id', 'user.id': '42', 'organization.id': 'acme' });

    const pgPort = Number(new URL(services.databaseUrl).port);
    const redisPort = Number(new URL(services.redisUrl).port);
    const span = (name: string) => bed.receiver.spans.find((s) => s.name === name && s.traceId === server.traceId)!;
    const query = span('pg.query:SELECT postgres');
    // instrumentation-pg 0.76 and instrumentation-redis 0.71 emit only the stable database conventions.
    expect(query.kind).toBe(CLIENT);
    expect(query.attributes).toMatchObject({
      'db.system.name': 'postgresql',
      'db.namespace': 'postgres',
      'db.query.text': 'SELECT id, sku, quantity, status FROM orders WHERE id = $1',
      'server.address': '127.0.0.1',
      'server.port': pgPort,
    });
    expect(query.attributes).not.toHaveProperty('db.system');
    expect(query.attributes).not.toHaveProperty('db.statement');
    expect(span('redis-GET').attributes).toMatchObject({
      'db.system.name': 'redis',
      'db.operation.name': 'GET',
      'db.query.text': 'GET order:1001',
      'server.port': redisPort,
    });
    // The cached value itself stays out of the span: the serializer keeps only the key.
    expect(span('redis-SET').attributes).toMatchObject({
      'db.operation.name': 'SET',
      'db.query.text': 'SET order:1001 [3 other arguments]',
    });
    for (const name of names) {
      expect(span(name).kind).toBe(CLIENT);
      expect(ancestors(span(name))).toContainEqual(server);
    }

    // Across the boundary: the inventory's server span is a child of the orders API's outgoing call.
    const downstream = serverSpan('inventory', 'examples-1')!;
    expect(downstream.traceId).toBe(server.traceId);
    // fastify's route template, though the pinned upstream instrumentations have no fastify instrumentation.
    expect(downstream.name).toBe('GET /inventory/:sku');
    expect(downstream.attributes['http.route']).toBe('/inventory/:sku');
    const call = byId(downstream.parentSpanId)!;
    expect(call).toMatchObject({ kind: CLIENT, resource: { 'service.name': 'orders-api' } });
    expect(call.attributes['url.path']).toBe('/inventory/sku-espresso');
    expect(ancestors(call)).toContainEqual(server);

    await inventory.waitForOutput(/"message":"stock checked"/);
    const ordersLine = jsonLines(orders.stdout).find((l) => l.message === 'order looked up')!;
    const inventoryLine = jsonLines(inventory.stdout).find((l) => l.message === 'stock checked')!;
    expect(ordersLine).toMatchObject({
      request_id: 'examples-1',
      trace_id: server.traceId,
      user_id: '42',
      organization_id: 'acme',
    });
    expect(inventoryLine).toMatchObject({ request_id: 'examples-1', trace_id: server.traceId, service_name: 'inventory' });

    // Second read: served from Redis, so that trace has no query.
    const again = await fetch(`${ordersUrl}/orders/1001`, { headers: { 'x-request-id': 'examples-2' } });
    expect(await again.json()).toMatchObject({ cached: true });
    await bed.receiver.waitFor(() => !!serverSpan('orders-api', 'examples-2'), 10_000, 'second server span');
    const second = serverSpan('orders-api', 'examples-2')!;
    const inSecond = bed.receiver.spans.filter((s) => s.traceId === second.traceId).map((s) => s.name);
    expect(inSecond).toContain('redis-GET');
    expect(inSecond.filter((n) => n.startsWith('pg.'))).toEqual([]);
  });

  it('the failing route: a 500, the server span an error, the error logged with the request_id', async () => {
    const { orders, ordersUrl } = await launchBoth();
    const res = await fetch(`${ordersUrl}/orders/1002/refund`, {
      method: 'POST',
      headers: { 'x-request-id': 'examples-refund' },
    });
    expect(res.status).toBe(500);
    await bed.receiver.waitFor(() => !!serverSpan('orders-api', 'examples-refund'), 10_000, 'server span');
    const server = serverSpan('orders-api', 'examples-refund')!;
    expect(server.status.code).toBe(ERROR);
    expect(server.attributes['http.route']).toBe('/orders/:id/refund');
    const query = bed.receiver.spans.find((s) => s.traceId === server.traceId && s.name === 'pg.query:SELECT postgres');
    expect(ancestors(query!)).toContainEqual(server);

    await orders.waitForOutput(/"message":"request failed"/);
    const failure = jsonLines(orders.stdout).find((l) => l.message === 'request failed')!;
    expect(failure).toMatchObject({
      level: 'ERROR',
      request_id: 'examples-refund',
      trace_id: server.traceId,
      exception_type: 'Error',
      exception_message: 'payment provider unavailable',
    });
    expect(jsonLines(orders.stdout).find((l) => l.message === 'refund requested')).toMatchObject({
      level: 'WARNING',
      request_id: 'examples-refund',
    });
  });
});
