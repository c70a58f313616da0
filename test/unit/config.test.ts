// resolveConfig: defaults, precedence, endpoint rules and masking, checked on the resolved object.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resolveConfig } from '../../src/config/resolve';
import { snapshotEnv, OTEL_ENV_VARS, OTELKIT_ENV_VARS, SENTRY_ENV_VARS } from '../../src/config/env';

const resolve = (env: Record<string, string>, options = {}) =>
  resolveConfig(snapshotEnv(env), options, { name: 'my-app', version: '1.2.3' });

describe('resolveConfig defaults', () => {
  const { config, warnings } = resolve({});

  it('follows the OTel specification defaults', () => {
    expect(warnings).toEqual([]);
    expect(config.disabled).toBe(false);
    expect(config.traces.exporters).toEqual(['otlp']);
    expect(config.metrics.exporters).toEqual(['otlp']);
    expect(config.logs.exporters).toEqual(['otlp']);
    expect(config.traces.otlp.protocol).toBe('http/protobuf');
    expect(config.traces.otlp.url.href).toBe('http://localhost:4318/v1/traces');
    expect(config.metrics.otlp.url.href).toBe('http://localhost:4318/v1/metrics');
    expect(config.logs.otlp.url.href).toBe('http://localhost:4318/v1/logs');
    expect(config.traces.otlp.timeoutMillis).toBe(10000);
    expect(config.traces.sampler).toBe('parentbased_always_on');
    expect(config.propagators).toEqual(['tracecontext', 'baggage']);
    expect(config.traces.batch).toEqual({
      scheduledDelayMillis: 5000,
      exportTimeoutMillis: 30000,
      maxQueueSize: 2048,
      maxExportBatchSize: 512,
    });
    expect(config.logs.batch.scheduledDelayMillis).toBe(1000);
    expect(config.metrics.exportIntervalMillis).toBe(60000);
    expect(config.metrics.prometheus).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(config.shutdownTimeoutMillis).toBe(5000);
  });

  it('names the service after the app package and leaves cloud detectors and fs instrumentation off', () => {
    expect(config.service).toEqual({ name: 'my-app', version: '1.2.3', environment: undefined });
    expect(config.resourceDetectors).not.toContain('aws');
    expect(config.instrumentations).toContain('http');
    expect(config.instrumentations).not.toContain('fs');
  });

  it('is frozen', () => {
    expect(Object.isFrozen(config.traces.batch)).toBe(true);
  });
});

describe('resolveConfig precedence and rules', () => {
  it('options in code > OTEL_SERVICE_NAME > resource attribute > package.json', () => {
    expect(resolve({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs' }).config.service.name).toBe('from-attrs');
    expect(resolve({ OTEL_SERVICE_NAME: 'from-env', OTEL_RESOURCE_ATTRIBUTES: 'service.name=x' }).config.service.name).toBe(
      'from-env',
    );
    expect(resolve({ OTEL_SERVICE_NAME: 'from-env' }, { serviceName: 'from-code' }).config.service.name).toBe('from-code');
  });

  it('environment: resource attribute, then NODE_ENV', () => {
    expect(resolve({ NODE_ENV: 'production' }).config.service.environment).toBe('production');
    expect(
      resolve({ NODE_ENV: 'production', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=staging' }).config.service
        .environment,
    ).toBe('staging');
  });

  it('general endpoint is a base with the signal path appended; per-signal endpoints are used as-is', () => {
    const { config } = resolve({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example:4318/otlp/',
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'https://logs.example/custom/path',
    });
    expect(config.traces.otlp.url.href).toBe('https://collector.example:4318/otlp/v1/traces');
    expect(config.logs.otlp.url.href).toBe('https://logs.example/custom/path');
  });

  it('grpc uses the endpoint without a signal path and defaults to port 4317', () => {
    expect(resolve({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).config.traces.otlp.url.href).toBe('http://localhost:4317/');
  });

  it('per-signal headers add to and override the general ones; values are percent-decoded', () => {
    const { config } = resolve({
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-a=1',
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-a=2',
    });
    expect(config.traces.otlp.headers).toEqual({ authorization: 'Bearer abc', 'x-a': '1' });
    expect(config.metrics.otlp.headers).toEqual({ authorization: 'Bearer abc', 'x-a': '2' });
  });

  it('sampler ratio is read only for ratio samplers', () => {
    expect(
      resolve({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).config.traces.samplerRatio,
    ).toBe(0.25);
    const other = resolve({ OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: 'junk' });
    expect(other.warnings).toEqual([]);
  });

  it('"none" switches a signal off; lists dedupe', () => {
    expect(resolve({ OTEL_TRACES_EXPORTER: 'none' }).config.traces.exporters).toEqual([]);
    expect(resolve({ OTEL_METRICS_EXPORTER: 'otlp, prometheus,otlp' }).config.metrics.exporters).toEqual(['otlp', 'prometheus']);
    expect(resolve({ OTEL_PROPAGATORS: 'none' }).config.propagators).toEqual([]);
  });

  it('instrumentations: enabled list, minus the disabled list', () => {
    const { config } = resolve({
      OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'pg,http,express',
      OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pg',
    });
    expect(config.instrumentations).toEqual(['express', 'http']);
    expect(resolve({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'dns,net' }).config.instrumentations).not.toContain('dns');
  });

  it("otelkit's own server and fetch instrumentations unless upstream is asked for; other values warn", () => {
    const { config } = resolve({});
    expect(config.httpServerInstrumentation).toBe('otelkit');
    expect(config.undiciInstrumentation).toBe('otelkit');
    const upstream = resolve({ OTELKIT_HTTP_SERVER_INSTRUMENTATION: 'Upstream', OTELKIT_UNDICI_INSTRUMENTATION: ' upstream ' });
    expect([upstream.config.httpServerInstrumentation, upstream.config.undiciInstrumentation]).toEqual(['upstream', 'upstream']);
    const bad = resolve({ OTELKIT_UNDICI_INSTRUMENTATION: 'both' });
    expect(bad.config.undiciInstrumentation).toBe('otelkit');
    expect(bad.warnings.map((w) => w.variable)).toEqual(['OTELKIT_UNDICI_INSTRUMENTATION']);
  });

  it('batch size above queue size is clamped with a warning', () => {
    const { config, warnings } = resolve({ OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '500' });
    expect(config.traces.batch.maxExportBatchSize).toBe(100);
    expect(warnings.map((w) => w.variable)).toEqual(['OTEL_BSP_MAX_EXPORT_BATCH_SIZE']);
  });

  it('metric export timeout never exceeds the interval (the SDK would throw)', () => {
    const { config, warnings } = resolve({ OTEL_METRIC_EXPORT_INTERVAL: '1000' });
    expect(config.metrics.exportTimeoutMillis).toBe(1000);
    expect(warnings).toEqual([]);
  });
});

describe('warnings', () => {
  it.each([
    ['OTEL_SDK_DISABLED', 'maybe', 'false'],
    ['OTEL_LOG_LEVEL', 'loud', 'the default (otelkit info, upstream errors)'],
    ['OTEL_TRACES_SAMPLER_ARG', '1.5', '1'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', 'the default endpoint'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'http/xml', 'http/protobuf'],
    ['OTEL_EXPORTER_PROMETHEUS_PORT', '-1', '9464'],
    ['OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', '0', '12000'],
    ['OTELKIT_SHUTDOWN_TIMEOUT', '5 seconds', '5000'],
    ['OTEL_NODE_RESOURCE_DETECTORS', 'mainframe', 'host,os,process,serviceinstance,container'],
    ['OTEL_RESOURCE_ATTRIBUTES', 'team', 'the well-formed entries only'],
  ])('%s=%s → one warning, fallback %s', (variable, value, fallback) => {
    const env: Record<string, string> = { [variable]: value };
    if (variable === 'OTEL_TRACES_SAMPLER_ARG') env.OTEL_TRACES_SAMPLER = 'traceidratio';
    const { warnings } = resolve(env);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ variable, fallback });
    expect(warnings[0]!.value).toBe(JSON.stringify(value));
  });

  it('masks credentials in URLs and header values, and escapes control characters', () => {
    const url = resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://user:pa55word@host/x' }).warnings[0]!;
    expect(url.value).toBe('"ftp://***@host/x"');
    const headers = resolve({ OTEL_EXPORTER_OTLP_HEADERS: 'api-key=topsecret,=x' }).warnings[0]!;
    expect(headers.value).toBe('"api-key=***,=***"');
    const control = resolve({ OTEL_SERVICE_NAME: 'ok', OTEL_LOG_LEVEL: 'info\r\nFAKE LINE' }).warnings[0]!;
    expect(control.value).not.toMatch(/[\r\n]/);
  });

  it('empty or blank values mean "unset", as the specification says', () => {
    expect(resolve({ OTEL_BSP_MAX_QUEUE_SIZE: '', OTEL_TRACES_EXPORTER: '   ' }).warnings).toEqual([]);
  });
});

describe('resolveConfig never throws', () => {
  const keys = [...OTEL_ENV_VARS, ...OTELKIT_ENV_VARS, ...SENTRY_ENV_VARS];
  it('for any value of any variable, and warns at most once per variable', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(...keys),
          fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.webUrl(), fc.integer().map(String)),
        ),
        (env) => {
          const { config, warnings } = resolve(env as Record<string, string>);
          expect(config.traces.otlp.url).toBeInstanceOf(URL);
          expect(new Set(warnings.map((w) => w.variable)).size).toBe(warnings.length);
          for (const w of warnings) expect(w.value).not.toMatch(/[\r\n]/);
        },
      ),
      { numRuns: 500 },
    );
  });
});
