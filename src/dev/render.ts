// Renders received telemetry for people: one block per trace with its span tree, durations and log lines.
import type { OtlpRecords, ReceivedSpan } from './otlp-records';

export interface RenderOptions {
  readonly color: boolean;
}

const STYLES = { dim: '2', bold: '1', red: '31', yellow: '33', green: '32', cyan: '36' } as const;

function painter(color: boolean) {
  return (style: keyof typeof STYLES, text: string) => (color ? `\x1b[${STYLES[style]}m${text}\x1b[0m` : text);
}

const SPAN_KIND = ['internal', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_ERROR = 2;

function spanLine(span: ReceivedSpan, depth: number, paint: ReturnType<typeof painter>): string {
  const failed = span.status.code === STATUS_ERROR;
  const name = failed ? paint('red', `${span.name} ✗`) : span.name;
  const kind = paint('dim', `[${SPAN_KIND[span.kind] ?? span.kind}]`);
  return `${'  '.repeat(depth + 1)}${name} ${kind} ${span.durationMillis.toFixed(1)} ms`;
}

/** Traces in the order their root started; spans nested under their parents. */
export function renderTraces(records: Pick<OtlpRecords, 'spans' | 'logs'>, options: RenderOptions): string {
  const paint = painter(options.color);
  const byTrace = new Map<string, ReceivedSpan[]>();
  for (const span of records.spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
  const traces = [...byTrace.entries()].sort(([, a], [, b]) => (minStart(a) < minStart(b) ? -1 : 1));
  const out: string[] = [];
  for (const [traceId, spans] of traces) {
    const ids = new Set(spans.map((s) => s.spanId));
    const roots = spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
    const root = roots.find((s) => s.kind === 2) ?? roots[0]!;
    const status = root.attributes['http.response.status_code'];
    const requestId = root.attributes['http.request.header.x-request-id'] ?? root.attributes['request_id'];
    out.push(
      paint('bold', `${root.name}${status === undefined ? '' : ` → ${String(status)}`}`) +
        paint('dim', `  trace_id=${traceId}${requestId === undefined ? '' : ` request_id=${String(requestId)}`}`),
    );
    const walk = (span: ReceivedSpan, depth: number): void => {
      out.push(spanLine(span, depth, paint));
      for (const child of spans.filter((s) => s.parentSpanId === span.spanId).sort(byStart)) walk(child, depth + 1);
    };
    for (const r of roots.sort(byStart)) walk(r, 0);
    for (const log of records.logs.filter((l) => l.traceId === traceId)) {
      const level = String(log.severityText ?? '').toUpperCase();
      const colour =
        log.severityNumber !== undefined && log.severityNumber >= 17
          ? 'red'
          : log.severityNumber !== undefined && log.severityNumber >= 13
            ? 'yellow'
            : 'cyan';
      out.push(`    ${paint(colour, `log ${level}`)} ${String(log.body)} ${paint('dim', `span_id=${log.spanId}`)}`);
    }
    out.push('');
  }
  return out.join('\n');
}

function byStart(a: ReceivedSpan, b: ReceivedSpan): number {
  return a.startTimeUnixNano < b.startTimeUnixNano ? -1 : a.startTimeUnixNano > b.startTimeUnixNano ? 1 : 0;
}

function minStart(spans: ReceivedSpan[]): bigint {
  return spans.reduce((min, s) => (s.startTimeUnixNano < min ? s.startTimeUnixNano : min), spans[0]!.startTimeUnixNano);
}
