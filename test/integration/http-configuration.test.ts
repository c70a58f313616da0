// Upstream's HTTP configuration where otelkit's own instrumentations run (docs/configuration-http.md): header capture,
// OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS, OTELKIT_HTTP_IGNORE_PATHS and start({ instrumentations }) hooks. Where
// upstream can be configured the same way, the same app runs under upstream's SDK (./fixtures/upstream-with-options.cjs:
// upstream's register reads none of these variables) and the two are compared.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonLines, useTestBed } from '../harness/test-bed';
import { FIXTURES, type App } from '../harness/app';
import type { ReceivedSpan } from '../harness/otlp-receiver';

const bed = useTestBed();
const APP = 'http-config-app.cjs';
const UPSTREAM_SDK = { NODE_OPTIONS: `--require ${join(FIXTURES, 'upstream-with-options.cjs')}` };

// The service the app calls: tells which headers reached it, answers with headers of its own (a cookie among them).
let downstream: Server;
let downstreamUrl: string;
const seen: IncomingHttpHeaders[] = [];
beforeEach(async () => {
  downstream = createServer((req, res) => {
    seen.push(req.headers);
    res.setHeader('x-down', 'd1');
    res.setHeader('set-cookie', 'sid=s3cr3t-down');
    res.end('downstream');
  });
  await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve));
  downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}`;
});
afterEach(async () => {
  seen.length = 0;
  await new Promise((resolve) => downstream.close(resolve));
});

/** otelkit through its register (or, with `none`, the app's own start()), or upstream's SDK with `upstream`. */
function launch(service: string, env: Record<string, string> = {}, preload: 'require' | 'none' | 'upstream' = 'require'): App {
  const extra = preload === 'upstream' ? UPSTREAM_SDK : {};
  return bed.launch(APP, {
    preload: preload === 'require' ? 'require' : 'none',
    env: { OTEL_SERVICE_NAME: service, ...extra, ...env },
  });
}

async function call(app: App, path: string, headers: Record<string, string> = {}, method = 'GET') {
  const res = await fetch(await app.url(path), { method, headers });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

const of = (service: string) => (s: ReceivedSpan) => s.resource['service.name'] === service;

async function span(service: string, kind: number, where: (s: ReceivedSpan) => boolean, what: string): Promise<ReceivedSpan> {
  const match = (s: ReceivedSpan) => of(service)(s) && s.kind === kind && where(s);
  await bed.receiver.waitFor(() => bed.receiver.spans.some(match), 10_000, `${service}: ${what}`);
  return bed.receiver.spans.find(match)!;
}

const serverSpan = (service: string, path: string) =>
  span(service, 2, (s) => s.attributes['url.path'] === path, `server span for ${path}`);
const clientSpan = (service: string, scope: string) => span(service, 3, (s) => s.scope === scope, `client span of ${scope}`);

const headerAttributes = (s: ReceivedSpan) =>
  Object.fromEntries(Object.entries(s.attributes).filter(([key]) => /^http\.(request|response)\.header\./.test(key)));

// What upstream's instrumentations would record for the same lists, given as their config.
const CAPTURE = {
  OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST: 'X-Tenant,accept-language,authorization,cookie,x-absent',
  OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_RESPONSE: 'x-resp,x-count,Content-Type,set-cookie',
  OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST: 'x-client,authorization',
  OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_RESPONSE: 'x-down,set-cookie',
};
const split = (list: string) => list.split(',');
const UPSTREAM_CAPTURE = {
  UPSTREAM_HTTP_CONFIG: JSON.stringify({
    headersToSpanAttributes: {
      server: {
        requestHeaders: split(CAPTURE.OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST),
        responseHeaders: split(CAPTURE.OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_RESPONSE),
      },
      client: {
        requestHeaders: split(CAPTURE.OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST),
        responseHeaders: split(CAPTURE.OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_RESPONSE),
      },
    },
  }),
  UPSTREAM_UNDICI_CONFIG: JSON.stringify({
    headersToSpanAttributes: {
      requestHeaders: split(CAPTURE.OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST),
      responseHeaders: split(CAPTURE.OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_RESPONSE),
    },
  }),
};

const CREDENTIALS = /s3cr3t/;

/** Credentials stay, masked: the attribute is there, its value is not. Anything else as upstream records it. */
function expectSameHeaders(ours: Record<string, unknown>, theirs: Record<string, unknown>, credentials: string[]) {
  expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
  for (const key of Object.keys(theirs)) {
    if (credentials.includes(key)) {
      expect(JSON.stringify(theirs[key])).toMatch(CREDENTIALS);
      expect(JSON.stringify(ours[key])).not.toMatch(CREDENTIALS);
      expect(JSON.stringify(ours[key])).toContain('[REDACTED]');
    } else expect(ours[key]).toEqual(theirs[key]);
  }
}

describe('header capture (OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_*)', () => {
  it('records the server span headers upstream records for the same lists, credentials masked', async () => {
    const ours = launch('ours', CAPTURE);
    const theirs = launch('theirs', UPSTREAM_CAPTURE, 'upstream');
    const sent = {
      'x-tenant': 'acme',
      'accept-language': 'fr',
      authorization: 'Bearer s3cr3t-token',
      cookie: 'session=s3cr3t-cookie',
    };
    for (const app of [ours, theirs]) expect((await call(app, '/headers', sent)).status).toBe(200);
    const [a, b] = [
      headerAttributes(await serverSpan('ours', '/headers')),
      headerAttributes(await serverSpan('theirs', '/headers')),
    ];
    expectSameHeaders(a, b, [
      'http.request.header.authorization',
      'http.request.header.cookie',
      'http.response.header.set-cookie',
    ]);
    expect(a).toMatchObject({
      'http.request.header.x-tenant': ['acme'],
      'http.request.header.accept-language': ['fr'],
      'http.response.header.x-resp': ['r1'],
      'http.response.header.x-count': [5],
      'http.response.header.content-type': ['text/plain'],
    });
    expect(a).not.toHaveProperty('http.request.header.x-absent');
  });

  it('records the client span headers of fetch and http.request as upstream, credentials masked', async () => {
    const ours = launch('ours', CAPTURE);
    const theirs = launch('theirs', UPSTREAM_CAPTURE, 'upstream');
    for (const app of [ours, theirs]) {
      expect(JSON.parse((await call(app, `/fetch?target=${encodeURIComponent(downstreamUrl + '/f')}`)).body)).toMatchObject({
        status: 200,
      });
      expect(JSON.parse((await call(app, `/http?target=${encodeURIComponent(downstreamUrl + '/h')}`)).body)).toMatchObject({
        status: 200,
      });
    }
    const credentials = ['http.request.header.authorization', 'http.response.header.set-cookie'];
    const undici = [
      await clientSpan('ours', 'otelkit/undici'),
      await clientSpan('theirs', '@opentelemetry/instrumentation-undici'),
    ];
    expectSameHeaders(headerAttributes(undici[0]), headerAttributes(undici[1]), credentials);
    expect(headerAttributes(undici[0])).toMatchObject({
      'http.request.header.x-client': ['c1'],
      'http.response.header.x-down': ['d1'],
    });
    // Outgoing http.request stays upstream's instrumentation in both: otelkit hands it the lists.
    const httpClient = [
      await clientSpan('ours', '@opentelemetry/instrumentation-http'),
      await clientSpan('theirs', '@opentelemetry/instrumentation-http'),
    ];
    expectSameHeaders(headerAttributes(httpClient[0]), headerAttributes(httpClient[1]), credentials);
    expect(headerAttributes(httpClient[0])).toMatchObject({
      'http.request.header.x-client': ['c1'],
      'http.response.header.x-down': ['d1'],
    });
    // The call itself is untouched: the credential reached the downstream service.
    expect(seen.filter((h) => h.authorization === 'Bearer s3cr3t-client')).toHaveLength(4);
  });
});

describe('OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS', () => {
  it('replaces the known methods on server and fetch spans and the duration metric; others are _OTHER, named HTTP', async () => {
    const app = launch('ours', { OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS: 'GET,PURGE' });
    await call(app, '/purged', {}, 'PURGE');
    await call(app, '/patched', {}, 'PATCH');
    await call(app, `/fetch?method=PURGE&target=${encodeURIComponent(downstreamUrl + '/purge-down')}`);
    await call(app, `/fetch?method=DELETE&target=${encodeURIComponent(downstreamUrl + '/delete-down')}`);
    const purged = await serverSpan('ours', '/purged');
    expect(purged.name).toBe('PURGE');
    expect(purged.attributes['http.request.method']).toBe('PURGE');
    expect(purged.attributes).not.toHaveProperty('http.request.method_original');
    const patched = await serverSpan('ours', '/patched');
    expect(patched.name).toBe('HTTP');
    expect(patched.attributes).toMatchObject({ 'http.request.method': '_OTHER', 'http.request.method_original': 'PATCH' });
    const purgeDown = await span('ours', 3, (s) => s.attributes['url.path'] === '/purge-down', 'PURGE client span');
    expect([purgeDown.name, purgeDown.attributes['http.request.method']]).toEqual(['PURGE', 'PURGE']);
    const deleteDown = await span('ours', 3, (s) => s.attributes['url.path'] === '/delete-down', 'DELETE client span');
    expect(deleteDown.name).toBe('HTTP');
    expect(deleteDown.attributes).toMatchObject({ 'http.request.method': '_OTHER', 'http.request.method_original': 'DELETE' });
    const methods = () =>
      new Set(
        bed.receiver.metrics
          .filter((m) => m.name === 'http.server.request.duration')
          .flatMap((m) => m.dataPoints.map((p) => p.attributes['http.request.method'])),
      );
    await bed.receiver.waitFor(() => methods().has('PURGE') && methods().has('_OTHER'), 10_000, 'PURGE and _OTHER points');
  });
});

describe('OTELKIT_HTTP_IGNORE_PATHS', () => {
  it('no span and no duration point for an ignored request, nor for what it calls, as upstream; its request id stays', async () => {
    const ignore = '/health,/internal/*';
    const ours = launch('ours', { OTELKIT_HTTP_IGNORE_PATHS: ignore, OTELKIT_LOG: '1' });
    const theirs = launch('theirs', { UPSTREAM_IGNORE_PATHS: '/health,/internal/x' }, 'upstream');
    const target = `?target=${encodeURIComponent(downstreamUrl + '/from-ignored')}`;
    for (const app of [ours, theirs]) {
      for (const path of [`/health${target}`, '/internal/x', '/healthz', '/health/']) {
        expect((await call(app, path)).status).toBe(200);
      }
    }
    // The requests that are not ignored: exact paths only, `/internal/*` by prefix.
    for (const service of ['ours', 'theirs']) {
      await serverSpan(service, '/healthz');
      await serverSpan(service, '/health/');
    }
    const health = await call(ours, `/health${target}`, { 'x-request-id': 'health-check-1' });
    expect(health.headers.get('x-request-id')).toBe('health-check-1');
    expect(JSON.parse(health.body)).toMatchObject({ called: { status: 200 }, traceId: null });
    const line = jsonLines(ours.stdout).find((l) => l.message === 'health /health' && l.request_id === 'health-check-1');
    expect(line).toBeDefined();
    expect(line).not.toHaveProperty('trace_id');
    // Both sides: duration points for the two traced requests only.
    const count = (service: string) =>
      bed.receiver.metrics
        .filter((m) => m.name === 'http.server.request.duration' && m.resource['service.name'] === service)
        .reduce(
          (latest, m) =>
            Math.max(
              latest,
              m.dataPoints.reduce((sum, p) => sum + (p.count ?? 0), 0),
            ),
          0,
        );
    await bed.receiver.waitFor(() => count('ours') >= 2 && count('theirs') >= 2, 10_000, 'duration points from both');
    await new Promise((resolve) => setTimeout(resolve, 700)); // one more export interval: nothing else comes
    expect([count('ours'), count('theirs')]).toEqual([2, 2]);
    for (const service of ['ours', 'theirs']) {
      const spans = bed.receiver.spans.filter(of(service));
      expect(spans.filter((s) => s.kind === 2).map((s) => s.attributes['url.path'])).toEqual(
        expect.arrayContaining(['/healthz', '/health/']),
      );
      expect(spans.filter((s) => s.kind === 2)).toHaveLength(2);
      expect(spans.filter((s) => s.attributes['url.path'] === '/from-ignored')).toEqual([]);
    }
    expect(seen.length).toBeGreaterThanOrEqual(3);
  });
});

describe('OTELKIT_HTTP_SERVER_INSTRUMENTATION=upstream', () => {
  it("hands the ignored paths and the captured server headers to upstream's server instrumentation", async () => {
    const app = launch('switched', {
      OTELKIT_HTTP_SERVER_INSTRUMENTATION: 'upstream',
      OTELKIT_HTTP_IGNORE_PATHS: '/health',
      OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST: 'x-tenant,authorization',
    });
    await call(app, '/health');
    await call(app, '/headers', { 'x-tenant': 'acme', authorization: 'Bearer s3cr3t-token' });
    const traced = await serverSpan('switched', '/headers');
    expect(traced.scope).toBe('@opentelemetry/instrumentation-http');
    expect(traced.attributes['http.request.header.x-tenant']).toEqual(['acme']);
    // Upstream records it in clear: the span processor masks it on the way out.
    expect(JSON.stringify(traced.attributes['http.request.header.authorization'])).toContain('[REDACTED]');
    expect(bed.receiver.spans.filter((s) => s.attributes['url.path'] === '/health')).toEqual([]);
  });
});

describe('start({ instrumentations: { http, undici } })', () => {
  const optionsEnv = { OTELKIT_OPTIONS: '1' };
  const upstreamEnv = { UPSTREAM_OPTIONS: '1' };
  const hookAttributes = (s: ReceivedSpan) =>
    Object.fromEntries(Object.entries(s.attributes).filter(([key]) => key.startsWith('hook.') || key.includes('.header.')));

  it("calls upstream's hooks where upstream calls them, on otelkit's server and fetch spans and upstream's http.request spans", async () => {
    const ours = launch('ours', optionsEnv, 'none');
    const theirs = launch('theirs', upstreamEnv, 'upstream');
    for (const app of [ours, theirs]) {
      await call(app, `/fetch?target=${encodeURIComponent(downstreamUrl + '/f')}`, { 'x-tenant': 'acme' });
      await call(app, `/http?target=${encodeURIComponent(downstreamUrl + '/h')}`);
      await call(app, `/fetch?target=${encodeURIComponent(downstreamUrl + '/skip-f')}`);
      await call(app, `/http?target=${encodeURIComponent(downstreamUrl + '/skip-h')}`);
      expect((await call(app, '/skip-me')).status).toBe(200);
    }
    const pairs: [ReceivedSpan, ReceivedSpan][] = [
      [await serverSpan('ours', '/fetch'), await serverSpan('theirs', '/fetch')],
      [await clientSpan('ours', 'otelkit/undici'), await clientSpan('theirs', '@opentelemetry/instrumentation-undici')],
      [
        await clientSpan('ours', '@opentelemetry/instrumentation-http'),
        await clientSpan('theirs', '@opentelemetry/instrumentation-http'),
      ],
    ];
    for (const [a, b] of pairs) expect(hookAttributes(a)).toEqual(hookAttributes(b));
    expect(hookAttributes(pairs[0][0])).toEqual({
      'hook.request': 'IncomingMessage',
      'hook.response': 'ServerResponse',
      'hook.start_incoming': `/fetch?target=${encodeURIComponent(downstreamUrl + '/f')}`,
      'hook.custom': 'IncomingMessage/ServerResponse',
      'http.request.header.x-tenant': ['acme'],
    });
    expect(hookAttributes(pairs[1][0])).toEqual({
      'hook.request': 'GET',
      'hook.response': 200,
      'hook.start': '/f',
      'http.request.header.x-client': ['c1'],
      'http.response.header.x-down': ['d1'],
    });
    expect(hookAttributes(pairs[2][0])).toMatchObject({
      'hook.request': 'ClientRequest',
      'hook.response': 'IncomingMessage',
      'hook.start_outgoing': '/h',
      'http.response.header.x-down': ['d1'],
    });
    // Ignored by the hooks: the /skip-me request, and the calls to /skip-*, on both sides.
    for (const service of ['ours', 'theirs']) {
      const spans = bed.receiver.spans.filter(of(service));
      expect(spans.filter((s) => String(s.attributes['url.path']).startsWith('/skip'))).toEqual([]);
    }
    // otelkit's own hooks still ran: the request id is on the server span.
    expect(pairs[0][0].attributes.request_id).toEqual(expect.any(String));
  });

  it('masks the query parameters and detects synthetic sources as upstream, when told to', async () => {
    const options = {
      HTTP_OPTIONS_JSON: JSON.stringify({ enableSyntheticSourceDetection: true, redactedQueryParamsServer: ['code'] }),
    };
    const ours = launch('ours', { ...optionsEnv, ...options }, 'none');
    const theirs = launch('theirs', { ...upstreamEnv, ...options }, 'upstream');
    for (const app of [ours, theirs]) await call(app, '/query?code=abc&Signature=kept&keep=1', { 'user-agent': 'Googlebot/2.1' });
    const pick = (s: ReceivedSpan) => [s.attributes['url.query'], s.attributes['user_agent.synthetic.type']];
    const [a, b] = [await serverSpan('ours', '/query'), await serverSpan('theirs', '/query')];
    expect(pick(a)).toEqual(pick(b));
    expect(pick(a)).toEqual(['code=REDACTED&Signature=kept&keep=1', 'bot']);
  });

  it('requires a parent for server and fetch spans as upstream does, and still records the duration', async () => {
    const options = {
      HTTP_OPTIONS_JSON: JSON.stringify({ requireParentforIncomingSpans: true }),
      UNDICI_OPTIONS_JSON: JSON.stringify({ requireParentforSpans: true }),
    };
    const ours = launch('ours', { ...optionsEnv, ...options }, 'none');
    const theirs = launch('theirs', { ...upstreamEnv, ...options }, 'upstream');
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    for (const app of [ours, theirs]) {
      await call(app, `/fetch?target=${encodeURIComponent(downstreamUrl + '/orphan')}`);
      await call(app, `/fetch?target=${encodeURIComponent(downstreamUrl + '/child')}`, { traceparent });
    }
    const count = (service: string) =>
      bed.receiver.metrics
        .filter((m) => m.name === 'http.server.request.duration' && m.resource['service.name'] === service)
        .reduce(
          (latest, m) =>
            Math.max(
              latest,
              m.dataPoints.reduce((sum, p) => sum + (p.count ?? 0), 0),
            ),
          0,
        );
    await bed.receiver.waitFor(() => count('ours') === 2 && count('theirs') === 2, 10_000, 'two duration points each');
    for (const service of ['ours', 'theirs']) {
      const child = await span(service, 3, (s) => s.attributes['url.path'] === '/child', 'client span under the remote parent');
      expect([child.traceId, child.parentSpanId]).toEqual(['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331']);
      const spans = bed.receiver.spans.filter(of(service));
      expect(spans.filter((s) => s.kind === 2 || s.attributes['url.path'] === '/orphan')).toEqual([]);
    }
  });

  it('disables incoming or outgoing http instrumentation as upstream does, fetch still traced', async () => {
    const target = `?target=${encodeURIComponent(downstreamUrl + '/down')}`;
    const noServer = launch(
      'no-server',
      { ...optionsEnv, HTTP_OPTIONS_JSON: JSON.stringify({ disableIncomingRequestInstrumentation: true }) },
      'none',
    );
    const noClient = launch(
      'no-client',
      { ...optionsEnv, HTTP_OPTIONS_JSON: JSON.stringify({ disableOutgoingRequestInstrumentation: true }) },
      'none',
    );
    for (const app of [noServer, noClient]) {
      await call(app, `/http${target}`);
      await call(app, `/fetch${target}`);
    }
    await clientSpan('no-server', '@opentelemetry/instrumentation-http');
    await clientSpan('no-client', 'otelkit/undici');
    await serverSpan('no-client', '/http');
    await clientSpan('no-server', 'otelkit/undici');
    await new Promise((resolve) => setTimeout(resolve, 500)); // one more export: nothing else comes
    expect(bed.receiver.spans.filter((s) => of('no-server')(s) && s.kind === 2)).toEqual([]);
    expect(bed.receiver.spans.filter((s) => of('no-client')(s) && s.scope === '@opentelemetry/instrumentation-http')).toEqual([]);
  });

  it('a hook that throws costs its own work only, and says so once', async () => {
    const app = launch('ours', { ...optionsEnv, HOOKS_THROW: '1' }, 'none');
    for (let i = 0; i < 3; i++) {
      expect(JSON.parse((await call(app, `/fetch?target=${encodeURIComponent(downstreamUrl + '/f')}`)).body)).toMatchObject({
        status: 200,
      });
      expect(JSON.parse((await call(app, `/http?target=${encodeURIComponent(downstreamUrl + '/h')}`)).body)).toMatchObject({
        status: 200,
      });
    }
    await bed.receiver.waitFor(() => bed.receiver.spans.filter((s) => s.kind === 2).length === 6, 10_000, 'six server spans');
    // Each throwing hook said so once, however many requests it threw on.
    const httpHooks = [
      'requestHook',
      'responseHook',
      'startIncomingSpanHook',
      'applyCustomAttributesOnSpan',
      'ignoreIncomingRequestHook',
      'ignoreOutgoingRequestHook',
      'startOutgoingSpanHook',
    ];
    for (const hook of httpHooks) {
      expect(app.stderrLines(new RegExp(`instrumentations\\.http\\.${hook} threw \\(${hook} exploded\\)`))).toHaveLength(1);
    }
    for (const hook of ['requestHook', 'responseHook', 'startSpanHook', 'ignoreRequestHook']) {
      expect(app.stderrLines(new RegExp(`instrumentations\\.undici\\.${hook} threw \\(${hook} exploded\\)`))).toHaveLength(1);
    }
    // A throwing ignore hook ignores nothing.
    expect(bed.receiver.spans.filter((s) => s.scope === 'otelkit/undici')).toHaveLength(3);
  });

  it('warns once about an unknown instrumentation, an unknown option and a value of the wrong type, and starts', async () => {
    const app = launch(
      'ours',
      {
        ...optionsEnv,
        HTTP_OPTIONS_JSON: JSON.stringify({ requestHok: true, requireParentforIncomingSpans: 'yes' }),
        MORE_INSTRUMENTATIONS: JSON.stringify({ htpp: {}, pg: { enhancedDatabaseReporting: true } }),
      },
      'none',
    );
    for (let i = 0; i < 2; i++) expect((await call(app, '/headers')).status).toBe(200);
    // The bad value is dropped: the server span is there.
    await serverSpan('ours', '/headers');
    const warnings = app.stderrLines(/otelkit warn: start\(\) option/);
    expect(warnings).toEqual([
      expect.stringMatching(
        /instrumentations\.http\.requestHok is not an option of upstream's http instrumentation; it is ignored$/,
      ),
      expect.stringMatching(/instrumentations\.http\.requireParentforIncomingSpans is not true or false; it is ignored$/),
      expect.stringMatching(/instrumentations\.htpp is not an instrumentation otelkit knows \(.*\); it is ignored$/),
    ]);
  });

  it('warns once about bad variable values and options given after the register started otelkit', async () => {
    const app = bed.launch('programmatic-start.cjs', {
      preload: 'none',
      env: {
        OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST: 'x-.*',
        OTELKIT_HTTP_IGNORE_PATHS: 'health',
      },
    });
    await app.port();
    expect(app.stderrLines(/OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST="x-\.\*"/)).toHaveLength(1);
    expect(app.stderrLines(/OTELKIT_HTTP_IGNORE_PATHS="health" has entries that are not paths/)).toHaveLength(1);
    const late = bed.launch('calls-start.cjs', { env: {} });
    await late.port();
    expect(late.stderrLines(/start\(\) options \(serviceName\) are ignored: otelkit was already started/)).toHaveLength(1);
  });
});
