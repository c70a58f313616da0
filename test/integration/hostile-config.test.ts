// Hostile configuration: 47 malformed values across the OTEL_* and OTELKIT_* variables, in four apps (a variable
// appears once per app). Each app starts and serves; each bad value gets exactly one warning naming the
// variable and the default used; no secret from any value appears in any output.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestBed } from '../harness/test-bed';
import { get } from '../harness/app';

const bed = useTestBed();
type Case = readonly [variable: string, value: string, fallback: string];

const ENDPOINT_DEFAULT = 'the default endpoint';
const WELL_FORMED_ONLY = 'the well-formed entries only';

const BATCHES: Record<string, readonly Case[]> = {
  numbers: [
    ['OTEL_BSP_SCHEDULE_DELAY', '-1', '5000'],
    ['OTEL_BSP_EXPORT_TIMEOUT', '1e309', '30000'],
    ['OTEL_BSP_MAX_QUEUE_SIZE', '0x10', '2048'],
    ['OTEL_BLRP_SCHEDULE_DELAY', '1.5', '1000'],
    ['OTEL_BLRP_EXPORT_TIMEOUT', 'NaN', '30000'],
    ['OTEL_BLRP_MAX_QUEUE_SIZE', '99999999999', '2048'],
    ['OTEL_METRIC_EXPORT_INTERVAL', '0', '60000'],
    ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', '-100', '10000'],
    ['OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', '-5', '12000'],
    ['OTELKIT_SHUTDOWN_TIMEOUT', '٣', '5000'],
    ['OTEL_EXPORTER_PROMETHEUS_PORT', '9464abc', '9464'],
  ],
  names: [
    ['OTEL_TRACES_EXPORTER', 'jaeger', 'otlp'],
    ['OTEL_METRICS_EXPORTER', 'statsd', 'otlp'],
    ['OTEL_LOGS_EXPORTER', 'ＯＴＬＰ', 'otlp'],
    ['OTEL_TRACES_SAMPLER', 'jaeger_remote', 'parentbased_always_on'],
    ['OTEL_PROPAGATORS', 'xray', 'tracecontext,baggage'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'http', 'http/protobuf'],
    ['OTEL_EXPORTER_OTLP_LOGS_PROTOCOL', 'udp', 'http/protobuf'],
    ['OTEL_EXPORTER_OTLP_COMPRESSION', 'zstd', 'none'],
    ['OTEL_EXPORTER_OTLP_METRICS_COMPRESSION', 'deflate', 'none'],
    ['OTEL_NODE_RESOURCE_DETECTORS', 'k8s', 'host,os,process,serviceinstance,container'],
    ['OTEL_NODE_DISABLED_INSTRUMENTATIONS', 'http2', '(none)'],
    ['OTEL_LOG_LEVEL', 'verbose!', 'the default (otelkit info, upstream errors)'],
  ],
  text: [
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'localhost:4318', ENDPOINT_DEFAULT],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'ftp://ingest:hunter2secret@collector/x', ENDPOINT_DEFAULT],
    ['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'http://[::1', ENDPOINT_DEFAULT],
    ['OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', 'javascript:alert(1)', ENDPOINT_DEFAULT],
    ['OTEL_EXPORTER_OTLP_HEADERS', 'authorization=Bearer%20tok3nsecret,no-equals-sign', WELL_FORMED_ONLY],
    ['OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'x-key=%E0%A4%A', WELL_FORMED_ONLY],
    ['OTEL_EXPORTER_OTLP_METRICS_HEADERS', 'bad header=v4lu3secret', WELL_FORMED_ONLY],
    ['OTEL_EXPORTER_OTLP_LOGS_HEADERS', 'x=a\r\nInjected: yes', WELL_FORMED_ONLY],
    ['OTEL_RESOURCE_ATTRIBUTES', 'team', WELL_FORMED_ONLY],
    ['OTELKIT_REQUEST_ID_HEADER', 'X Request', 'x-request-id'],
    ['OTELKIT_TRUSTED_PROXY_HEADER', 'x-forwarded-for;', '(none)'],
    ['OTEL_SDK_DISABLED', 'yes', 'false'],
  ],
  otelkit: [
    ['OTELKIT_LOG_LEVEL', 'loud', 'info'],
    ['OTELKIT_LOG_FORMAT', 'xml', 'json'],
    ['OTELKIT_LOG_FILE_MAX_SIZE', '10 parsecs', '10485760'],
    ['OTELKIT_LOG_FILE_MAX_FILES', '-3', '10'],
    ['OTELKIT_LOG_MAX_STRING_LENGTH', '5', '16384'],
    ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', '4096', '2048'],
    ['OTEL_METRIC_EXPORT_TIMEOUT', '999999999', '30000'],
    ['OTEL_BLRP_MAX_EXPORT_BATCH_SIZE', 'ten', '512'],
    ['OTEL_EXPORTER_OTLP_LOGS_TIMEOUT', '12.5', '10000'],
    ['OTEL_EXPORTER_OTLP_METRICS_TIMEOUT', '🐢', '10000'],
    ['OTEL_NODE_ENABLED_INSTRUMENTATIONS', '', ''], // empty means unset: no warning, defaults apply
  ],
};

const SECRETS = ['hunter2secret', 'tok3nsecret', 'v4lu3secret'];

describe('hostile configuration', () => {
  it('covers at least 40 malformed values', () => {
    const bad = Object.values(BATCHES)
      .flat()
      .filter(([, value]) => value !== '');
    expect(bad.length).toBeGreaterThanOrEqual(40);
  });

  it.each(Object.entries(BATCHES))('%s: the app serves; one warning per bad value; no secret printed', async (_batch, cases) => {
    const env: Record<string, string> = Object.fromEntries(cases.map(([variable, value]) => [variable, value]));
    if (env.OTELKIT_LOG_FILE_MAX_SIZE) env.OTELKIT_LOG_FILE = join(mkdtempSync(join(tmpdir(), 'otelkit-hostile-')), 'app.log');
    const app = bed.launch('express-app.cjs', { env });
    expect((await get(await app.url('/hello/1'))).status).toBe(200);
    expect((await get(await app.url('/hello/2'))).status).toBe(200);
    await app.waitForOutput(/otelkit info: started/, 'stderr');
    const bad = cases.filter(([, value]) => value !== '');
    for (const [variable, , fallback] of bad) {
      const lines = app.stderrLines(new RegExp(`^otelkit warn: ${variable}=`));
      expect(lines, variable).toHaveLength(1);
      expect(lines[0], variable).toMatch(new RegExp(`; using ${fallback.replace(/[()]/g, '\\$&')}$`));
    }
    expect(app.stderrLines(/^otelkit warn:/)).toHaveLength(bad.length);
    expect(app.stderrLines(/^otelkit error:/)).toEqual([]);
    for (const secret of SECRETS) expect(app.stdout + app.stderr).not.toContain(secret);
    // Escaped, never acted on: no line of output starts with the injected header.
    expect(app.stderr).not.toMatch(/^Injected: yes/m);
  });
});
