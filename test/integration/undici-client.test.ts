// otelkit's own fetch/undici instrumentation (src/instrumentations/undici-client.ts) against upstream's, call for
// call, through Node's fetch and the undici package: the same client span and metric, the trace and request id
// carried downstream, failures and aborts, and a fault inside the instrumentation kept away from the app's call.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useTestBed } from '../harness/test-bed';
import type { App } from '../harness/app';
import type { ReceivedSpan } from '../harness/otlp-receiver';

const bed = useTestBed();
const UPSTREAM = { OTELKIT_UNDICI_INSTRUMENTATION: 'upstream' };
const OURS = 'otelkit/undici';
const THEIRS = '@opentelemetry/instrumentation-undici';

// The service the fixture calls: answers /status/NNN with that status and tells which headers reached it.
let downstream: Server;
let downstreamUrl: string;
const seen: IncomingHttpHeaders[] = [];
beforeEach(async () => {
  downstream = createServer((req, res) => {
    seen.push(req.headers);
    res.statusCode = Number(/^\/status\/(\d+)/.exec(req.url ?? '')?.[1] ?? 200);
    res.end('downstream');
  });
  await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve));
  downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}`;
});
afterEach(async () => {
  seen.length = 0;
  await new Promise((resolve) => downstream.close(resolve));
});

async function call(app: App, target: string, extra = '', client = '/fetch'): Promise<Record<string, unknown>> {
  const res = await fetch(await app.url(`${client}?target=${encodeURIComponent(target)}${extra}`), {
    headers: { 'x-request-id': 'fetch-parity-1' },
  });
  return (await res.json()) as Record<string, unknown>;
}

async function clientSpan(scope: string, path: string): Promise<ReceivedSpan> {
  const match = (s: ReceivedSpan) => s.kind === 3 && s.scope === scope && s.attributes['url.path'] === path;
  await bed.receiver.waitFor(() => bed.receiver.spans.some(match), 10_000, `${scope} client span for ${path}`);
  return bed.receiver.spans.find(match)!;
}

describe('fetch/undici client instrumentation', () => {
  it('gives the same client span as upstream and carries the trace and request id downstream', async () => {
    const ours = bed.launch('fetch-app.cjs');
    const theirs = bed.launch('fetch-app.cjs', { env: UPSTREAM });
    const target = `${downstreamUrl}/status/503?page=2&token=s3cr3t`;
    for (const app of [ours, theirs]) expect(await call(app, target, '&method=PURGE')).toMatchObject({ status: 503 });
    const [a, b] = [await clientSpan(OURS, '/status/503'), await clientSpan(THEIRS, '/status/503')];
    // Upstream gives url.query with its `?` (even when empty), otelkit as the semantic conventions say. The peer port
    // differs between two calls; nothing else may.
    expect(a.attributes['url.query']).toBe('page=2&token=[REDACTED]');
    expect(b.attributes['url.query']).toBe('?page=2&token=[REDACTED]');
    const comparable = (s: ReceivedSpan) => {
      const { 'network.peer.port': _p, 'url.query': _q, ...rest } = s.attributes;
      return { name: s.name, kind: s.kind, status: s.status, attributes: rest };
    };
    expect(comparable(a)).toEqual(comparable(b));
    expect(a.name).toBe('HTTP');
    expect(a.attributes).toMatchObject({
      'http.request.method': '_OTHER',
      'http.request.method_original': 'PURGE',
      'http.response.status_code': 503,
      'error.type': '503',
      'url.full': `${downstreamUrl}/status/503?page=2&token=[REDACTED]`,
      'url.scheme': 'http',
      'server.address': '127.0.0.1',
      'network.peer.address': '127.0.0.1',
      'network.protocol.version': '1.1',
      'user_agent.original': 'parity-check/1.0',
    });
    expect(a.status.code).toBe(2);
    // The client span is the server span's child, and the downstream service continues it.
    const server = bed.receiver.spans.find((s) => s.kind === 2 && s.traceId === a.traceId)!;
    expect(server).toBeDefined();
    expect(a.parentSpanId).toBe(server.spanId);
    expect(seen[0]!.traceparent).toBe(`00-${a.traceId}-${a.spanId}-01`);
    expect(seen[0]!['x-request-id']).toBe('fetch-parity-1');
  });

  it("traces the undici package's request() as upstream does", async () => {
    const ours = bed.launch('fetch-app.cjs');
    const theirs = bed.launch('fetch-app.cjs', { env: UPSTREAM });
    for (const app of [ours, theirs])
      expect(await call(app, `${downstreamUrl}/status/404`, '&method=DELETE', '/undici')).toMatchObject({ status: 404 });
    const [a, b] = [await clientSpan(OURS, '/status/404'), await clientSpan(THEIRS, '/status/404')];
    const comparable = (s: ReceivedSpan) => {
      // Upstream also gives an empty url.query and http.request.method_original (see above).
      const { 'network.peer.port': _p, 'url.query': _q, 'http.request.method_original': _m, ...rest } = s.attributes;
      return { name: s.name, kind: s.kind, status: s.status, attributes: rest };
    };
    expect(comparable(a)).toEqual(comparable(b));
    expect(a.name).toBe('DELETE');
    expect(a.attributes).toMatchObject({
      'url.full': `${downstreamUrl}/status/404`,
      'server.port': Number(new URL(downstreamUrl).port),
      'http.response.status_code': 404,
      'user_agent.original': 'parity-check/1.0',
    });
    expect(a.attributes).not.toHaveProperty('url.query');
    expect(seen[0]!.traceparent).toBe(`00-${a.traceId}-${a.spanId}-01`);
  });

  it('records the same http.client.request.duration points as upstream', async () => {
    const ours = bed.launch('fetch-app.cjs');
    const theirs = bed.launch('fetch-app.cjs', { env: UPSTREAM });
    for (const app of [ours, theirs]) {
      await call(app, `${downstreamUrl}/status/200`);
      await call(app, `${downstreamUrl}/status/404`, '&method=POST');
    }
    const points = (scope: string) =>
      bed.receiver.metrics
        .filter((m) => m.name === 'http.client.request.duration' && m.scope === scope)
        .flatMap((m) => m.dataPoints.map((p) => ({ unit: m.unit, attributes: p.attributes })));
    const key = (p: { attributes: object }) => JSON.stringify(p.attributes);
    await bed.receiver.waitFor(
      () => new Set(points(OURS).map(key)).size >= 2 && new Set(points(THEIRS).map(key)).size >= 2,
      15_000,
      'duration points from both',
    );
    const port = Number(new URL(downstreamUrl).port);
    const distinct = (scope: string) =>
      [...new Map(points(scope).map((p) => [key(p), p])).values()].sort((x, y) => key(x).localeCompare(key(y)));
    expect(distinct(OURS)).toEqual(distinct(THEIRS));
    expect(distinct(OURS)).toContainEqual({
      unit: 's',
      attributes: {
        'http.request.method': 'POST',
        'server.address': '127.0.0.1',
        'server.port': port,
        'http.response.status_code': 404,
        'error.type': '404',
      },
    });
  });

  it('marks a refused connection as an error and a cancelled call as none, as upstream', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const refused = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/refused`;
    await new Promise((resolve) => closed.close(resolve));
    const ours = bed.launch('fetch-app.cjs');
    const theirs = bed.launch('fetch-app.cjs', { env: UPSTREAM });
    for (const app of [ours, theirs]) {
      expect(await call(app, refused)).toMatchObject({ error: 'TypeError' });
      expect(await call(app, `${downstreamUrl}/aborted`, '&abort')).toMatchObject({ error: 'AbortError' });
    }
    const summary = (s: ReceivedSpan) => ({
      status: s.status.code ?? 0,
      errorType: s.attributes['error.type'],
      exceptions: s.events.filter((e) => e.name === 'exception').length,
    });
    const [failed, failedUpstream] = [await clientSpan(OURS, '/refused'), await clientSpan(THEIRS, '/refused')];
    expect(summary(failed)).toEqual(summary(failedUpstream));
    expect(summary(failed)).toEqual({ status: 2, errorType: 'ECONNREFUSED', exceptions: 1 });
    const [aborted, abortedUpstream] = [await clientSpan(OURS, '/aborted'), await clientSpan(THEIRS, '/aborted')];
    expect(summary(aborted)).toEqual(summary(abortedUpstream));
    expect(summary(aborted)).toEqual({ status: 0, errorType: undefined, exceptions: 0 });
  });

  it('lets the call go ahead when the instrumentation fails, keeps its span, and says so once', async () => {
    const app = bed.launch('fetch-app.cjs', { env: { BREAK_PROPAGATION: '1' } });
    for (let i = 0; i < 3; i++) expect(await call(app, `${downstreamUrl}/status/201`)).toMatchObject({ status: 201 });
    expect(app.child.exitCode).toBeNull();
    expect(app.stderrLines(/fetch\/undici instrumentation failed on a request \(propagator exploded\)/)).toHaveLength(1);
    // Only the headers are lost: each call still has its client span.
    await bed.receiver.waitFor(
      () => bed.receiver.spans.filter((s) => s.kind === 3 && s.scope === OURS).length === 3,
      10_000,
      'three client spans',
    );
  });
});
