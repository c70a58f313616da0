// resolveConfig: defaults, precedence, endpoint rules and masking, checked on the resolved object.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resolveConfig } from '../../src/config/resolve';
import { snapshotEnv, OTEL_ENV_VARS, OTELKIT_ENV_VARS, SENTRY_ENV_VARS } from '../../src/config/env';
import { describeWarning } from '../../src/summary';
import type { HttpInstrumentationOptions, UndiciInstrumentationOptions } from '../../src/config/instrumentation-options';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import type { UndiciInstrumentationConfig } from '@opentelemetry/instrumentation-undici';

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
    expect(resolve({ OTEL_TRACES_SAMPLER: 'always_off', OTEL_TRACES_SAMPLER_ARG: '0.25' }).config.traces.samplerRatio).toBe(1);
  });

  it('OTEL_TRACES_SAMPLER_ARG with a sampler that takes no argument: one warning saying it is ignored', () => {
    // The user who sets a ratio and forgets the sampler samples everything: say so.
    const forgot = resolve({ OTEL_TRACES_SAMPLER_ARG: '0.1' });
    expect(forgot.config.traces).toMatchObject({ sampler: 'parentbased_always_on', samplerRatio: 1 });
    expect(forgot.warnings).toHaveLength(1);
    expect(forgot.warnings[0]).toMatchObject({
      variable: 'OTEL_TRACES_SAMPLER_ARG',
      value: '"0.1"',
      fallback: 'parentbased_always_on, every trace sampled',
    });
    expect(forgot.warnings[0]!.problem).toContain('OTEL_TRACES_SAMPLER=parentbased_traceidratio');
    const off = resolve({ OTEL_TRACES_SAMPLER: 'always_off', OTEL_TRACES_SAMPLER_ARG: '0.5' });
    expect(off.warnings.map((w) => [w.variable, w.fallback])).toEqual([['OTEL_TRACES_SAMPLER_ARG', 'always_off']]);
    // A ratio sampler takes it; blank means unset.
    expect(resolve({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }).warnings).toEqual([]);
    expect(resolve({ OTEL_TRACES_SAMPLER_ARG: ' ' }).warnings).toEqual([]);
  });

  it('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: cumulative, delta or lowmemory, any case; else a warning', () => {
    expect(resolve({}).config.metrics.temporalityPreference).toBe('cumulative');
    for (const value of ['delta', 'Delta', 'LOWMEMORY', 'cumulative']) {
      const { config, warnings } = resolve({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: value });
      expect(config.metrics.temporalityPreference).toBe(value.toLowerCase());
      expect(warnings).toEqual([]);
    }
    const bad = resolve({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'deltas' });
    expect(bad.config.metrics.temporalityPreference).toBe('cumulative');
    expect(bad.warnings).toEqual([
      {
        variable: 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE',
        value: '"deltas"',
        problem: 'is not one of cumulative, delta, lowmemory',
        fallback: 'cumulative',
      },
    ]);
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

describe('HTTP instrumentation variables', () => {
  it('capture nothing, know the standard methods and ignore no path by default', () => {
    const { config } = resolve({});
    expect(config.http).toEqual({
      captureHeaders: { serverRequest: [], serverResponse: [], clientRequest: [], clientResponse: [] },
      knownMethods: undefined,
      ignorePaths: [],
    });
  });

  it('header lists: exact names, lower-cased, each variable to its own list', () => {
    const { config, warnings } = resolve({
      OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST: 'X-Tenant, Accept-Language,x-tenant',
      OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_RESPONSE: 'Content-Type',
      OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST: 'x-client',
      OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_RESPONSE: 'server-timing',
    });
    expect(warnings).toEqual([]);
    expect(config.http.captureHeaders).toEqual({
      serverRequest: ['x-tenant', 'accept-language'],
      serverResponse: ['content-type'],
      clientRequest: ['x-client'],
      clientResponse: ['server-timing'],
    });
  });

  it('drops a pattern or a malformed header name with one warning naming it', () => {
    const { config, warnings } = resolve({
      OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST: 'x-.*,x-ok,bad name,x-*',
    });
    expect(config.http.captureHeaders.serverRequest).toEqual(['x-ok']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      variable: 'OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST',
      problem: 'has entries that are not header names (exact names, no patterns) ("x-.*", "bad name", "x-*")',
      fallback: 'x-ok',
    });
  });

  it('OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS replaces the list, case kept; nothing valid: the standard list, said once', () => {
    expect(resolve({ OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS: 'GET,POST,PURGE,Custom' }).config.http.knownMethods).toEqual([
      'GET',
      'POST',
      'PURGE',
      'Custom',
    ]);
    const bad = resolve({ OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS: 'GE T,(x)' });
    expect(bad.config.http.knownMethods).toBeUndefined();
    expect(bad.warnings).toHaveLength(1);
    expect(bad.warnings[0]).toMatchObject({
      variable: 'OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS',
      fallback: "the semantic conventions' list",
    });
  });

  it('OTELKIT_HTTP_IGNORE_PATHS: exact paths and prefixes ending in *; anything else dropped with a warning', () => {
    expect(resolve({ OTELKIT_HTTP_IGNORE_PATHS: '/health, /metrics,/internal/*' }).config.http.ignorePaths).toEqual([
      '/health',
      '/metrics',
      '/internal/*',
    ]);
    const { config, warnings } = resolve({ OTELKIT_HTTP_IGNORE_PATHS: 'health,/a*b,/q?x=1,/ok' });
    expect(config.http.ignorePaths).toEqual(['/ok']);
    expect(warnings.map((w) => [w.variable, w.problem])).toEqual([
      ['OTELKIT_HTTP_IGNORE_PATHS', 'has entries that are not paths (/exact or /prefix*) ("health", "/a*b", "/q?x=1")'],
    ]);
  });
});

describe('start({ instrumentations })', () => {
  it('keeps upstream-shaped options, hooks as given, and freezes none of the objects the app passed', () => {
    const requestHook = () => {};
    const requestHeaders = ['x-a'];
    const pgOptions = { enhancedDatabaseReporting: true, nested: { list: [1] } };
    const { config, warnings } = resolve(
      {},
      {
        instrumentations: {
          http: { requestHook, headersToSpanAttributes: { server: { requestHeaders } } },
          undici: { requireParentforSpans: true },
          pg: pgOptions,
        },
      },
    );
    expect(warnings).toEqual([]);
    expect(config.instrumentationOptions.http?.requestHook).toBe(requestHook);
    expect(config.instrumentationOptions.undici).toEqual({ requireParentforSpans: true });
    expect(config.instrumentationOptions.pg).toEqual(pgOptions);
    expect(Object.isFrozen(config.instrumentationOptions.http)).toBe(true);
    expect(Object.isFrozen(requestHeaders)).toBe(false);
    expect(Object.isFrozen(pgOptions)).toBe(false);
    expect(Object.isFrozen(pgOptions.nested.list)).toBe(false);
  });

  it('warns once, by path, about an unknown instrumentation, an unknown option and a value of the wrong type', () => {
    const { config, warnings } = resolve(
      {},
      {
        instrumentations: {
          htpp: {},
          http: { requestHok: () => {}, requestHook: 'not a function', headersToSpanAttributes: { server: ['x'] } },
          undici: { ignoreIncomingRequestHook: () => true, requireParentforSpans: true },
        } as never,
      },
    );
    expect(warnings.map((w) => `${w.variable} ${w.problem}; ${w.fallback}`)).toEqual([
      expect.stringMatching(/^instrumentations\.htpp is not an instrumentation otelkit knows \(amqplib, .*\); it is ignored$/),
      "instrumentations.http.requestHok is not an option of upstream's http instrumentation; it is ignored",
      'instrumentations.http.requestHook is not a function; it is ignored',
      expect.stringMatching(/^instrumentations\.http\.headersToSpanAttributes is not of the shape \{ client\?/),
      "instrumentations.undici.ignoreIncomingRequestHook is not an option of upstream's undici instrumentation; it is ignored",
    ]);
    expect(config.instrumentationOptions).toEqual({ http: {}, undici: { requireParentforSpans: true } });
    expect(describeWarning(warnings[2]!)).toBe(
      'start() option instrumentations.http.requestHook is not a function; it is ignored',
    );
  });

  it('upstream-typed configs are accepted as they are, and otelkit-typed ones by upstream', () => {
    const upstreamHttp: HttpInstrumentationConfig = { headersToSpanAttributes: { client: { requestHeaders: ['x'] } } };
    const upstreamUndici: UndiciInstrumentationConfig = { requireParentforSpans: true };
    const ours: HttpInstrumentationOptions = upstreamHttp;
    const oursUndici: UndiciInstrumentationOptions = upstreamUndici;
    const back: HttpInstrumentationConfig = ours;
    const backUndici: UndiciInstrumentationConfig = oursUndici;
    expect(resolve({}, { instrumentations: { http: back, undici: backUndici } }).warnings).toEqual([]);
  });
});
