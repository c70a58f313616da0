// A test OTLP/HTTP receiver on port 0: decodes protobuf and JSON requests for traces, metrics and logs into
// flat records tests can assert on, and can answer with chosen failures.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// Generated protobufjs decoders shipped by @opentelemetry/otlp-transformer 0.52 (installed under an alias).
const root = require('otlp-transformer-decoders/build/src/generated/root');
const collector = root.opentelemetry.proto.collector;
const DECODERS = {
  traces: collector.trace.v1.ExportTraceServiceRequest,
  metrics: collector.metrics.v1.ExportMetricsServiceRequest,
  logs: collector.logs.v1.ExportLogsServiceRequest,
} as const;

export type Signal = keyof typeof DECODERS;
export type Attributes = Record<string, unknown>;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Attributes;
  resource: Attributes;
  scope: string;
  status: { code?: number; message?: string };
  events: { name: string; attributes: Attributes }[];
}

export interface ReceivedLog {
  body: unknown;
  severityText?: string;
  severityNumber?: number;
  traceId: string;
  spanId: string;
  attributes: Attributes;
  resource: Attributes;
  scope: string;
}

export interface ReceivedMetric {
  name: string;
  unit?: string;
  resource: Attributes;
  scope: string;
  dataPoints: { attributes: Attributes; value?: number; count?: number; sum?: number }[];
}

export interface ReceivedRequest {
  signal: Signal;
  contentType: string;
  encoding: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

type AnyValue = Record<string, unknown>;

function hex(value: unknown): string {
  if (typeof value !== 'string' || value === '') return '';
  // protobuf bytes come as base64 from toObject; OTLP/JSON carries hex already.
  return /^[0-9a-f]+$/i.test(value) && (value.length === 32 || value.length === 16) ? value.toLowerCase() : Buffer.from(value, 'base64').toString('hex');
}

function anyValue(v: AnyValue | undefined): unknown {
  if (!v) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return ((v.arrayValue as { values?: AnyValue[] }).values ?? []).map(anyValue);
  if ('kvlistValue' in v) return attributes((v.kvlistValue as { values?: unknown[] }).values);
  if ('bytesValue' in v) return v.bytesValue;
  return undefined;
}

function attributes(list: unknown): Attributes {
  const out: Attributes = {};
  for (const kv of (list as { key: string; value?: AnyValue }[] | undefined) ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

function decode(signal: Signal, contentType: string, body: Buffer): Record<string, unknown> {
  if (contentType.includes('json')) return JSON.parse(body.toString('utf8'));
  const Decoder = DECODERS[signal];
  return Decoder.toObject(Decoder.decode(body), { longs: String, enums: Number, bytes: String, defaults: false });
}

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly logs: ReceivedLog[] = [];
  readonly metrics: ReceivedMetric[] = [];
  readonly requests: ReceivedRequest[] = [];
  /** Status to answer with; 200 by default. */
  respondWith = 200;
  private server: Server | undefined;
  private waiters = new Set<() => void>();

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const signal = (req.url ?? '').match(/\/v1\/(traces|metrics|logs)$/)?.[1] as Signal | undefined;
        if (!signal || req.method !== 'POST') {
          res.writeHead(404).end();
          return;
        }
        if (this.respondWith !== 200) {
          res.writeHead(this.respondWith).end();
          return;
        }
        let body = Buffer.concat(chunks);
        const encoding = String(req.headers['content-encoding'] ?? '');
        if (encoding === 'gzip') body = gunzipSync(body);
        const contentType = String(req.headers['content-type'] ?? '');
        this.requests.push({ signal, contentType, encoding, headers: req.headers, body });
        try {
          this.ingest(signal, decode(signal, contentType, body));
        } catch (err) {
          res.writeHead(400).end(String(err));
          return;
        }
        res.writeHead(200, { 'content-type': contentType.includes('json') ? 'application/json' : 'application/x-protobuf' });
        res.end(contentType.includes('json') ? '{}' : undefined);
        for (const wake of this.waiters) wake();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Resolves once the predicate holds over what arrived; rejects with a summary after the timeout. */
  async waitFor(predicate: () => boolean, timeoutMillis = 10_000, what = 'telemetry'): Promise<void> {
    if (predicate()) return;
    await new Promise<void>((resolve, reject) => {
      const wake = () => {
        if (!predicate()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}: ${this.spans.length} spans, ${this.logs.length} logs, ${this.metrics.length} metrics received`));
      }, timeoutMillis);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      this.waiters.add(wake);
    });
  }

  private ingest(signal: Signal, message: Record<string, unknown>): void {
    if (signal === 'traces') {
      for (const rs of (message.resourceSpans as AnyValue[] | undefined) ?? []) {
        const resource = attributes((rs.resource as AnyValue | undefined)?.attributes);
        for (const ss of (rs.scopeSpans as AnyValue[] | undefined) ?? []) {
          const scope = String((ss.scope as AnyValue | undefined)?.name ?? '');
          for (const s of (ss.spans as AnyValue[] | undefined) ?? []) {
            this.spans.push({
              traceId: hex(s.traceId),
              spanId: hex(s.spanId),
              parentSpanId: hex(s.parentSpanId),
              name: String(s.name),
              kind: Number(s.kind ?? 0),
              attributes: attributes(s.attributes),
              resource,
              scope,
              status: (s.status as ReceivedSpan['status']) ?? {},
              events: ((s.events as AnyValue[] | undefined) ?? []).map((e) => ({ name: String(e.name), attributes: attributes(e.attributes) })),
            });
          }
        }
      }
    } else if (signal === 'logs') {
      for (const rl of (message.resourceLogs as AnyValue[] | undefined) ?? []) {
        const resource = attributes((rl.resource as AnyValue | undefined)?.attributes);
        for (const sl of (rl.scopeLogs as AnyValue[] | undefined) ?? []) {
          const scope = String((sl.scope as AnyValue | undefined)?.name ?? '');
          for (const r of (sl.logRecords as AnyValue[] | undefined) ?? []) {
            this.logs.push({
              body: anyValue(r.body as AnyValue | undefined),
              severityText: r.severityText as string | undefined,
              severityNumber: r.severityNumber === undefined ? undefined : Number(r.severityNumber),
              traceId: hex(r.traceId),
              spanId: hex(r.spanId),
              attributes: attributes(r.attributes),
              resource,
              scope,
            });
          }
        }
      }
    } else {
      for (const rm of (message.resourceMetrics as AnyValue[] | undefined) ?? []) {
        const resource = attributes((rm.resource as AnyValue | undefined)?.attributes);
        for (const sm of (rm.scopeMetrics as AnyValue[] | undefined) ?? []) {
          const scope = String((sm.scope as AnyValue | undefined)?.name ?? '');
          for (const m of (sm.metrics as AnyValue[] | undefined) ?? []) {
            const data = (m.sum ?? m.gauge ?? m.histogram ?? m.exponentialHistogram) as { dataPoints?: AnyValue[] } | undefined;
            this.metrics.push({
              name: String(m.name),
              unit: m.unit as string | undefined,
              resource,
              scope,
              dataPoints: (data?.dataPoints ?? []).map((p) => ({
                attributes: attributes(p.attributes),
                value: p.asInt !== undefined ? Number(p.asInt) : p.asDouble !== undefined ? Number(p.asDouble) : undefined,
                count: p.count === undefined ? undefined : Number(p.count),
                sum: p.sum === undefined ? undefined : Number(p.sum),
              })),
            });
          }
        }
      }
    }
  }
}
