// otelkit's own server instrumentation (src/instrumentations/http-server.ts) against upstream's, request for request:
// the same span and metric, the request's context in body listeners that run ticks later, https, and the switch back.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestBed } from '../harness/test-bed';
import type { App } from '../harness/app';
import type { ReceivedSpan } from '../harness/otlp-receiver';

const bed = useTestBed();
const UPSTREAM = { OTELKIT_HTTP_SERVER_INSTRUMENTATION: 'upstream' };

function send(
  url: string,
  { method = 'GET', headers = {}, chunks = [] as string[], gapMillis = 0, tls = false } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = (tls ? httpsRequest : httpRequest)(url, { method, headers, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    const write = (i: number) => {
      if (i === chunks.length) return void req.end();
      req.write(chunks[i]);
      setTimeout(() => write(i + 1), gapMillis);
    };
    write(0);
  });
}

async function serverSpan(app: App, path: string): Promise<ReceivedSpan> {
  const port = await app.port();
  const match = (s: ReceivedSpan) => s.kind === 2 && s.attributes['url.path'] === path && s.attributes['server.port'] === port;
  await bed.receiver.waitFor(() => bed.receiver.spans.some(match), 10_000, `server span for ${path}`);
  return bed.receiver.spans.find(match)!;
}

describe('http server instrumentation', () => {
  it('gives the same server span as upstream, attribute for attribute', async () => {
    const ours = bed.launch('http-server-app.cjs');
    const theirs = bed.launch('http-server-app.cjs', { env: UPSTREAM });
    const headers = { 'user-agent': 'parity-check/1.0', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    for (const app of [ours, theirs]) {
      const res = await send(await app.url('/status/503?page=2&Signature=s3cr3t'), { method: 'PATCH', headers });
      expect(res.status).toBe(503);
    }
    const [a, b] = [await serverSpan(ours, '/status/503'), await serverSpan(theirs, '/status/503')];
    expect(a.scope).toBe('otelkit/http-server');
    expect(b.scope).toBe('@opentelemetry/instrumentation-http');
    // The peer port, the server port and the generated request id differ between two requests; nothing else may.
    const comparable = (s: ReceivedSpan) => {
      const { 'network.peer.port': _p, 'server.port': _s, request_id: _r, ...rest } = s.attributes;
      return { name: s.name, kind: s.kind, status: s.status, traceId: s.traceId, parentSpanId: s.parentSpanId, attributes: rest };
    };
    expect(comparable(a)).toEqual(comparable(b));
    expect(a.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(a.parentSpanId).toBe('b7ad6b7169203331');
    expect(a.attributes).toMatchObject({
      'http.request.method': 'PATCH',
      'http.response.status_code': 503,
      'url.query': 'page=2&Signature=REDACTED',
      'user_agent.original': 'parity-check/1.0',
      'network.protocol.version': '1.1',
      'server.address': '127.0.0.1',
    });
    expect(a.status.code).toBe(2);
  });

  it('records the same http.server.request.duration points as upstream', async () => {
    const ours = bed.launch('http-server-app.cjs');
    const theirs = bed.launch('http-server-app.cjs', { env: UPSTREAM });
    for (const app of [ours, theirs]) {
      await send(await app.url('/status/404'));
      await send(await app.url('/status/500'));
    }
    const points = (scope: string) =>
      bed.receiver.metrics
        .filter((m) => m.name === 'http.server.request.duration' && m.scope === scope)
        .flatMap((m) => m.dataPoints.map((p) => ({ unit: m.unit, attributes: p.attributes, count: p.count })));
    const key = (p: { attributes: object }) => JSON.stringify(p.attributes);
    await bed.receiver.waitFor(
      () =>
        new Set(points('otelkit/http-server').map(key)).size >= 2 &&
        new Set(points('@opentelemetry/instrumentation-http').map(key)).size >= 2,
      15_000,
      'duration points from both',
    );
    const distinct = (scope: string) => [...new Map(points(scope).map((p) => [key(p), { ...p, count: undefined }])).values()];
    const ours_ = distinct('otelkit/http-server');
    expect(ours_).toEqual(distinct('@opentelemetry/instrumentation-http'));
    expect(ours_).toContainEqual({
      unit: 's',
      count: undefined,
      attributes: { 'http.request.method': 'GET', 'http.response.status_code': 500, 'error.type': '500' },
    });
  });

  it('runs body listeners of a slow upload in the request: trace context and request id', async () => {
    const app = bed.launch('http-server-app.cjs');
    const res = await send(await app.url('/echo-body'), {
      method: 'POST',
      headers: { 'x-request-id': 'slow-upload-1' },
      chunks: ['first part,', 'second part'],
      gapMillis: 150,
    });
    const seen = JSON.parse(res.body) as Record<string, { traceId: string | null; requestId: string | null }> & { size: number };
    expect(seen.size).toBe(22);
    const span = await serverSpan(app, '/echo-body');
    for (const where of ['handler', 'data', 'end'] as const)
      expect(seen[where]).toEqual({ traceId: span.traceId, requestId: 'slow-upload-1' });
  });

  it("runs response listeners in the request, and ends the span on the response's close and error, whatever listeners it has", async () => {
    const app = bed.launch('http-server-app.cjs');
    await send(await app.url('/listen-response'), { headers: { 'x-request-id': 'listens-1' } });
    const span = await serverSpan(app, '/listen-response');
    const expected = { traceId: span.traceId, requestId: 'listens-1' };
    // 'close' comes a tick after the answer.
    let seen: Record<string, unknown> = {};
    for (let tries = 0; !('close' in seen) && tries < 50; tries++) {
      if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      seen = JSON.parse((await send(await app.url('/seen?id=listens-1'))).body) as Record<string, unknown>;
    }
    expect(seen).toEqual({ handler: expected, finish: expected, close: expected, closeListeners: 0, errorListeners: 0 });

    // A client that gives up before the answer: the span ends when the response closes.
    const hung = httpRequest(await app.url('/hang'));
    hung.on('error', () => {});
    hung.end();
    setTimeout(() => hung.destroy(), 100);
    const hang = await serverSpan(app, '/hang');
    expect(hang.status.code).not.toBe(2);

    // The app may remove its response's 'close' listeners: the span still ends.
    expect((await send(await app.url('/drop-listeners'))).body).toBe('ok');
    await serverSpan(app, '/drop-listeners');

    const broke = await send(await app.url('/response-error'));
    expect(broke.body).toBe('after error');
    const errored = await serverSpan(app, '/response-error');
    expect(errored.status).toMatchObject({ code: 2, message: 'response broke' });
    expect(errored.attributes['error.type']).toBe('Error');
    expect(errored.events.find((e) => e.name === 'exception')?.attributes['exception.message']).toBe('response broke');
  });

  it('traces https servers with url.scheme https', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otelkit-tls-'));
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const app = bed.launch('http-server-app.cjs', { env: { TLS_KEY: key, TLS_CERT: cert } });
    const res = await send(`https://127.0.0.1:${await app.port()}/tls`, { tls: true });
    expect(res.status).toBe(200);
    const span = await serverSpan(app, '/tls');
    expect(span.attributes['url.scheme']).toBe('https');
    expect(span.scope).toBe('otelkit/http-server');
  });

  it('names methods outside the standard set _OTHER and keeps the original', async () => {
    const app = bed.launch('http-server-app.cjs');
    await send(await app.url('/purge-me'), { method: 'PURGE' });
    const span = await serverSpan(app, '/purge-me');
    expect(span.attributes['http.request.method']).toBe('_OTHER');
    expect(span.attributes['http.request.method_original']).toBe('PURGE');
  });

  it('serves requests when the instrumentation itself fails, and says so once', async () => {
    const app = bed.launch('http-server-app.cjs', { env: { BREAK_PROPAGATION: '1' } });
    for (let i = 0; i < 3; i++) {
      const res = await send(await app.url('/status/201'));
      expect(res).toEqual({ status: 201, body: 'status' });
    }
    expect(app.stderrLines(/http server instrumentation failed on a request \(propagator exploded\)/)).toHaveLength(1);
  });
});
