// Turns the env snapshot (and options passed in code) into one frozen, validated configuration object.
import type { Env } from './env';
import { EnvReader, type ConfigWarning } from './reader';
import { findAppPackage, type AppPackage } from './app-package';
import { keyWords } from '../redaction/key-words';
import { parseRedactPath, type RedactPath } from '../redaction/paths';
import { resolveSentry, type SentrySettings } from './sentry';
import { DEFAULT_INSTRUMENTATIONS, INSTRUMENTATION_NAMES, type InstrumentationName } from '../instrumentations/table';
import { LOG_LEVELS, type LogLevelName } from '../diagnostics';
import { resolveHttpSettings, type HttpSettings } from './http';
import { resolveInstrumentationOptions, type InstrumentationOptions } from './instrumentation-options';

export const PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

// OpenTelemetry JS 3.x publishes no Jaeger propagator (its last release binds the 2.x API) and sdk-node 0.300 drops
// `jaeger` with a warning: so does otelkit, through the reader's warning for an unknown entry.
export const PROPAGATORS = ['tracecontext', 'baggage', 'b3', 'b3multi', 'none'] as const;
export type PropagatorName = Exclude<(typeof PROPAGATORS)[number], 'none'>;

export const RESOURCE_DETECTORS = [
  'env',
  'host',
  'os',
  'process',
  'serviceinstance',
  'container',
  'alibaba',
  'aws',
  'azure',
  'gcp',
  'all',
  'none',
] as const;
export type ResourceDetectorName = Exclude<(typeof RESOURCE_DETECTORS)[number], 'all' | 'none' | 'env'>;
const LOCAL_DETECTORS: readonly ResourceDetectorName[] = ['host', 'os', 'process', 'serviceinstance', 'container'];
const CLOUD_DETECTORS: readonly ResourceDetectorName[] = ['alibaba', 'aws', 'azure', 'gcp'];

/** OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE, as the OTLP metric exporters take it. */
export const TEMPORALITY_PREFERENCES = ['cumulative', 'delta', 'lowmemory'] as const;
export type TemporalityPreference = (typeof TEMPORALITY_PREFERENCES)[number];

export type TraceExporterName = 'otlp' | 'console';
export type MetricExporterName = 'otlp' | 'prometheus' | 'console';
export type LogExporterName = 'otlp' | 'console';
export type Signal = 'traces' | 'metrics' | 'logs';

export interface OtlpTarget {
  readonly protocol: Protocol;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMillis: number;
  readonly compression: 'gzip' | 'none';
}

export interface BatchSettings {
  readonly scheduledDelayMillis: number;
  readonly exportTimeoutMillis: number;
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
}

export const APP_LOG_LEVELS = ['critical', 'error', 'warning', 'warn', 'info', 'debug'] as const;
export type AppLogLevel = 'critical' | 'error' | 'warn' | 'info' | 'debug';

export interface LoggingSettings {
  readonly level: AppLogLevel;
  readonly format: 'json' | 'pretty';
  readonly file?: { readonly path: string; readonly maxSizeBytes: number; readonly maxFiles: number };
  readonly errorsFile?: string;
  /** Strings longer than this are cut, with a marker saying how much was dropped. */
  readonly maxStringLength: number;
}

export interface Config {
  readonly disabled: boolean;
  /** undefined when OTEL_LOG_LEVEL is unset: otelkit then prints its own info lines and upstream errors only. */
  readonly logLevel: LogLevelName | undefined;
  readonly service: { readonly name: string; readonly version?: string; readonly environment?: string };
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly resourceDetectors: readonly ResourceDetectorName[];
  readonly traces: {
    readonly exporters: readonly TraceExporterName[];
    readonly otlp: OtlpTarget;
    readonly sampler: SamplerName;
    readonly samplerRatio: number;
    readonly batch: BatchSettings;
  };
  readonly metrics: {
    readonly exporters: readonly MetricExporterName[];
    readonly otlp: OtlpTarget;
    /** Passed to the OTLP metric exporter, which would otherwise read the variable itself, unchecked. */
    readonly temporalityPreference: TemporalityPreference;
    readonly exportIntervalMillis: number;
    readonly exportTimeoutMillis: number;
    readonly prometheus: { readonly host: string; readonly port: number };
  };
  readonly logs: {
    readonly exporters: readonly LogExporterName[];
    readonly otlp: OtlpTarget;
    readonly batch: BatchSettings;
  };
  readonly propagators: readonly PropagatorName[];
  readonly instrumentations: readonly InstrumentationName[];
  /**
   * `explicit`: OTEL_NODE_ENABLED_INSTRUMENTATIONS named them, load exactly those. `installed`: the defaults, each
   * loaded only when one of its target packages is installed where the app runs.
   */
  readonly instrumentationSelection: 'explicit' | 'installed';
  readonly attributeValueLengthLimit: number;
  readonly shutdownTimeoutMillis: number;
  /** Lower-cased header name carrying the request id in and out. */
  readonly requestIdHeader: string;
  /** Lower-cased header trusted for the client IP (set only behind a proxy that overwrites it). */
  readonly trustedProxyHeader?: string;
  readonly logging: LoggingSettings;
  /** Secret names added by OTELKIT_REDACT_KEYS to the built-in ones (redaction/key-words.ts), matched word by word. */
  readonly redactKeys: readonly string[];
  /** OTELKIT_REDACT_PATHS, parsed: keys masked wherever they sit in this exact place of a record. */
  readonly redactPaths: readonly RedactPath[];
  /**
   * A span per express layer (upstream's default). Off: none, except route handlers where express has no router
   * error channel (express 4, router before 2.3), see instrumentations/express-errors.ts.
   */
  readonly expressMiddlewareSpans: boolean;
  /** Who traces incoming requests: otelkit's lean server instrumentation, or upstream's http instrumentation. */
  readonly httpServerInstrumentation: 'otelkit' | 'upstream';
  /** Who instruments fetch and the undici package: otelkit's own (./instrumentations/undici-client) or upstream's. */
  readonly undiciInstrumentation: 'otelkit' | 'upstream';
  /** Header capture, known methods and ignored paths (the OTEL_INSTRUMENTATION_HTTP_* and OTELKIT_HTTP_* variables). */
  readonly http: HttpSettings;
  /** Upstream-shaped configs passed to start(), checked; each entry is frozen at its top level only (it is the app's). */
  readonly instrumentationOptions: InstrumentationOptions;
  /** Set when SENTRY_DSN holds a valid DSN: errors then also go to Sentry as error events (src/sentry/). */
  readonly sentry?: SentrySettings;
}

/** Options passed in code win over the environment. */
export interface StartOptions {
  readonly serviceName?: string;
  readonly serviceVersion?: string;
  readonly environment?: string;
  readonly shutdownTimeoutMillis?: number;
  /** For tests and embedding: read these variables instead of process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Configs of upstream's instrumentations, by the short names OTEL_NODE_ENABLED_INSTRUMENTATIONS uses:
   * `{ http: HttpInstrumentationConfig, undici: UndiciInstrumentationConfig, pg: PgInstrumentationConfig, … }`.
   * Where otelkit's own instrumentation runs (incoming http, fetch/undici), it honours the same options.
   */
  readonly instrumentations?: InstrumentationOptions;
}

export interface ResolvedConfig {
  readonly config: Config;
  readonly warnings: readonly ConfigWarning[];
}

export const DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT = 12000;
export const DEFAULT_SHUTDOWN_TIMEOUT_MILLIS = 5000;
const RESOURCE_KEY = /^[\x21-\x7e]{1,255}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;

export function resolveConfig(env: Env, options: StartOptions = {}, app: AppPackage = findAppPackage()): ResolvedConfig {
  const read = new EnvReader(env);
  const resourceAttributes = read.keyValues('OTEL_RESOURCE_ATTRIBUTES', RESOURCE_KEY);
  const environment =
    options.environment ??
    resourceAttributes['deployment.environment.name'] ??
    resourceAttributes['deployment.environment'] ??
    read.string('NODE_ENV');

  const version = options.serviceVersion ?? resourceAttributes['service.version'] ?? app.version;
  const config: Config = {
    disabled: read.boolean('OTEL_SDK_DISABLED', false),
    logLevel: resolveLogLevel(read),
    service: {
      name:
        options.serviceName ??
        read.string('OTEL_SERVICE_NAME') ??
        resourceAttributes['service.name'] ??
        app.name ??
        'unknown_service:node',
      version,
      environment,
    },
    resourceAttributes,
    resourceDetectors: resolveDetectors(read),
    traces: {
      exporters: exporterList(read, 'OTEL_TRACES_EXPORTER', ['otlp', 'console'] as const),
      otlp: resolveOtlpTarget(read, 'traces'),
      ...resolveSampler(read),
      batch: resolveBatch(read, 'BSP', 5000),
    },
    metrics: {
      exporters: exporterList(read, 'OTEL_METRICS_EXPORTER', ['otlp', 'prometheus', 'console'] as const),
      otlp: resolveOtlpTarget(read, 'metrics'),
      temporalityPreference: read.oneOf(
        'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE',
        TEMPORALITY_PREFERENCES,
        'cumulative',
      ),
      ...resolveMetricTiming(read),
      prometheus: {
        host: read.string('OTEL_EXPORTER_PROMETHEUS_HOST') ?? '0.0.0.0',
        port: read.number('OTEL_EXPORTER_PROMETHEUS_PORT', 9464, { integer: true, min: 0, max: 65535 }),
      },
    },
    logs: {
      exporters: exporterList(read, 'OTEL_LOGS_EXPORTER', ['otlp', 'console'] as const),
      otlp: resolveOtlpTarget(read, 'logs'),
      batch: resolveBatch(read, 'BLRP', 1000),
    },
    propagators: resolvePropagators(read),
    instrumentations: resolveInstrumentations(read),
    instrumentationSelection: read.raw('OTEL_NODE_ENABLED_INSTRUMENTATIONS') === undefined ? 'installed' : 'explicit',
    attributeValueLengthLimit: read.number('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT, {
      integer: true,
      min: 1,
    }),
    shutdownTimeoutMillis:
      options.shutdownTimeoutMillis ??
      read.number('OTELKIT_SHUTDOWN_TIMEOUT', DEFAULT_SHUTDOWN_TIMEOUT_MILLIS, { integer: true, min: 0, max: 120000 }),
    requestIdHeader: headerName(read, 'OTELKIT_REQUEST_ID_HEADER') ?? 'x-request-id',
    trustedProxyHeader: headerName(read, 'OTELKIT_TRUSTED_PROXY_HEADER'),
    logging: resolveLogging(read),
    redactKeys: resolveRedactKeys(read),
    redactPaths: resolveRedactPaths(read),
    expressMiddlewareSpans: read.boolean('OTELKIT_EXPRESS_MIDDLEWARE_SPANS', false),
    httpServerInstrumentation: ownOrUpstream(read, 'OTELKIT_HTTP_SERVER_INSTRUMENTATION'),
    undiciInstrumentation: ownOrUpstream(read, 'OTELKIT_UNDICI_INSTRUMENTATION'),
    http: resolveHttpSettings(read),
    instrumentationOptions: resolveInstrumentationOptions(options.instrumentations, read),
    sentry: resolveSentry(read, { version, environment }),
  };
  // Frozen copies at the top level only: deepFreeze does not enter a frozen object, so the arrays and objects the app
  // passed inside them are never frozen.
  for (const options of Object.values(config.instrumentationOptions)) if (options) Object.freeze(options);
  return { config: deepFreeze(config), warnings: read.warnings };
}

function ownOrUpstream(
  read: EnvReader,
  key: 'OTELKIT_HTTP_SERVER_INSTRUMENTATION' | 'OTELKIT_UNDICI_INSTRUMENTATION',
): 'otelkit' | 'upstream' {
  const value = read.raw(key)?.trim().toLowerCase();
  if (value === 'upstream') return 'upstream';
  if (value !== undefined && value !== '' && value !== 'otelkit') read.warn(key, 'is not one of otelkit, upstream', 'otelkit');
  return 'otelkit';
}

/** A bad value behaves as unset: otelkit's own lines, upstream errors only (not a flood of upstream info). */
function resolveLogLevel(read: EnvReader): LogLevelName | undefined {
  const value = read.raw('OTEL_LOG_LEVEL')?.toLowerCase();
  if (value === undefined) return undefined;
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevelName;
  read.warn('OTEL_LOG_LEVEL', `is not one of ${LOG_LEVELS.join(', ')}`, 'the default (otelkit info, upstream errors)');
  return undefined;
}

function headerName(read: EnvReader, key: 'OTELKIT_REQUEST_ID_HEADER' | 'OTELKIT_TRUSTED_PROXY_HEADER'): string | undefined {
  const value = read.raw(key);
  if (value === undefined) return undefined;
  if (HEADER_NAME.test(value)) return value.toLowerCase();
  read.warn(key, 'is not a valid HTTP header name', key === 'OTELKIT_REQUEST_ID_HEADER' ? 'x-request-id' : '(none)');
  return undefined;
}

const commaList = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** Names made of ASCII letters and digits, words separated as in keys (`ssn`, `X-Internal-Ref`, `taxId`). */
function resolveRedactKeys(read: EnvReader): readonly string[] {
  const entries = commaList(read.raw('OTELKIT_REDACT_KEYS'));
  const valid = entries.filter((entry) => /^[A-Za-z0-9._-]+$/.test(entry) && keyWords(entry).length > 0);
  if (valid.length < entries.length) {
    const bad = entries.filter((entry) => !valid.includes(entry));
    read.warn(
      'OTELKIT_REDACT_KEYS',
      `has entries that are not key names (${bad.map((b) => JSON.stringify(b.slice(0, 40))).join(', ')}): letters and digits, words separated by ".", "_", "-" or camelCase`,
      valid.join(',') || '(the built-in names only)',
    );
  }
  return [...new Set(valid)];
}

function resolveRedactPaths(read: EnvReader): readonly RedactPath[] {
  const entries = commaList(read.raw('OTELKIT_REDACT_PATHS'));
  const paths = entries.map((entry) => ({ entry, path: parseRedactPath(entry) }));
  const bad = paths.filter((p) => p.path === undefined).map((p) => p.entry);
  if (bad.length > 0) {
    read.warn(
      'OTELKIT_REDACT_PATHS',
      `has entries that are not paths (${bad.map((b) => JSON.stringify(b.slice(0, 40))).join(', ')}): keys separated by dots, "*" for any key, ["a.b"] for a key with dots, [*] for array elements`,
      paths
        .filter((p) => p.path)
        .map((p) => p.entry)
        .join(',') || '(none)',
    );
  }
  return paths.flatMap((p) => (p.path ? [p.path] : []));
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
};

/** Bytes, with an optional k/m/g suffix (`10mb`, `512k`). */
function byteSize(read: EnvReader, key: 'OTELKIT_LOG_FILE_MAX_SIZE', fallback: number): number {
  const value = read.raw(key)?.toLowerCase();
  if (value === undefined) return fallback;
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?b?)$/.exec(value);
  const bytes = match ? Math.floor(Number(match[1]) * SIZE_UNITS[match[2] ?? '']!) : NaN;
  if (!Number.isFinite(bytes) || bytes < 1024 || bytes > 1024 ** 4) {
    read.warn(key, 'is not a size from 1kb to 1024gb (bytes, or with a k/m/g suffix)', String(fallback));
    return fallback;
  }
  return bytes;
}

function resolveLogging(read: EnvReader): LoggingSettings {
  const level = read.oneOf('OTELKIT_LOG_LEVEL', APP_LOG_LEVELS, 'info');
  const path = read.string('OTELKIT_LOG_FILE');
  return {
    level: level === 'warning' ? 'warn' : level,
    format: read.oneOf('OTELKIT_LOG_FORMAT', ['json', 'pretty'] as const, 'json'),
    file:
      path === undefined
        ? undefined
        : {
            path,
            maxSizeBytes: byteSize(read, 'OTELKIT_LOG_FILE_MAX_SIZE', 10 * 1024 * 1024),
            maxFiles: read.number('OTELKIT_LOG_FILE_MAX_FILES', 10, { integer: true, min: 1, max: 1000 }),
          },
    errorsFile: read.string('OTELKIT_LOG_ERRORS_FILE'),
    maxStringLength: read.number('OTELKIT_LOG_MAX_STRING_LENGTH', 16384, { integer: true, min: 64, max: 10_000_000 }),
  };
}

function exporterList<T extends string>(
  read: EnvReader,
  key: 'OTEL_TRACES_EXPORTER' | 'OTEL_METRICS_EXPORTER' | 'OTEL_LOGS_EXPORTER',
  names: readonly T[],
): readonly T[] {
  const chosen = read.list<T | 'none'>(key, [...names, 'none'], ['otlp' as T]);
  if (chosen.includes('none')) return [];
  return chosen as readonly T[];
}

const SIGNAL_ENV = {
  traces: {
    endpoint: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    headers: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
    protocol: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
    timeout: 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT',
    compression: 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION',
  },
  metrics: {
    endpoint: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
    headers: 'OTEL_EXPORTER_OTLP_METRICS_HEADERS',
    protocol: 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
    timeout: 'OTEL_EXPORTER_OTLP_METRICS_TIMEOUT',
    compression: 'OTEL_EXPORTER_OTLP_METRICS_COMPRESSION',
  },
  logs: {
    endpoint: 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT',
    headers: 'OTEL_EXPORTER_OTLP_LOGS_HEADERS',
    protocol: 'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL',
    timeout: 'OTEL_EXPORTER_OTLP_LOGS_TIMEOUT',
    compression: 'OTEL_EXPORTER_OTLP_LOGS_COMPRESSION',
  },
} as const;

/** Signal-specific variable > general variable > default, as the OTLP exporter specification orders them. */
function resolveOtlpTarget(read: EnvReader, signal: Signal): OtlpTarget {
  const keys = SIGNAL_ENV[signal];
  const protocol =
    read.raw(keys.protocol) !== undefined
      ? read.oneOf(keys.protocol, PROTOCOLS, read.oneOf('OTEL_EXPORTER_OTLP_PROTOCOL', PROTOCOLS, 'http/protobuf'))
      : read.oneOf('OTEL_EXPORTER_OTLP_PROTOCOL', PROTOCOLS, 'http/protobuf');
  const timeoutRule = { integer: true, min: 1, max: 600000 };
  const timeoutMillis = read.number(keys.timeout, read.number('OTEL_EXPORTER_OTLP_TIMEOUT', 10000, timeoutRule), timeoutRule);
  const compressions = ['gzip', 'none'] as const;
  const compression = read.oneOf(
    keys.compression,
    compressions,
    read.oneOf('OTEL_EXPORTER_OTLP_COMPRESSION', compressions, 'none'),
  );
  const headers = {
    ...read.keyValues('OTEL_EXPORTER_OTLP_HEADERS', HEADER_NAME),
    ...read.keyValues(keys.headers, HEADER_NAME),
  };
  return { protocol, url: resolveEndpoint(read, signal, protocol), headers, timeoutMillis, compression };
}

function resolveEndpoint(read: EnvReader, signal: Signal, protocol: Protocol): URL {
  const specific = read.url(SIGNAL_ENV[signal].endpoint);
  if (specific) return specific;
  const base =
    read.url('OTEL_EXPORTER_OTLP_ENDPOINT') ?? new URL(protocol === 'grpc' ? 'http://localhost:4317' : 'http://localhost:4318');
  if (protocol === 'grpc') return base;
  // The general endpoint is a base: the signal path is appended to whatever path it has.
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/${signal}`;
  return url;
}

function resolveSampler(read: EnvReader): { sampler: SamplerName; samplerRatio: number } {
  const sampler = read.oneOf('OTEL_TRACES_SAMPLER', SAMPLERS, 'parentbased_always_on');
  if (sampler.endsWith('traceidratio'))
    return { sampler, samplerRatio: read.number('OTEL_TRACES_SAMPLER_ARG', 1, { min: 0, max: 1 }) };
  // The specification ignores the argument here; said aloud, since OTEL_TRACES_SAMPLER_ARG=0.1 alone samples everything.
  if (read.raw('OTEL_TRACES_SAMPLER_ARG') !== undefined) {
    read.warn(
      'OTEL_TRACES_SAMPLER_ARG',
      `is ignored: the sampler ${sampler} takes no argument (for a ratio, set OTEL_TRACES_SAMPLER=parentbased_traceidratio)`,
      `${sampler}${sampler.endsWith('always_on') ? ', every trace sampled' : ''}`,
    );
  }
  return { sampler, samplerRatio: 1 };
}

function resolveBatch(read: EnvReader, prefix: 'BSP' | 'BLRP', defaultDelay: number): BatchSettings {
  const positive = { integer: true, min: 1 };
  const maxQueueSize = read.number(`OTEL_${prefix}_MAX_QUEUE_SIZE`, 2048, { ...positive, max: 1_000_000 });
  let maxExportBatchSize = read.number(`OTEL_${prefix}_MAX_EXPORT_BATCH_SIZE`, 512, { ...positive, max: 1_000_000 });
  if (maxExportBatchSize > maxQueueSize) {
    read.warn(
      `OTEL_${prefix}_MAX_EXPORT_BATCH_SIZE`,
      `is larger than OTEL_${prefix}_MAX_QUEUE_SIZE (${maxQueueSize})`,
      String(maxQueueSize),
    );
    maxExportBatchSize = maxQueueSize;
  }
  return {
    scheduledDelayMillis: read.number(`OTEL_${prefix}_SCHEDULE_DELAY`, defaultDelay, { integer: true, min: 0, max: 3_600_000 }),
    exportTimeoutMillis: read.number(`OTEL_${prefix}_EXPORT_TIMEOUT`, 30000, { integer: true, min: 1, max: 600000 }),
    maxQueueSize,
    maxExportBatchSize,
  };
}

function resolveMetricTiming(read: EnvReader): { exportIntervalMillis: number; exportTimeoutMillis: number } {
  const exportIntervalMillis = read.number('OTEL_METRIC_EXPORT_INTERVAL', 60000, { integer: true, min: 100, max: 86_400_000 });
  let exportTimeoutMillis = read.number('OTEL_METRIC_EXPORT_TIMEOUT', 30000, { integer: true, min: 1, max: 600000 });
  // The SDK's PeriodicExportingMetricReader throws when the timeout exceeds the interval.
  if (exportTimeoutMillis > exportIntervalMillis) {
    if (read.raw('OTEL_METRIC_EXPORT_TIMEOUT') !== undefined) {
      read.warn(
        'OTEL_METRIC_EXPORT_TIMEOUT',
        `is longer than the export interval (${exportIntervalMillis} ms)`,
        String(exportIntervalMillis),
      );
    }
    exportTimeoutMillis = exportIntervalMillis;
  }
  return { exportIntervalMillis, exportTimeoutMillis };
}

function resolvePropagators(read: EnvReader): readonly PropagatorName[] {
  const chosen = read.list('OTEL_PROPAGATORS', PROPAGATORS, ['tracecontext', 'baggage']);
  return chosen.includes('none') ? [] : (chosen as readonly PropagatorName[]);
}

function resolveDetectors(read: EnvReader): readonly ResourceDetectorName[] {
  // Cloud detectors call metadata endpoints over the network at start-up: only when asked for.
  const chosen = read.list('OTEL_NODE_RESOURCE_DETECTORS', RESOURCE_DETECTORS, [...LOCAL_DETECTORS]);
  if (chosen.includes('none')) return [];
  if (chosen.includes('all')) return [...LOCAL_DETECTORS, ...CLOUD_DETECTORS];
  return chosen.filter((name): name is ResourceDetectorName => name !== 'env' && name !== 'all' && name !== 'none');
}

function resolveInstrumentations(read: EnvReader): readonly InstrumentationName[] {
  const enabled =
    read.raw('OTEL_NODE_ENABLED_INSTRUMENTATIONS') === undefined
      ? DEFAULT_INSTRUMENTATIONS
      : read.list('OTEL_NODE_ENABLED_INSTRUMENTATIONS', INSTRUMENTATION_NAMES, []);
  const disabled =
    read.raw('OTEL_NODE_DISABLED_INSTRUMENTATIONS') === undefined
      ? []
      : read.list('OTEL_NODE_DISABLED_INSTRUMENTATIONS', INSTRUMENTATION_NAMES, []);
  // Table order, whatever order the variables list them in: the start-up line stays stable.
  return INSTRUMENTATION_NAMES.filter((name) => enabled.includes(name) && !disabled.includes(name));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !(value instanceof URL) && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
