// The normaliser: turns what otelkit and the upstream register exported for the same app and requests into one
// readable line per difference (span tree, attributes, status, metrics, log records, logger lines).
// Ids, timestamps and durations are never compared; ports are masked; everything else is compared as is.
import type { ReceivedLog, ReceivedMetric, ReceivedSpan } from '../harness/otlp-receiver';
import type { ConformanceApp } from './apps';
import type { Capture } from './run';

const KIND = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS = ['UNSET', 'OK', 'ERROR'];
const SERVER = 2;

/** Fields on a logger's own lines that tie it to a trace or request. */
export const CORRELATION_FIELDS = ['trace_id', 'span_id', 'trace_flags', 'request_id'] as const;

/** Loopback ports are picked by the OS per run: they are masked wherever they appear. */
function normalise(key: string, value: unknown): unknown {
  if (/(^|\.)port$/.test(key)) return '<port>';
  if (typeof value === 'string') return value.replace(/(127\.0\.0\.1|localhost|\[::1\]):\d+/g, '$1:<port>');
  if (Array.isArray(value)) return value.map((v) => normalise('', v));
  return value;
}

const show = (v: unknown) => JSON.stringify(v);

interface Node {
  span: ReceivedSpan;
  children: Node[];
}

function byStart(a: Node, b: Node): number {
  return a.span.startTimeUnixNano < b.span.startTimeUnixNano ? -1 : a.span.startTimeUnixNano > b.span.startTimeUnixNano ? 1 : 0;
}

function forest(spans: ReceivedSpan[]): Node[] {
  const nodes = new Map(spans.map((s) => [s.spanId, { span: s, children: [] as Node[] }]));
  const roots: Node[] = [];
  for (const node of nodes.values()) {
    const parent = node.span.parentSpanId ? nodes.get(node.span.parentSpanId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  for (const node of nodes.values()) node.children.sort(byStart);
  return roots.sort(byStart);
}

/**
 * Labels each root: server spans by the request they answered (requests are sent one at a time, so the n-th server
 * root answers the n-th request), other roots (connections opened at start-up…) by their name.
 */
function labelledRoots(app: ConformanceApp, spans: ReceivedSpan[]): Map<string, Node> {
  const out = new Map<string, Node>();
  let request = 0;
  const seen = new Map<string, number>();
  for (const root of forest(spans)) {
    let label: string;
    if (root.span.kind === SERVER) {
      label = app.requests[request] !== undefined ? `[${app.requests[request]}]` : `[server span beyond the requests sent]`;
      request++;
    } else label = `[outside a request]`;
    const n = (seen.get(label + root.span.name) ?? 0) + 1;
    seen.set(label + root.span.name, n);
    // Two roots outside requests with one name stay apart: the second is "#2".
    out.set(root.span.kind === SERVER ? label : `${label} ${root.span.name}${n > 1 ? ` #${n}` : ''}`, root);
  }
  return out;
}

function compareSpan(path: string, a: ReceivedSpan, b: ReceivedSpan, out: string[]): void {
  if (a.kind !== b.kind) out.push(`${path}: kind otelkit ${KIND[a.kind]}, upstream ${KIND[b.kind]}`);
  if (a.name !== b.name) out.push(`${path}: name otelkit ${show(a.name)}, upstream ${show(b.name)}`);
  const [sa, sb] = [STATUS[a.status.code ?? 0], STATUS[b.status.code ?? 0]];
  if (sa !== sb) out.push(`${path}: status otelkit ${sa}, upstream ${sb}`);
  else if ((a.status.message ?? '') !== (b.status.message ?? '')) {
    out.push(`${path}: status message otelkit ${show(a.status.message ?? '')}, upstream ${show(b.status.message ?? '')}`);
  }
  const keys = [...new Set([...Object.keys(a.attributes), ...Object.keys(b.attributes)])].sort();
  for (const key of keys) {
    const [inA, inB] = [key in a.attributes, key in b.attributes];
    if (!inB) out.push(`${path}: attribute ${key} only otelkit`);
    else if (!inA) out.push(`${path}: attribute ${key} only upstream`);
    else {
      const [va, vb] = [show(normalise(key, a.attributes[key])), show(normalise(key, b.attributes[key]))];
      if (va !== vb) out.push(`${path}: attribute ${key} otelkit ${va}, upstream ${vb}`);
    }
  }
  const [ea, eb] = [a.events.map((e) => e.name), b.events.map((e) => e.name)];
  if (show(ea) !== show(eb)) out.push(`${path}: events otelkit ${show(ea)}, upstream ${show(eb)}`);
}

/** Pairs children by name and kind (in start order), then what is left by kind and instrumentation scope. */
function pair(a: Node[], b: Node[]): { pairs: [Node, Node][]; restA: Node[]; restB: Node[] } {
  const restA = [...a];
  const pairs: [Node, Node][] = [];
  const restB: Node[] = [];
  for (const nb of b) {
    const i = restA.findIndex((na) => na.span.name === nb.span.name && na.span.kind === nb.span.kind);
    if (i >= 0) pairs.push([restA.splice(i, 1)[0], nb]);
    else restB.push(nb);
  }
  for (const nb of [...restB]) {
    const i = restA.findIndex((na) => na.span.kind === nb.span.kind && na.span.scope === nb.span.scope);
    if (i < 0) continue;
    pairs.push([restA.splice(i, 1)[0], nb]);
    restB.splice(restB.indexOf(nb), 1);
  }
  return { pairs, restA, restB };
}

/**
 * Compares two lists of sibling spans. A span only one side has is reported once; its children are then compared
 * one level up, so a missing middleware span does not also report every span below it.
 */
function align(path: string, a: Node[], b: Node[], out: string[]): void {
  const { pairs, restA, restB } = pair(a, b);
  for (const [na, nb] of pairs) {
    const here = `${path} > ${nb.span.name}`;
    compareSpan(here, na.span, nb.span, out);
    align(here, na.children, nb.children, out);
  }
  for (const n of restA) out.push(`${path} > ${n.span.name}: span only otelkit (${KIND[n.span.kind]}, ${n.span.scope})`);
  for (const n of restB) out.push(`${path} > ${n.span.name}: span only upstream (${KIND[n.span.kind]}, ${n.span.scope})`);
  const [subA, subB] = [restA.flatMap((n) => n.children), restB.flatMap((n) => n.children)];
  if (subA.length > 0 || subB.length > 0) align(path, subA.sort(byStart), subB.sort(byStart), out);
}

function compareTraces(app: ConformanceApp, a: ReceivedSpan[], b: ReceivedSpan[], out: string[]): void {
  const [ra, rb] = [labelledRoots(app, a), labelledRoots(app, b)];
  for (const label of new Set([...rb.keys(), ...ra.keys()])) {
    const [na, nb] = [ra.get(label), rb.get(label)];
    if (na && nb) {
      const path = `${label} ${nb.span.name}`;
      compareSpan(path, na.span, nb.span, out);
      align(path, na.children, nb.children, out);
    } else if (na) out.push(`${label} ${na.span.name}: trace only otelkit`);
    else if (nb) out.push(`${label} ${nb.span.name}: trace only upstream`);
  }
}

// Runtime metrics carry what the process happened to do (a GC kind, an event-loop state): their keys are compared,
// not their values.
const RUNTIME_METRIC = /^(v8js|nodejs|process|jsruntime)\./;

function metricShape(metrics: ReceivedMetric[]): Map<string, { unit: string; keys: Map<string, Set<string>> }> {
  const out = new Map<string, { unit: string; keys: Map<string, Set<string>> }>();
  for (const m of metrics) {
    const entry = out.get(m.name) ?? { unit: m.unit ?? '', keys: new Map<string, Set<string>>() };
    out.set(m.name, entry);
    for (const p of m.dataPoints) {
      for (const [key, value] of Object.entries(p.attributes)) {
        const values = entry.keys.get(key) ?? new Set<string>();
        entry.keys.set(key, values);
        values.add(show(normalise(key, value)));
      }
    }
  }
  return out;
}

function compareMetrics(a: ReceivedMetric[], b: ReceivedMetric[], out: string[]): void {
  const [ma, mb] = [metricShape(a), metricShape(b)];
  for (const name of [...new Set([...ma.keys(), ...mb.keys()])].sort()) {
    const [xa, xb] = [ma.get(name), mb.get(name)];
    if (!xb) out.push(`metric ${name}: only otelkit`);
    else if (!xa) out.push(`metric ${name}: only upstream`);
    else {
      if (xa.unit !== xb.unit) out.push(`metric ${name}: unit otelkit ${show(xa.unit)}, upstream ${show(xb.unit)}`);
      for (const key of [...new Set([...xa.keys.keys(), ...xb.keys.keys()])].sort()) {
        const [va, vb] = [xa.keys.get(key), xb.keys.get(key)];
        if (!vb) out.push(`metric ${name}: attribute ${key} only otelkit`);
        else if (!va) out.push(`metric ${name}: attribute ${key} only upstream`);
        else if (!RUNTIME_METRIC.test(name)) {
          const [sa, sb] = [[...va].sort().join(', '), [...vb].sort().join(', ')];
          if (sa !== sb) out.push(`metric ${name}: ${key} values otelkit [${sa}], upstream [${sb}]`);
        }
      }
    }
  }
}

interface LogShape {
  count: number;
  correlated: number;
  severities: string;
  keys: Set<string>;
}

function logShape(logs: ReceivedLog[]): Map<string, LogShape> {
  const out = new Map<string, LogShape>();
  for (const l of logs) {
    const entry = out.get(l.scope) ?? { count: 0, correlated: 0, severities: '', keys: new Set<string>() };
    out.set(l.scope, entry);
    entry.count++;
    if (l.traceId && l.spanId) entry.correlated++;
    for (const key of Object.keys(l.attributes)) entry.keys.add(key);
  }
  for (const [scope, entry] of out) {
    entry.severities = [...new Set(logs.filter((l) => l.scope === scope).map((l) => l.severityText ?? ''))].sort().join(',');
  }
  return out;
}

function compareLogRecords(a: ReceivedLog[], b: ReceivedLog[], out: string[]): void {
  const [la, lb] = [logShape(a), logShape(b)];
  for (const scope of [...new Set([...la.keys(), ...lb.keys()])].sort()) {
    const [xa, xb] = [la.get(scope), lb.get(scope)];
    const what = `log records from ${scope}`;
    if (!xb) out.push(`${what}: only otelkit`);
    else if (!xa) out.push(`${what}: only upstream`);
    else {
      if (xa.count !== xb.count) out.push(`${what}: count otelkit ${xa.count}, upstream ${xb.count}`);
      if (xa.correlated !== xb.correlated) {
        out.push(`${what}: with trace context otelkit ${xa.correlated}, upstream ${xb.correlated}`);
      }
      if (xa.severities !== xb.severities) out.push(`${what}: severities otelkit ${xa.severities}, upstream ${xb.severities}`);
      for (const key of [...new Set([...xa.keys, ...xb.keys])].sort()) {
        if (!xb.keys.has(key)) out.push(`${what}: attribute ${key} only otelkit`);
        else if (!xa.keys.has(key)) out.push(`${what}: attribute ${key} only upstream`);
      }
    }
  }
}

/** The JSON lines the app's own loggers printed; each conformance app marks them with a `via` field. */
function loggerLines(stdout: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const record = JSON.parse(line) as Record<string, unknown>;
      if (typeof record.via === 'string') out.push(record);
    } catch {
      // not a logger line
    }
  }
  return out;
}

function compareLoggerLines(capA: Capture, capB: Capture, out: string[]): void {
  const [la, lb] = [loggerLines(capA.stdout), loggerLines(capB.stdout)];
  const spanName = (cap: Capture, id: unknown) => cap.spans.find((s) => s.spanId === id)?.name;
  const count = Math.max(la.length, lb.length);
  for (let i = 0; i < count; i++) {
    const [a, b] = [la[i], lb[i]];
    const what = `log line ${i + 1} (${String((b ?? a).via)})`;
    if (!a || !b || a.via !== b.via) {
      out.push(`${what}: otelkit printed ${show(a?.via ?? null)}, upstream ${show(b?.via ?? null)}`);
      continue;
    }
    for (const field of CORRELATION_FIELDS) {
      if (field in a && !(field in b)) out.push(`${what}: field ${field} only otelkit`);
      else if (field in b && !(field in a)) out.push(`${what}: field ${field} only upstream`);
    }
    // Both name a span: the same span of the request (by name), and one that was exported.
    if ('span_id' in a && 'span_id' in b) {
      const [na, nb] = [spanName(capA, a.span_id) ?? '(no exported span)', spanName(capB, b.span_id) ?? '(no exported span)'];
      if (na !== nb) out.push(`${what}: span_id names span otelkit ${show(na)}, upstream ${show(nb)}`);
      const traceOf = (cap: Capture, id: unknown) => cap.spans.find((s) => s.spanId === id)?.traceId;
      if (traceOf(capA, a.span_id) !== a.trace_id) out.push(`${what}: otelkit trace_id is not its span's trace`);
      if (traceOf(capB, b.span_id) !== b.trace_id) out.push(`${what}: upstream trace_id is not its span's trace`);
    }
  }
}

/** Every difference between the two sides' telemetry, one readable line each, in a stable order. */
export function compareCaptures(app: ConformanceApp, otelkit: Capture, upstream: Capture): string[] {
  const out: string[] = [];
  otelkit.responses.forEach((r, i) => {
    const u = upstream.responses[i];
    if (r.status !== u?.status || r.body !== u?.body) {
      out.push(`response to ${r.label}: otelkit ${r.status} ${show(r.body)}, upstream ${u?.status} ${show(u?.body)}`);
    }
  });
  compareTraces(app, otelkit.spans, upstream.spans, out);
  compareMetrics(otelkit.metrics, upstream.metrics, out);
  compareLogRecords(otelkit.logs, upstream.logs, out);
  compareLoggerLines(otelkit, upstream, out);
  return out;
}
