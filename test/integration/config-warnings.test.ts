// Bad configuration never stops the app: one warning per bad variable, naming it, the value (masked) and the
// default used; OTEL_SDK_DISABLED and an unreachable collector leave the app serving.
import { createServer } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { useTestBed } from '../harness/test-bed';
import { fastExportEnv, get } from '../harness/app';

const bed = useTestBed();

const BAD_VALUES: Record<string, { value: string; fallback: string }> = {
  OTEL_BSP_MAX_QUEUE_SIZE: { value: 'lots', fallback: '2048' },
  OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: { value: '0', fallback: '512' },
  OTEL_TRACES_SAMPLER: { value: 'sometimes', fallback: 'parentbased_always_on' },
  OTEL_PROPAGATORS: { value: 'tracecontext,xray-ish', fallback: 'tracecontext' },
  OTEL_LOGS_EXPORTER: { value: 'kafka', fallback: 'otlp' },
  OTEL_EXPORTER_OTLP_TIMEOUT: { value: '10s', fallback: '10000' },
  OTEL_EXPORTER_OTLP_COMPRESSION: { value: 'brotli', fallback: 'none' },
  OTEL_EXPORTER_PROMETHEUS_PORT: { value: '99999', fallback: '9464' },
  OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: { value: 'deltas', fallback: 'cumulative' },
  OTELKIT_REDACT_PATHS: { value: 'user.ssn,a..b', fallback: 'user.ssn' },
  OTEL_SDK_DISABLED: { value: 'yes please', fallback: 'false' },
  OTEL_NODE_ENABLED_INSTRUMENTATIONS: { value: 'http,express,nope', fallback: 'http,express' },
  OTEL_EXPORTER_OTLP_HEADERS: {
    value: 'authorization=Bearer%20abc123secret,broken-entry',
    fallback: 'the well-formed entries only',
  },
};

describe('malformed OTEL_* values', () => {
  it('each gets exactly one warning with the variable, the value and the default; the app serves and exports', async () => {
    const env = Object.fromEntries(Object.entries(BAD_VALUES).map(([k, v]) => [k, v.value]));
    const app = bed.launch('express-app.cjs', { env: { ...fastExportEnv(bed.receiver.url), ...env } });
    expect((await get(await app.url('/hello/1'))).status).toBe(200);
    await bed.receiver.waitFor(() => bed.receiver.spans.some((s) => s.kind === 2), 10_000, 'server span');
    for (const [variable, { fallback }] of Object.entries(BAD_VALUES)) {
      const lines = app.stderrLines(new RegExp(`^otelkit warn: ${variable}=`));
      expect(lines, variable).toHaveLength(1);
      expect(lines[0], variable).toContain(`using ${fallback}`);
    }
    expect(app.stderrLines(/^otelkit warn: OTEL_BSP_MAX_QUEUE_SIZE="lots" is not a whole number/)).toHaveLength(1);
    // The header value is a secret: its name shows, its value does not.
    expect(app.stderrLines(/OTEL_EXPORTER_OTLP_HEADERS="authorization=\*\*\*,\*\*\*"/)).toHaveLength(1);
    expect(app.stderr).not.toContain('abc123secret');
    expect(app.stderrLines(/^otelkit warn:/)).toHaveLength(Object.keys(BAD_VALUES).length);
    // Only the valid instrumentation names were loaded.
    expect(app.stderr).toMatch(/instrumentations=2\(express,http\)/);
  });

  it('OTEL_TRACES_SAMPLER_ARG without a ratio sampler: one warning that it is ignored, and every trace is sampled', async () => {
    const app = bed.launch('express-app.cjs', { env: { ...fastExportEnv(bed.receiver.url), OTEL_TRACES_SAMPLER_ARG: '0.1' } });
    for (let i = 0; i < 20; i++) expect((await get(await app.url(`/hello/${i}`))).status).toBe(200);
    await bed.receiver.waitFor(() => bed.receiver.spans.filter((s) => s.kind === 2).length === 20, 10_000, '20 server spans');
    const lines = app.stderrLines(/^otelkit warn:/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^otelkit warn: OTEL_TRACES_SAMPLER_ARG="0\.1" is ignored: the sampler parentbased_always_on takes no argument/,
    );
    expect(lines[0]).toContain('OTEL_TRACES_SAMPLER=parentbased_traceidratio');
  });

  it('prints no warning at all for a clean configuration', async () => {
    const app = bed.launch('express-app.cjs', { env: fastExportEnv(bed.receiver.url) });
    await app.port();
    expect(app.stderrLines(/^otelkit (warn|error):/)).toEqual([]);
  });
});

describe('OTEL_SDK_DISABLED', () => {
  it('true: one line says so, nothing is exported, the app serves', async () => {
    const app = bed.launch('express-app.cjs', { env: { ...fastExportEnv(bed.receiver.url), OTEL_SDK_DISABLED: 'true' } });
    expect((await get(await app.url('/hello/1'))).status).toBe(200);
    await app.waitForOutput(/"message":"said hello"/);
    await new Promise((r) => setTimeout(r, 1000));
    expect(bed.receiver.requests).toHaveLength(0);
    expect(app.stderrLines(/OTEL_SDK_DISABLED=true/)).toHaveLength(1);
    expect(app.stderrLines(/started/)).toHaveLength(0);
  });
});

describe('collector unreachable', () => {
  it('refused connections: the app keeps serving and export errors are rate-limited', async () => {
    const url = bed.receiver.url;
    await bed.receiver.stop(); // nothing listens on its port any more
    const app = bed.launch('express-app.cjs', { env: { ...fastExportEnv(url), OTEL_METRIC_EXPORT_INTERVAL: '200' } });
    const base = await app.url('');
    for (let i = 0; i < 300; i++) expect((await get(`${base}/hello/${i}`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2500));
    for (let i = 0; i < 50; i++) expect((await get(`${base}/hello/${i}`)).status).toBe(200);
    expect(app.child.exitCode).toBeNull();
    // A metric export fails every 200 ms (more than 20 in this run); at most 10 lines a minute are printed.
    const errors = app.stderrLines(/^otelkit error:/);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.length).toBeLessThanOrEqual(10);
  });
});

describe('a full export queue', () => {
  it('drops are counted in otel.sdk.processor.span.processed{error.type=queue_full}, never silent', async () => {
    // Spans go to a collector that accepts and never answers, through a queue of 5: 40 requests overflow it.
    // Metrics still reach the receiver, carrying the count.
    const blackhole = createServer(() => {});
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    onTestFinished(() => {
      blackhole.closeAllConnections();
      blackhole.close();
    });
    const { port } = blackhole.address() as { port: number };
    const app = bed.launch('express-app.cjs', {
      env: {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${port}/v1/traces`,
        OTEL_BSP_MAX_QUEUE_SIZE: '5',
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '5',
      },
    });
    const base = await app.url('');
    for (let i = 0; i < 40; i++) expect((await get(`${base}/hello/${i}`)).status).toBe(200);
    const droppedPoint = () =>
      bed.receiver.metrics
        .filter((m) => m.name === 'otel.sdk.processor.span.processed')
        .flatMap((m) => m.dataPoints)
        .filter((p) => p.attributes['error.type'] === 'queue_full')
        .at(-1);
    // Cumulative: the latest export counts every drop so far. Each request ends several spans (server, router
    // layers); all but the 5 queued and the 5 in the hung export are dropped.
    await bed.receiver.waitFor(() => (droppedPoint()?.value ?? 0) >= 30, 10_000, 'queue_full count');
    const queueSize = bed.receiver.metrics.filter((m) => m.name === 'otel.sdk.processor.span.queue.size').at(-1);
    expect(queueSize?.dataPoints[0]?.value).toBe(5);
  });
});
