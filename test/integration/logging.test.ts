// The otelkit logger as apps see it: the standard JSON schema on stdout, the same record over OTLP, error
// forms, redaction, rotation, formats and levels, crashes, and other loggers' correlation.
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, useTestBed } from '../harness/test-bed';
import { type App, get } from '../harness/app';

const bed = useTestBed();

const launch = (fixture: string, env: Record<string, string> = {}): App => bed.launch(fixture, { env });

describe('JSON schema', () => {
  it('every field of the schema on a real line; trace ids equal the span the receiver decoded', async () => {
    const app = launch('logging-app.cjs', { NODE_ENV: 'staging' });
    expect((await get(await app.url('/orders/77'))).status).toBe(200);
    const line = jsonLines(app.stdout).find((l) => l.message === 'order viewed')!;
    expect(Object.keys(line).slice(0, 6)).toEqual([
      'timestamp',
      'level',
      'logger_name',
      'message',
      'service_name',
      'environment',
    ]);
    expect(line.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(line).toMatchObject({
      level: 'INFO',
      logger_name: 'orders',
      service_name: 'fixture-service',
      environment: 'staging',
      event_type: 'order.view',
      object_type: 'order',
      object_id: '77',
      duration_ms: 12.5,
    });
    expect(line.request_id).toMatch(/^[0-9a-f-]{36}$/);
    await bed.receiver.waitFor(
      () => bed.receiver.spans.some((s) => s.kind === 2) && bed.receiver.logs.some((l) => l.body === 'order viewed'),
      10_000,
      'span + log',
    );
    const span = bed.receiver.spans.find((s) => s.kind === 2)!;
    expect(line.trace_id).toBe(span.traceId);
    expect(bed.receiver.spans.filter((s) => s.traceId === span.traceId).map((s) => s.spanId)).toContain(line.span_id);
    const record = bed.receiver.logs.find((l) => l.body === 'order viewed')!;
    expect(record.traceId).toBe(line.trace_id);
    expect(record.spanId).toBe(line.span_id);
    expect(record.severityNumber).toBe(9);
    expect(record.attributes).toMatchObject({
      event_type: 'order.view',
      object_id: '77',
      duration_ms: 12.5,
      request_id: line.request_id,
    });
    // Each record is sent once, although the winston instrumentation also adds a transport to every logger.
    await new Promise((r) => setTimeout(r, 500));
    expect(bed.receiver.logs.filter((l) => l.body === 'order viewed')).toHaveLength(1);
  });

  it('an Error with a cause chain yields exception fields on stdout and exception.* attributes over OTLP', async () => {
    const app = launch('logging-app.cjs');
    await get(await app.url('/fail'));
    const line = jsonLines(app.stdout).find((l) => l.message === 'order failed')!;
    expect(line).toMatchObject({ level: 'ERROR', exception_type: 'Error', exception_message: 'database unavailable' });
    expect(line.stack_trace).toMatch(/^Error: database unavailable\n\s+at /);
    expect(line.stack_trace).toContain('Caused by: Error: connection refused');
    await bed.receiver.waitFor(() => bed.receiver.logs.some((l) => l.body === 'order failed'), 10_000, 'error record');
    const record = bed.receiver.logs.find((l) => l.body === 'order failed')!;
    expect(record.severityNumber).toBe(17);
    expect(record.attributes['exception.type']).toBe('Error');
    expect(record.attributes['exception.message']).toBe('database unavailable');
    expect(String(record.attributes['exception.stacktrace'])).toContain('database unavailable');
  });
});

describe('audit logger', () => {
  it('getAuditLogger() writes the same schema, marked log.stream: audit on stdout and over OTLP, whatever the caller passed', async () => {
    const app = launch('elasticsearch-app.cjs');
    const base = await app.url('');
    expect((await fetch(`${base}/orders/5`, { method: 'DELETE' })).status).toBe(204);
    await bed.receiver.waitFor(() => bed.receiver.logs.some((l) => l.body === 'order deleted'), 10_000, 'the audit record');
    const line = jsonLines(app.stdout).find((l) => l.message === 'order deleted')!;
    expect(line).toMatchObject({
      level: 'INFO',
      logger_name: 'audit',
      event_type: 'order.delete',
      object_id: '5',
      user_id: '42',
    });
    expect(line['log.stream']).toBe('audit');
    expect(line.request_id).toBe(jsonLines(app.stdout).find((l) => l.message === 'order removed from cache')!.request_id);
    const record = bed.receiver.logs.find((l) => l.body === 'order deleted')!;
    expect(record.attributes['log.stream']).toBe('audit');
    expect(record.traceId).toBe(line.trace_id);
    // The application logger's record of the same request carries no marker.
    const appLine = jsonLines(app.stdout).find((l) => l.message === 'order removed from cache')!;
    expect(appLine).not.toHaveProperty(['log.stream']);
  });
});

describe('redaction', () => {
  it('masks sensitive keys and card numbers in log lines, OTLP records and span attributes', async () => {
    const app = launch('logging-app.cjs');
    await get(await app.url('/secret?token=query-secret-789&page=2'));
    const line = jsonLines(app.stdout).find((l) => l.message === 'login attempt')!;
    expect(line.user).toEqual({ name: 'ada', password: '[REDACTED]' });
    expect(line.card).toBe('[REDACTED CARD ****1111]');
    await bed.receiver.waitFor(
      () => bed.receiver.spans.some((s) => s.kind === 2) && bed.receiver.logs.some((l) => l.body === 'login attempt'),
      10_000,
      'span + log',
    );
    const server = bed.receiver.spans.find((s) => s.kind === 2)!;
    expect(String(server.attributes['url.query'])).toBe('token=[REDACTED]&page=2');
    const bigintSafe = (_k: string, v: unknown) => (typeof v === 'bigint' ? String(v) : v);
    const everything =
      JSON.stringify({ spans: bed.receiver.spans, logs: bed.receiver.logs }, bigintSafe) + app.stdout + app.stderr;
    for (const secret of ['span-secret-123', 'log-secret-456', 'query-secret-789', '4111-1111-1111-1111'])
      expect(everything).not.toContain(secret);
  });
});

describe('redaction keeps what is not a secret', () => {
  it('token counts, ids and flags arrive as sent, with their types; a PIN, a named key and a named path do not', async () => {
    const app = launch('logging-app.cjs', { OTELKIT_REDACT_KEYS: 'taxId', OTELKIT_REDACT_PATHS: 'user.ssn,app.user.ssn' });
    expect((await get(await app.url('/usage'))).status).toBe(200);
    const line = jsonLines(app.stdout).find((l) => l.message === 'usage')!;
    expect(line).toMatchObject({
      'gen_ai.usage.input_tokens': 42,
      secretary: 'Ada',
      tokens_used: 7,
      passwordless: true,
      token_count: 3,
      order_id: '1234567890123456789',
      pin: '[REDACTED]',
      tax_id: '[REDACTED]',
      user: { name: 'ada', ssn: '[REDACTED]' },
    });
    await bed.receiver.waitFor(
      () => bed.receiver.logs.some((l) => l.body === 'usage') && bed.receiver.spans.some((s) => s.kind === 2),
      10_000,
      'the usage record and server span',
    );
    const record = bed.receiver.logs.find((l) => l.body === 'usage')!;
    // Integers may decode as bigint: compare values, and require a number type.
    const numeric = (value: unknown) => (typeof value === 'number' || typeof value === 'bigint' ? Number(value) : value);
    expect(numeric(record.attributes['gen_ai.usage.input_tokens'])).toBe(42);
    expect(numeric(record.attributes.tokens_used)).toBe(7);
    expect(record.attributes).toMatchObject({
      secretary: 'Ada',
      passwordless: true,
      order_id: '1234567890123456789',
      pin: '[REDACTED]',
      tax_id: '[REDACTED]',
    });
    expect(record.attributes.user).toEqual({ name: 'ada', ssn: '[REDACTED]' });
    const server = bed.receiver.spans.find((s) => s.kind === 2)!;
    expect(numeric(server.attributes['gen_ai.usage.input_tokens'])).toBe(42);
    expect(server.attributes).toMatchObject({
      'app.secretary': 'Ada',
      'app.order_id': '1234567890123456789',
      'app.pin': '[REDACTED]',
      'app.user.ssn': '[REDACTED]',
    });
    expect(app.stderrLines(/^otelkit warn:/)).toEqual([]);
  });
});

describe('outputs', () => {
  it('OTELKIT_LOG_FILE rotates by size and caps the file count; errors go to OTELKIT_LOG_ERRORS_FILE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otelkit-logs-'));
    const app = launch('logging-app.cjs', {
      OTELKIT_LOG_FILE: join(dir, 'app.log'),
      OTELKIT_LOG_FILE_MAX_SIZE: '4kb',
      OTELKIT_LOG_FILE_MAX_FILES: '3',
      OTELKIT_LOG_ERRORS_FILE: join(dir, 'errors.log'),
    });
    for (let i = 0; i < 5; i++) await get(await app.url('/spam/40'));
    await get(await app.url('/fail'));
    // File writes and renames are asynchronous: wait until the errors file holds its line and the rotated set has
    // stopped changing (app.log present, same names and sizes over two polls).
    const errorsFile = join(dir, 'errors.log');
    const snapshot = (): string => {
      try {
        return readdirSync(dir)
          .sort()
          .map((f) => `${f}:${statSync(join(dir, f)).size}`)
          .join(',');
      } catch {
        return 'renaming'; // a file vanished between the listing and its stat: not settled yet
      }
    };
    let previous = '';
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 150));
      const current = snapshot();
      const settled =
        current === previous &&
        current.includes('app.log:') &&
        existsSync(errorsFile) &&
        readFileSync(errorsFile, 'utf8').includes('\n');
      if (settled) break;
      previous = current;
    }
    const files = readdirSync(dir).filter((f) => f.startsWith('app'));
    expect(files.sort()).toEqual(['app.log', 'app1.log', 'app2.log']);
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(text.length).toBeLessThanOrEqual(4096 + 600);
      for (const l of text.trim().split('\n')) expect(() => JSON.parse(l)).not.toThrow();
    }
    const errors = jsonLines(readFileSync(errorsFile, 'utf8'));
    expect(errors.map((l) => l.message)).toEqual(['order failed']);
  });

  it('OTELKIT_LOG_FORMAT=pretty prints readable lines; OTELKIT_LOG_LEVEL filters', async () => {
    const app = launch('logging-app.cjs', { OTELKIT_LOG_FORMAT: 'pretty', OTELKIT_LOG_LEVEL: 'warning' });
    await get(await app.url('/orders/1'));
    await get(await app.url('/fail'));
    await app.waitForOutput(/ERROR\s+orders: order failed/);
    expect(app.stdout).not.toContain('order viewed');
    expect(app.stdout).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} ERROR\s+orders: order failed .*request_id=[0-9a-f-]{36}/m);
    expect(app.stdout).toContain('Caused by: Error: connection refused');
  });
});

describe('crashes', () => {
  it.each([
    ['throw', 'CRITICAL', 'Uncaught exception', 'thrown on purpose'],
    ['reject', 'ERROR', 'Unhandled promise rejection', 'rejected on purpose'],
  ])('CRASH=%s: a %s record and the spans reach the collector, then Node’s own exit', async (crash, level, message, reason) => {
    const bare = bed.launch('crash.cjs', { preload: 'none', env: { CRASH: crash } });
    await get(await bare.url('/'));
    const bareExit = await bare.exited;

    const app = launch('crash.cjs', { CRASH: crash });
    await get(await app.url('/'));
    const exit = await app.exited;
    expect(exit).toEqual(bareExit);
    expect(exit.code).toBe(1);
    expect(app.stderr).toContain(`Error: ${reason}`);
    const line = jsonLines(app.stdout).find((l) => l.message === message)!;
    expect(line).toMatchObject({ level, logger_name: 'otelkit', exception_message: reason });
    expect(bed.receiver.logs.some((l) => l.body === message)).toBe(true);
    expect(bed.receiver.spans.some((s) => s.kind === 2)).toBe(true);
  });

  it('an exception a capture callback takes (a domain, restify) is not logged as uncaught, and the app goes on', async () => {
    const app = launch('crash.cjs', { CRASH: 'captured' });
    await get(await app.url('/'));
    await app.waitForOutput(/\{"captured":"thrown on purpose"\}/);
    expect((await get(await app.url('/'))).status).toBe(200);
    expect(app.stdout).not.toContain('Uncaught exception');
  });
});

describe('other loggers', () => {
  it('an app’s own pino logger gets trace_id, span_id and request_id', async () => {
    const app = launch('pino-app.cjs');
    await fetch(await app.url('/hello'), { headers: { 'x-request-id': 'pino-req-1' } });
    const match = await app.waitForOutput(/\{[^\n]*"pino says hello"[^\n]*\}/);
    const line = JSON.parse(match[0]) as Record<string, unknown>;
    expect(line.request_id).toBe('pino-req-1');
    expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(line.span_id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('an app’s own winston logger is correlated, and sends its records over OTLP only when logs are exported', async () => {
    const app = launch('winston-app.cjs');
    await fetch(await app.url('/hello'), { headers: { 'x-request-id': 'winston-req-1' } });
    const line = JSON.parse((await app.waitForOutput(/\{[^\n]*"winston says hello"[^\n]*\}/))[0]) as Record<string, unknown>;
    expect(line.request_id).toBe('winston-req-1');
    expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse((await get(await app.url('/transports'))).body)).toEqual(['Console', 'OpenTelemetryTransportV3']);
    await bed.receiver.waitFor(() => bed.receiver.logs.some((l) => l.body === 'winston says hello'), 10_000, 'the log');

    const quiet = launch('winston-app.cjs', { OTEL_LOGS_EXPORTER: 'none' });
    await fetch(await quiet.url('/hello'), { headers: { 'x-request-id': 'winston-req-2' } });
    const quietLine = JSON.parse(
      (await quiet.waitForOutput(/\{[^\n]*"winston says hello"[^\n]*"winston-req-2"[^\n]*\}/))[0],
    ) as Record<string, unknown>;
    expect(quietLine.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse((await get(await quiet.url('/transports'))).body)).toEqual(['Console']);
  });
});
