// `--require`, `--import` and NODE_OPTIONS preloads: the app's spans reach the OTLP bed.receiver.
import { describe, expect, it } from 'vitest';
import { useTestBed } from '../harness/test-bed';
import { fastExportEnv, get } from '../harness/app';

const bed = useTestBed();

const serverSpanFor = (route: string) => () =>
  bed.receiver.spans.find((s) => s.kind === 2 && s.attributes['http.route'] === route);

describe('otelkit/register', () => {
  it('instruments a CommonJS express app with --require: server span with http.route and resource', async () => {
    const app = bed.launch('express-app.cjs', { preload: 'require', env: fastExportEnv(bed.receiver.url) });
    const res = await get(await app.url('/hello/42'));
    expect(res.status).toBe(200);
    await bed.receiver.waitFor(() => !!serverSpanFor('/hello/:id')(), 10_000, 'server span');
    const span = serverSpanFor('/hello/:id')()!;
    expect(span.name).toBe('GET /hello/:id');
    expect(span.attributes['http.response.status_code']).toBe(200);
    expect(span.resource['service.name']).toBe('fixture-service');
    expect(span.resource['telemetry.distro.name']).toBe('otelkit');
    // The route in the name and http.route come from the express instrumentation: proof that express was patched.
    expect(app.stderrLines(/otelkit info: started/)).toHaveLength(1);
  });

  it.each([
    ['by default: no span per layer, route handlers included', {}, []],
    [
      'OTELKIT_EXPRESS_MIDDLEWARE_SPANS=true: a span per layer, as upstream',
      { OTELKIT_EXPRESS_MIDDLEWARE_SPANS: 'true' },
      ['middleware', 'request_handler', 'router'],
    ],
  ])('express layers %s; http.route is whole either way', async (_case, extra, layerTypes) => {
    const app = bed.launch('express-middleware.cjs', {
      preload: 'require',
      env: { ...fastExportEnv(bed.receiver.url), ...extra },
    });
    expect((await get(await app.url('/api/tickets/7'))).status).toBe(200);
    await bed.receiver.waitFor(() => !!serverSpanFor('/api/tickets/:id')(), 10_000, 'server span with http.route');
    const server = serverSpanFor('/api/tickets/:id')()!;
    // Stopping flushes everything the request produced: a missing layer span is missing, not late.
    await app.stop('SIGTERM');
    const types = new Set(
      bed.receiver.spans.filter((s) => s.traceId === server.traceId && s.kind !== 2).map((s) => s.attributes['express.type']),
    );
    expect([...types].sort()).toEqual(layerTypes);
  });

  it('creates an instrumentation when the app first requires its package, and patches that load', async () => {
    const app = bed.launch('deferred-instrumentation.cjs', {
      preload: 'require',
      env: { ...fastExportEnv(bed.receiver.url), OTEL_LOG_LEVEL: 'debug' },
    });
    const res = await get(await app.url('/'));
    expect(JSON.parse(res.body)).toEqual({ queryWrapped: true });
    // Created once, on the app's first require of pg, and not at start-up.
    const lines = app.stderr.split('\n');
    const created = lines.flatMap((line, i) => (/instrumentation "pg" created: the app required pg/.test(line) ? [i] : []));
    expect(created).toHaveLength(1);
    expect(created[0]).toBeGreaterThan(lines.indexOf('fixture: requiring pg'));
    expect(lines.indexOf('fixture: requiring pg')).toBeGreaterThanOrEqual(0);
    // The summary still lists it: armed from start-up because pg is installed.
    expect(app.stderr).toMatch(/instrumentations=\d+\([^)]*\bpg\b/);
  });

  it('instruments an ES-module express app with --import (loader hook patches the import)', async () => {
    const app = bed.launch('express-app.mjs', { preload: 'import', env: fastExportEnv(bed.receiver.url) });
    expect((await get(await app.url('/hello/7'))).status).toBe(200);
    await bed.receiver.waitFor(() => !!serverSpanFor('/hello/:id')(), 10_000, 'server span with http.route');
    // http.route is set by the express instrumentation: the wait above is the proof that the ESM import was patched.
    expect(serverSpanFor('/hello/:id')()!.name).toBe('GET /hello/:id');
  });

  it.each([
    ['thrown in a middleware', '/broken-sync', 'middleware threw'],
    ['rejected by an async middleware', '/broken-async', 'middleware rejected'],
  ])('an error %s lands on the server span as an exception event, without layer spans', async (_case, path, message) => {
    const app = bed.launch('express-middleware.cjs', { preload: 'require', env: fastExportEnv(bed.receiver.url) });
    expect((await get(await app.url(path))).status).toBe(500);
    await app.stop('SIGTERM');
    const spans = bed.receiver.spans.filter((s) => s.attributes['url.path'] === path || s.kind !== 2);
    expect(spans.map((s) => s.kind)).toEqual([2]);
    expect(spans[0].status.code).toBe(2);
    const events = spans[0].events.filter((e) => e.name === 'exception');
    expect(events.map((e) => [e.attributes['exception.type'], e.attributes['exception.message']])).toEqual([['Error', message]]);
    expect(String(events[0].attributes['exception.stacktrace'])).toContain('express-middleware.cjs');
  });

  it('an error the app answers with a 4xx leaves the server span without an exception event', async () => {
    const app = bed.launch('express-middleware.cjs', { preload: 'require', env: fastExportEnv(bed.receiver.url) });
    expect((await get(await app.url('/handled/input'))).status).toBe(422);
    await app.stop('SIGTERM');
    const server = bed.receiver.spans.find((s) => s.kind === 2)!;
    expect(server.attributes['http.route']).toBe('/handled/input');
    expect(server.status.code ?? 0).toBe(0);
    expect(server.events).toEqual([]);
  });

  it('works through NODE_OPTIONS, and child processes of the app are instrumented too', async () => {
    const app = bed.launch('spawns-child.cjs', { preload: 'node-options', env: fastExportEnv(bed.receiver.url) });
    const res = await get(await app.url('/child'));
    expect(res.status).toBe(200);
    await bed.receiver.waitFor(
      () =>
        bed.receiver.spans.some((s) => s.name === 'child-work') &&
        bed.receiver.spans.some((s) => s.kind === 2 && s.attributes['url.path'] === '/child'),
      10_000,
      'spans from parent and child',
    );
    const pids = new Set(bed.receiver.spans.map((s) => s.resource['process.pid']));
    expect(pids.size).toBe(2);
  });

  it('starts once when loaded by both --require and --import, and by start() in the app', async () => {
    const app = bed.launch('calls-start.cjs', { preload: 'require+import', env: fastExportEnv(bed.receiver.url) });
    expect((await get(await app.url('/hello/1'))).status).toBe(200);
    await bed.receiver.waitFor(() => !!serverSpanFor('/hello/:id')(), 10_000, 'server span');
    // Give a second SDK, if there were one, time to export its copy.
    await new Promise((r) => setTimeout(r, 600));
    expect(bed.receiver.spans.filter((s) => s.kind === 2)).toHaveLength(1);
    expect(app.stderrLines(/otelkit info: started/)).toHaveLength(1);
  });

  it('start() without a preload: spans and the default logger’s records arrive', async () => {
    const app = bed.launch('programmatic-start.cjs', { preload: 'none', env: fastExportEnv(bed.receiver.url) });
    expect((await get(await app.url('/x'))).status).toBe(200);
    await bed.receiver.waitFor(
      () => bed.receiver.spans.some((s) => s.kind === 2) && bed.receiver.logs.some((l) => l.body === 'handled without preload'),
      10_000,
      'span and log',
    );
    expect(bed.receiver.spans.find((s) => s.kind === 2)!.resource['service.name']).toBe('programmatic');
  });

  it.each([
    ['preloaded: the app’s require of the API returns otelkit’s copy, one file', 'app-uses-api.cjs', 'require', {}, 1],
    ['a tracer taken before start() in code goes live with it', 'app-uses-api.cjs', 'none', { EARLY: '1' }, undefined],
    ['imported by an ES module under --import: its own ESM copy works', 'app-uses-api.mjs', 'import', {}, undefined],
  ] as const)('the app’s own @opentelemetry/api, %s', async (_case, fixture, preload, extra, apiFiles) => {
    const app = bed.launch(fixture, { preload, env: { ...fastExportEnv(bed.receiver.url), ...extra } });
    const res = await get(await app.url('/'));
    expect(res.status).toBe(200);
    if (apiFiles !== undefined) expect(JSON.parse(res.body)).toEqual({ apiFiles });
    await bed.receiver.waitFor(
      () => bed.receiver.spans.some((s) => s.name === 'app-span') && bed.receiver.spans.some((s) => s.kind === 2),
      10_000,
      'the app’s own span and the server span',
    );
    const server = bed.receiver.spans.find((s) => s.kind === 2)!;
    expect(bed.receiver.spans.find((s) => s.name === 'app-span')!.parentSpanId).toBe(server.spanId);
  });

  it('does not start a second SDK in worker threads', async () => {
    const app = bed.launch('worker.cjs', {
      preload: 'node-options',
      env: { ...fastExportEnv(bed.receiver.url), OTEL_LOG_LEVEL: 'info' },
    });
    await app.waitForOutput(/worker done/);
    await bed.receiver.waitFor(() => bed.receiver.spans.some((s) => s.name === 'worker-span'), 10_000, 'worker span');
    expect(app.stderrLines(/otelkit info: started/)).toHaveLength(1);
  });
});
