// Flattens OTLP export requests (the OTLP/JSON shape, which protobuf decoders also produce) into plain span,
// log and metric records: what the dev receiver prints and what tests assert on.

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
  startTimeUnixNano: bigint;
  durationMillis: number;
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
  /** Of a sum or histogram: AGGREGATION_TEMPORALITY_DELTA (1) or _CUMULATIVE (2). */
  temporality?: 'delta' | 'cumulative';
  dataPoints: { attributes: Attributes; value?: number; count?: number; sum?: number }[];
}

type AnyValue = Record<string, unknown>;

// OTLP/protobuf decodes the enum as its number, OTLP/JSON may carry its name.
const TEMPORALITY: Record<string, 'delta' | 'cumulative'> = {
  1: 'delta',
  2: 'cumulative',
  AGGREGATION_TEMPORALITY_DELTA: 'delta',
  AGGREGATION_TEMPORALITY_CUMULATIVE: 'cumulative',
};

function hex(value: unknown): string {
  if (typeof value !== 'string' || value === '') return '';
  // protobuf bytes come as base64 from toObject; OTLP/JSON carries hex already.
  return /^[0-9a-f]+$/i.test(value) && (value.length === 32 || value.length === 16)
    ? value.toLowerCase()
    : Buffer.from(value, 'base64').toString('hex');
}

/** Timestamps are fixed64: strings in OTLP/JSON and from protobuf decoders, sometimes numbers. */
function nanos(value: unknown): bigint {
  try {
    return BigInt(String(value ?? 0));
  } catch {
    return 0n;
  }
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

export interface OtlpRecords {
  spans: ReceivedSpan[];
  logs: ReceivedLog[];
  metrics: ReceivedMetric[];
}

export type OtlpSignal = 'traces' | 'metrics' | 'logs';

/** Appends the records of one export request to `into`. */
export function collectRecords(signal: OtlpSignal, message: Record<string, unknown>, into: OtlpRecords): void {
  if (signal === 'traces') {
    for (const rs of (message.resourceSpans as AnyValue[] | undefined) ?? []) {
      const resource = attributes((rs.resource as AnyValue | undefined)?.attributes);
      for (const ss of (rs.scopeSpans as AnyValue[] | undefined) ?? []) {
        const scope = String((ss.scope as AnyValue | undefined)?.name ?? '');
        for (const s of (ss.spans as AnyValue[] | undefined) ?? []) {
          into.spans.push({
            traceId: hex(s.traceId),
            spanId: hex(s.spanId),
            parentSpanId: hex(s.parentSpanId),
            name: String(s.name),
            kind: Number(s.kind ?? 0),
            attributes: attributes(s.attributes),
            resource,
            scope,
            status: (s.status as ReceivedSpan['status']) ?? {},
            startTimeUnixNano: nanos(s.startTimeUnixNano),
            durationMillis: Number(nanos(s.endTimeUnixNano) - nanos(s.startTimeUnixNano)) / 1e6,
            events: ((s.events as AnyValue[] | undefined) ?? []).map((e) => ({
              name: String(e.name),
              attributes: attributes(e.attributes),
            })),
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
          into.logs.push({
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
          const data = (m.sum ?? m.gauge ?? m.histogram ?? m.exponentialHistogram) as
            { dataPoints?: AnyValue[]; aggregationTemporality?: unknown } | undefined;
          const temporality = TEMPORALITY[String(data?.aggregationTemporality)];
          into.metrics.push({
            name: String(m.name),
            unit: m.unit as string | undefined,
            resource,
            scope,
            ...(temporality ? { temporality } : {}),
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
