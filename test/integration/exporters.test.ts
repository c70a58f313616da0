// Every value of OTEL_TRACES_EXPORTER, OTEL_METRICS_EXPORTER and OTEL_LOGS_EXPORTER, the OTLP protocols,
// headers and compression, checked on what the receiver decoded and what the app printed.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { OtlpReceiver } from '../harness/otlp-receiver';
import { useTestBed } from '../harness/test-bed';
import { type App, fastExportEnv, get } from '../harness/app';

const bed = useTestBed();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function runWith(env: Record<string, string>): Promise<App> {
  const app = bed.launch('express-app.cjs', { env: { ...fastExportEnv(bed.receiver.url), ...env } });
  expect((await get(await app.url('/hello/1'))).status).toBe(200);
  return app;
}

const settle = (ms = 800) => new Promise((r) => setTimeout(r, ms));
const hasServerSpan = () => bed.receiver.spans.some((s) => s.kind === 2);
const hasDurationMetric = () => bed.receiver.metrics.some((m) => m.name === 'http.server.request.duration');
const hasLog = () => bed.receiver.logs.some((l) => l.body === 'said hello');

describe('OTEL_TRACES_EXPORTER', () => {
  it('otlp (default): spans as OTLP/HTTP protobuf', async () => {
    await runWith({});
    await bed.receiver.waitFor(hasServerSpan, 10_000, 'server span');
    expect(bed.receiver.requests.find((r) => r.signal === 'traces')?.contentType).toBe('application/x-protobuf');
  });

  it('console: spans printed on stdout, none sent', async () => {
    const run = await runWith({ OTEL_TRACES_EXPORTER: 'console' });
    await run.waitForOutput(/name: 'GET \/hello\/:id'/);
    await bed.receiver.waitFor(hasLog, 10_000, 'log record');
    expect(bed.receiver.spans).toHaveLength(0);
  });

  it('none: no spans, but logs still carry the trace id (the provider still runs)', async () => {
    await runWith({ OTEL_TRACES_EXPORTER: 'none' });
    await bed.receiver.waitFor(hasLog, 10_000, 'log record');
    await settle();
    expect(bed.receiver.spans).toHaveLength(0);
    expect(bed.receiver.logs.find((l) => l.body === 'said hello')?.traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('OTEL_METRICS_EXPORTER', () => {
  it('otlp (default): HTTP server duration pushed', async () => {
    await runWith({});
    await bed.receiver.waitFor(hasDurationMetric, 10_000, 'http.server.request.duration');
    const metric = bed.receiver.metrics.find((m) => m.name === 'http.server.request.duration')!;
    expect(metric.unit).toBe('s');
    expect(metric.dataPoints[0]?.count).toBeGreaterThanOrEqual(1);
  });

  it('prometheus: /metrics served on OTEL_EXPORTER_PROMETHEUS_PORT, nothing pushed', async () => {
    const port = await freePort();
    await runWith({
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    });
    const scrape = await get(`http://127.0.0.1:${port}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.body).toMatch(/^http_server_request_duration_count\{.*http_route="\/hello\/:id".*\} 1$/m);
    await bed.receiver.waitFor(hasServerSpan, 10_000, 'server span');
    await settle();
    expect(bed.receiver.metrics).toHaveLength(0);
    // Scrapes are not the application's traffic: no span for /metrics.
    expect(bed.receiver.spans.some((s) => s.attributes['url.path'] === '/metrics')).toBe(false);
  });

  it('otlp,prometheus: both at once', async () => {
    const port = await freePort();
    await runWith({
      OTEL_METRICS_EXPORTER: 'otlp,prometheus',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    });
    expect((await get(`http://127.0.0.1:${port}/metrics`)).body).toContain('http_server_request_duration_count');
    await bed.receiver.waitFor(hasDurationMetric, 10_000, 'pushed metric');
  });

  it('console: metrics printed on stdout', async () => {
    const run = await runWith({ OTEL_METRICS_EXPORTER: 'console' });
    await run.waitForOutput(/name: 'http\.server\.request\.duration'/);
    expect(bed.receiver.metrics).toHaveLength(0);
  });

  it('none: no metrics', async () => {
    await runWith({ OTEL_METRICS_EXPORTER: 'none' });
    await bed.receiver.waitFor(hasServerSpan, 10_000, 'server span');
    await settle(1200);
    expect(bed.receiver.metrics).toHaveLength(0);
  });
});

describe('OTEL_LOGS_EXPORTER', () => {
  it('otlp (default): the winston record arrives with the trace and span id of the request span', async () => {
    await runWith({});
    await bed.receiver.waitFor(() => hasLog() && hasServerSpan(), 10_000, 'log and span');
    const record = bed.receiver.logs.find((l) => l.body === 'said hello')!;
    const spanIds = bed.receiver.spans.filter((s) => s.traceId === record.traceId).map((s) => s.spanId);
    expect(spanIds).toContain(record.spanId);
    expect(record.severityText).toBe('info');
    expect(record.attributes.object_id).toBe('1');
    expect(record.resource['service.name']).toBe('fixture-service');
  });

  it('console: log records printed on stdout, none sent', async () => {
    const run = await runWith({ OTEL_LOGS_EXPORTER: 'console' });
    await run.waitForOutput(/body: 'said hello'/);
    await bed.receiver.waitFor(hasServerSpan, 10_000, 'server span');
    expect(bed.receiver.logs).toHaveLength(0);
  });

  it('none: no log records sent, the JSON line is still printed', async () => {
    const run = await runWith({ OTEL_LOGS_EXPORTER: 'none' });
    await run.waitForOutput(/"message":"said hello"/);
    await bed.receiver.waitFor(hasServerSpan, 10_000, 'server span');
    await settle();
    expect(bed.receiver.logs).toHaveLength(0);
  });
});

describe('OTLP protocol, headers, compression', () => {
  it('http/json sends JSON to all three signals', async () => {
    await runWith({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    await bed.receiver.waitFor(() => hasServerSpan() && hasLog() && hasDurationMetric(), 10_000, 'all signals');
    expect(new Set(bed.receiver.requests.map((r) => r.contentType))).toEqual(new Set(['application/json']));
  });

  it('per-signal protocol wins over the general one', async () => {
    await runWith({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' });
    await bed.receiver.waitFor(() => hasServerSpan() && hasLog(), 10_000, 'spans and logs');
    expect(bed.receiver.requests.find((r) => r.signal === 'traces')?.contentType).toBe('application/x-protobuf');
    expect(bed.receiver.requests.find((r) => r.signal === 'logs')?.contentType).toBe('application/json');
  });

  it('headers reach the receiver; their values never appear in otelkit output', async () => {
    const run = await runWith({
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s3cr3t-value,x-tenant=acme',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-trace-only=t0ken-value',
    });
    await bed.receiver.waitFor(() => hasServerSpan() && hasLog(), 10_000, 'spans and logs');
    const traces = bed.receiver.requests.find((r) => r.signal === 'traces')!;
    expect(traces.headers['x-api-key']).toBe('s3cr3t-value');
    expect(traces.headers['x-trace-only']).toBe('t0ken-value');
    expect(bed.receiver.requests.find((r) => r.signal === 'logs')!.headers['x-trace-only']).toBeUndefined();
    expect(run.stderr).toContain('x-api-key=***');
    expect(run.stderr + run.stdout).not.toMatch(/s3cr3t-value|t0ken-value/);
  });

  it('basic-auth credentials in the endpoint become an Authorization header and are masked in output', async () => {
    const url = new URL(bed.receiver.url);
    url.username = 'ingest';
    url.password = 'hunter2pass';
    const run = await runWith({ OTEL_EXPORTER_OTLP_ENDPOINT: url.href });
    await bed.receiver.waitFor(hasServerSpan, 10_000, 'server span');
    const auth = bed.receiver.requests.find((r) => r.signal === 'traces')!.headers.authorization;
    expect(auth).toBe(`Basic ${Buffer.from('ingest:hunter2pass').toString('base64')}`);
    expect(run.stderr + run.stdout).not.toContain('hunter2pass');
  });

  it('gzip compression', async () => {
    await runWith({ OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' });
    await bed.receiver.waitFor(hasServerSpan, 10_000, 'server span');
    expect(bed.receiver.requests.find((r) => r.signal === 'traces')?.encoding).toBe('gzip');
  });

  it('per-signal endpoint is used as-is', async () => {
    const other = new OtlpReceiver();
    await other.start();
    try {
      await runWith({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${other.url}/v1/traces` });
      await other.waitFor(() => other.spans.some((s) => s.kind === 2), 10_000, 'span at the traces endpoint');
      await bed.receiver.waitFor(hasLog, 10_000, 'log at the general endpoint');
      expect(bed.receiver.spans).toHaveLength(0);
    } finally {
      await other.stop();
    }
  });
});
