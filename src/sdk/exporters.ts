// OTLP exporter construction; each protocol's package is loaded only when the config uses it.
import type { Signal, OtlpTarget } from '../config/resolve';
import { trackExports } from './export-status';

type ExporterClass = new (config: Record<string, unknown>) => unknown;

// Literal requires so that the bundle (scripts/bundle.mjs) carries the OTLP/HTTP exporters; the gRPC ones stay
// outside it with @grpc/grpc-js. Each package loads only when the config uses it.
const EXPORTERS: Record<Signal, Record<OtlpTarget['protocol'], () => ExporterClass>> = {
  traces: {
    'http/protobuf': () => (require('./protobuf-exporters') as typeof import('./protobuf-exporters')).TraceProtobufExporter,
    'http/json': () => require('@opentelemetry/exporter-trace-otlp-http').OTLPTraceExporter,
    grpc: () => require('@opentelemetry/exporter-trace-otlp-grpc').OTLPTraceExporter,
  },
  metrics: {
    'http/protobuf': () => require('@opentelemetry/exporter-metrics-otlp-proto').OTLPMetricExporter,
    'http/json': () => require('@opentelemetry/exporter-metrics-otlp-http').OTLPMetricExporter,
    grpc: () => require('@opentelemetry/exporter-metrics-otlp-grpc').OTLPMetricExporter,
  },
  logs: {
    'http/protobuf': () => require('@opentelemetry/exporter-logs-otlp-proto').OTLPLogExporter,
    'http/json': () => require('@opentelemetry/exporter-logs-otlp-http').OTLPLogExporter,
    grpc: () => require('@opentelemetry/exporter-logs-otlp-grpc').OTLPLogExporter,
  },
};

/** Basic-auth credentials in the endpoint become an Authorization header; exporters drop URL userinfo. */
function splitCredentials(target: OtlpTarget): { url: string; headers: Record<string, string> } {
  const headers = { ...target.headers };
  const url = new URL(target.url.href);
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    headers.Authorization ??= `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  return { url: url.href, headers };
}

/** `options`: settings of one signal's exporters (the metric temporality), passed as they are. */
export function createOtlpExporter<T>(signal: Signal, target: OtlpTarget, options: Record<string, unknown> = {}): T {
  const exporter = buildExporter(signal, target, options);
  return trackExports(signal, exporter as { export(items: unknown, cb: (r: never) => void): void }) as T;
}

function buildExporter(signal: Signal, target: OtlpTarget, options: Record<string, unknown>): unknown {
  const Exporter = EXPORTERS[signal][target.protocol]();
  const { url, headers } = splitCredentials(target);
  const common = { ...options, url, timeoutMillis: target.timeoutMillis, compression: target.compression };
  if (target.protocol !== 'grpc') return new Exporter({ ...common, headers });
  const { Metadata } = require('@grpc/grpc-js') as { Metadata: new () => { set(key: string, value: string): void } };
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key.toLowerCase(), value);
  return new Exporter({ ...common, metadata });
}
