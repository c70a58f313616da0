// Hostile requests: malformed and oversized request ids, huge URLs and header counts, credentials in headers,
// oversized attribute values. The app keeps answering and the telemetry stays bounded and valid.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useTestBed, jsonLines } from '../harness/test-bed';
import type { App } from '../harness/app';

const bed = useTestBed();

/** Sends raw bytes (what fetch refuses to send) and returns the raw response. */
async function raw(app: App, request: string): Promise<string> {
  const { port } = new URL(await app.url('/'));
  return new Promise((resolve, reject) => {
    // Write without half-closing: `Connection: close` makes the server close after its answer.
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
  });
}

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
const requestIdOf = (response: string) => /\r\nx-request-id: ([^\r]*)\r\n/i.exec(response)?.[1];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('hostile requests', () => {
  it('request ids with CR/LF, 10 kB, non-ASCII bytes: refused by Node or replaced by a new id; the app keeps serving', async () => {
    const app = bed.launch('logging-app.cjs');
    // CR inside a header value: Node's parser answers 400 itself; nothing reaches the app.
    expect(statusOf(await raw(app, 'GET /orders/1 HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\rb\r\nConnection: close\r\n\r\n'))).toBe(
      400,
    );
    const long = await raw(
      app,
      `GET /orders/1 HTTP/1.1\r\nHost: x\r\nX-Request-Id: ${'r'.repeat(10_000)}\r\nConnection: close\r\n\r\n`,
    );
    expect(statusOf(long)).toBe(200);
    expect(requestIdOf(long)).toMatch(UUID);
    const unicode = await raw(
      app,
      'GET /orders/1 HTTP/1.1\r\nHost: x\r\nX-Request-Id: \xe2\x98\x83-snow\r\nConnection: close\r\n\r\n',
    );
    expect(statusOf(unicode)).toBe(200);
    expect(requestIdOf(unicode)).toMatch(UUID);
    expect((await fetch(await app.url('/orders/2'))).status).toBe(200);
    // The 10 kB value never reached a log line.
    expect(jsonLines(app.stdout).every((l) => String(l.request_id).length <= 128)).toBe(true);
  });

  it('a 64 kB URL and 3000 headers get Node’s own 431; normal requests still work', async () => {
    const app = bed.launch('logging-app.cjs');
    expect(statusOf(await raw(app, `GET /orders/${'u'.repeat(64_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`))).toBe(
      431,
    );
    const headers = Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`).join('\r\n');
    expect(statusOf(await raw(app, `GET /orders/1 HTTP/1.1\r\nHost: x\r\n${headers}\r\nConnection: close\r\n\r\n`))).toBe(431);
    expect((await fetch(await app.url('/orders/3'))).status).toBe(200);
    expect(app.child.exitCode).toBeNull();
  });

  it('Authorization and Cookie values never reach logs or telemetry; a long URL path is bounded on the span', async () => {
    const app = bed.launch('logging-app.cjs');
    const path = `/orders/${'z'.repeat(13_000)}`;
    const res = await fetch(await app.url(path), {
      headers: { authorization: 'Bearer sup3rsecrettoken', cookie: 'sid=c00kiesecret' },
    });
    expect(res.status).toBe(200);
    await bed.receiver.waitFor(
      () => bed.receiver.spans.some((s) => s.kind === 2) && bed.receiver.logs.length > 0,
      10_000,
      'span + log',
    );
    const seen = JSON.stringify({ spans: bed.receiver.spans, logs: bed.receiver.logs }, (_k, v: unknown) =>
      typeof v === 'bigint' ? String(v) : v,
    );
    for (const secret of ['sup3rsecrettoken', 'c00kiesecret']) expect(seen + app.stdout + app.stderr).not.toContain(secret);
    const server = bed.receiver.spans.find((s) => s.kind === 2)!;
    for (const value of Object.values(server.attributes))
      if (typeof value === 'string') expect(value.length).toBeLessThanOrEqual(12_000);
  });

  it('attribute values over OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT are cut, on spans and log records', async () => {
    const app = bed.launch('echo-attribute.cjs', { env: { OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '1000' } });
    expect((await fetch(await app.url('/'))).status).toBe(200);
    await bed.receiver.waitFor(
      () => bed.receiver.spans.some((s) => s.kind === 2) && bed.receiver.logs.length > 0,
      10_000,
      'span + log',
    );
    const server = bed.receiver.spans.find((s) => s.kind === 2)!;
    expect(String(server.attributes['app.payload'])).toHaveLength(1000);
    const record = bed.receiver.logs.find((l) => l.body === 'big payload')!;
    expect(String(record.attributes.payload).length).toBeLessThanOrEqual(1000);
    // The stdout line is bounded by OTELKIT_LOG_MAX_STRING_LENGTH (16384 by default) with a marker.
    const line = jsonLines(app.stdout).find((l) => l.message === 'big payload')!;
    expect(String(line.payload)).toMatch(/…\[truncated 33616 chars\]$/);
  });
});
