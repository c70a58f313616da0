// request_id end to end: accepted or generated, echoed, on the server span, in every log line of the request,
// carried to the next service; user context in logs and spans; no cross-talk between concurrent requests.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { jsonLines, useTestBed } from '../harness/test-bed';
import { type App } from '../harness/app';

const bed = useTestBed();

const launch = (env: Record<string, string> = {}): App => bed.launch('logging-app.cjs', { env });

const linesOf = (app: App): Record<string, unknown>[] => jsonLines(app.stdout);

async function call(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, header: res.headers.get('x-request-id'), body: (await res.json()) as Record<string, unknown> };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('incoming request id', () => {
  it('is echoed when well formed, and lands on the server span and in the log line', async () => {
    const app = launch();
    const res = await call(await app.url('/orders/1'), { 'x-request-id': 'req-123.abc:XYZ_9' });
    expect(res.header).toBe('req-123.abc:XYZ_9');
    expect(res.body.requestId).toBe('req-123.abc:XYZ_9');
    await bed.receiver.waitFor(() => bed.receiver.spans.some((s) => s.kind === 2), 10_000, 'server span');
    const span = bed.receiver.spans.find((s) => s.kind === 2)!;
    expect(span.attributes.request_id).toBe('req-123.abc:XYZ_9');
    const line = linesOf(app).find((l) => l.message === 'order viewed')!;
    expect(line.request_id).toBe('req-123.abc:XYZ_9');
    expect(line.trace_id).toBe(span.traceId);
  });

  it.each([
    ['overlong', 'a'.repeat(129)],
    ['empty', ''],
    ['a space', 'abc def'],
    ['a slash', 'abc/def'],
    ['unicode', 'ábc'],
    ['a quote', 'abc"def'],
  ])('is replaced by a new id when %s', async (_why, value) => {
    const app = launch();
    const res = await call(await app.url('/orders/1'), { 'x-request-id': value });
    expect(res.header).toMatch(UUID);
    expect(res.body.requestId).toBe(res.header);
  });

  it('is replaced when the header is repeated (ambiguous)', async () => {
    const app = launch();
    const { port } = new URL(await app.url('/'));
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('GET /orders/1 HTTP/1.1\r\nHost: x\r\nX-Request-Id: one\r\nX-Request-Id: two\r\nConnection: close\r\n\r\n');
      });
      let data = '';
      socket.on('data', (d: Buffer) => (data += d.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    const echoed = /x-request-id: (.*)\r\n/i.exec(raw)?.[1];
    expect(echoed).toMatch(UUID);
  });

  it('is generated when absent: a UUID, different per request', async () => {
    const app = launch();
    const a = await call(await app.url('/orders/1'));
    const b = await call(await app.url('/orders/2'));
    expect(a.header).toMatch(UUID);
    expect(b.header).toMatch(UUID);
    expect(a.header).not.toBe(b.header);
  });

  it('uses OTELKIT_REQUEST_ID_HEADER when set', async () => {
    const app = launch({ OTELKIT_REQUEST_ID_HEADER: 'X-Correlation-Id' });
    const res = await fetch(await app.url('/orders/1'), { headers: { 'x-correlation-id': 'corr-1' } });
    expect(res.headers.get('x-correlation-id')).toBe('corr-1');
    expect(res.headers.get('x-request-id')).toBeNull();
  });
});

describe('across services', () => {
  it.each(['/call', '/call-http'])(
    '%s: the downstream service logs the same request_id and continues the trace',
    async (route) => {
      const downstream = launch({ OTEL_SERVICE_NAME: 'inventory', LOGGER_NAME: 'inventory' });
      const upstream = launch({ OTEL_SERVICE_NAME: 'orders', DOWNSTREAM_URL: await downstream.url('') });
      const res = await call(await upstream.url(route), { 'x-request-id': 'cross-1' });
      expect(res.body.requestId).toBe('cross-1');
      expect((res.body.downstream as Record<string, unknown>).requestId).toBe('cross-1');
      await downstream.waitForOutput(/"message":"order viewed"/);
      const down = linesOf(downstream).find((l) => l.message === 'order viewed')!;
      const up = linesOf(upstream).find((l) => String(l.message).startsWith('called downstream'))!;
      expect(down.request_id).toBe('cross-1');
      expect(down.trace_id).toBe(up.trace_id);
      await bed.receiver.waitFor(
        () => bed.receiver.spans.filter((s) => s.kind === 2 && s.attributes.request_id === 'cross-1').length === 2,
        10_000,
        'both server spans',
      );
    },
  );
});

describe('request context', () => {
  it('user, organization, session and client IP appear in log lines, the OTLP record and the server span', async () => {
    const app = launch();
    await call(await app.url('/orders/9'));
    const line = linesOf(app).find((l) => l.message === 'order viewed')!;
    expect(line).toMatchObject({
      user_id: '42',
      username: 'ada',
      organization_id: 'org-7',
      session_id: 'sess-9',
      client_ip: '127.0.0.1',
    });
    await bed.receiver.waitFor(
      () => bed.receiver.logs.some((l) => l.body === 'order viewed') && bed.receiver.spans.some((s) => s.kind === 2),
      10_000,
      'log + span',
    );
    const record = bed.receiver.logs.find((l) => l.body === 'order viewed')!;
    expect(record.attributes).toMatchObject({
      request_id: line.request_id,
      user_id: '42',
      organization_id: 'org-7',
      logger_name: 'orders',
    });
    const span = bed.receiver.spans.find((s) => s.kind === 2)!;
    expect(span.attributes).toMatchObject({
      'user.id': '42',
      'user.name': 'ada',
      'organization.id': 'org-7',
      'session.id': 'sess-9',
    });
  });

  it('concurrent requests never see each other’s context (400 requests, 50 at a time, interleaved waits)', async () => {
    const app = launch({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' });
    const base = await app.url('');
    const results: { user: string; requestId: string }[] = [];
    for (let batch = 0; batch < 8; batch++) {
      const calls = Array.from({ length: 50 }, async (_, i) => {
        const user = `u${batch}-${i}`;
        const res = await call(`${base}/users/${user}`);
        results.push({ user, requestId: String(res.body.requestId) });
      });
      await Promise.all(calls);
    }
    await app.waitForOutput(/"expected_user":"u7-49"/);
    const lines = linesOf(app).filter((l) => l.message === 'user request');
    expect(lines).toHaveLength(400);
    for (const line of lines) expect(line.user_id).toBe(line.expected_user);
    const byUser = new Map(results.map((r) => [r.user, r.requestId]));
    for (const line of lines) expect(line.request_id).toBe(byUser.get(String(line.expected_user)));
    // Unsampled requests (half of them here) still get their request id and context.
    expect(new Set(lines.map((l) => l.request_id)).size).toBe(400);
  });
});

describe('errors in handlers', () => {
  it('a thrown error marks the server span ERROR with an exception event', async () => {
    const app = launch();
    const res = await fetch(await app.url('/throw'));
    expect(res.status).toBe(500);
    await bed.receiver.waitFor(() => bed.receiver.spans.some((s) => s.kind === 2), 10_000, 'server span');
    const span = bed.receiver.spans.find((s) => s.kind === 2)!;
    expect(span.status.code).toBe(2);
    const exception = span.events.find((e) => e.name === 'exception');
    expect(exception?.attributes['exception.message']).toBe('handler exploded');
  });
});

describe('in every configuration that traces requests', () => {
  it.each([
    ['OTEL_PROPAGATORS=b3', { OTEL_PROPAGATORS: 'b3' }],
    ['OTEL_PROPAGATORS=none', { OTEL_PROPAGATORS: 'none' }],
    ['OTEL_TRACES_EXPORTER=none', { OTEL_TRACES_EXPORTER: 'none' }],
    ['OTEL_TRACES_SAMPLER=always_off', { OTEL_TRACES_SAMPLER: 'always_off' }],
    ['parentbased_traceidratio 0', { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' }],
    ['OTELKIT_HTTP_SERVER_INSTRUMENTATION=upstream', { OTELKIT_HTTP_SERVER_INSTRUMENTATION: 'upstream' }],
    ['an ignored path (OTELKIT_HTTP_IGNORE_PATHS)', { OTELKIT_HTTP_IGNORE_PATHS: '/call' }],
  ])('%s: the id is read, echoed, logged and sent on; a request without one gets a new one', async (_name, env) => {
    const downstream = launch({ ...env, OTEL_SERVICE_NAME: 'inventory', LOGGER_NAME: 'inventory' });
    const upstream = launch({ ...env, DOWNSTREAM_URL: await downstream.url('') });
    const res = await call(await upstream.url('/call'), { 'x-request-id': 'cfg-1' });
    expect(res.header).toBe('cfg-1');
    expect(res.body.requestId).toBe('cfg-1');
    expect((res.body.downstream as Record<string, unknown>).requestId).toBe('cfg-1');
    await upstream.waitForOutput(/"message":"called downstream"/);
    expect(linesOf(upstream).find((l) => l.message === 'called downstream')?.request_id).toBe('cfg-1');
    const fresh = await call(await upstream.url('/call'));
    expect(fresh.header).toMatch(UUID);
    expect((fresh.body.downstream as Record<string, unknown>).requestId).toBe(fresh.header);
  });
});

describe('with a global propagator the app registered before otelkit started', () => {
  it('incoming requests still get their id: echoed, in the handler and in the log line', async () => {
    const app = bed.launch('own-propagator-first.cjs', { preload: 'none' });
    const res = await call(await app.url('/'), { 'x-request-id': 'own-1' });
    expect(res.header).toBe('own-1');
    expect(res.body.requestId).toBe('own-1');
    await app.waitForOutput(/"message":"handled"/);
    expect(linesOf(app).find((l) => l.message === 'handled')?.request_id).toBe('own-1');
    const fresh = await call(await app.url('/'));
    expect(fresh.header).toMatch(UUID);
    expect(fresh.body.requestId).toBe(fresh.header);
  });
});
