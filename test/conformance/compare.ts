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
 * Keys each root for pairing across sides: server spans by the request they answered (requests are sent one at a
 * time, so the n-th server root answers the n-th request), other roots (a lookup at start-up…) by name and order.
 */
function keyedRoots(app: ConformanceApp, spans: ReceivedSpan[]): Map<string, { label: string; node: Node }> {
  const out = new Map<string, { label: string; node: Node }>();
  let request = 0;
  const seen = new Map<string, number>();
  for (const node of forest(spans)) {
    if (node.span.kind === SERVER) {
      const sent = app.requests[request++];
      const label = sent === undefined ? `[server span beyond the requests sent]` : `[${sent}]`;
      out.set(label, { label, node });
    } else {
      const n = (seen.get(node.span.name) ?? 0) + 1;
      seen.set(node.span.name, n);
      out.set(`outside ${node.span.name} ${n}`, { label: `[outside a request${n > 1 ? ` #${n}` : ''}]`, node });
    }
  }
  return out;
}

function compareSpan(path: string, a: ReceivedSpan, b: ReceivedSpan, out: string[]): void {
  if (a.kind !== b.kind) out.push(`${path}: kind otelkit ${KIND[a.kind]}, upstream ${KIND[b.kind]}`);
  if (a.name !== b.name) out.push(`${path}: name otelkit ${show(a.name)}, upstream ${show(b.name)}`);
  const [sa, sb] = [STATUS[a.status.code ?? 0], STATUS[b.status.code ?? 0]];
  if (sa !== sb) out.push(`${path}: status otelkit ${sa}, upstream ${sb}`);
  else {
    const [ma, mb] = [normalise('', a.status.message ?? ''), normalise('', b.status.message ?? '')];
    if (ma !== mb) out.push(`${path}: status message otelkit ${show(ma)}, upstream ${show(mb)}`);
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

/** Every span of a tree, depth first, children in start order, with its parent node. */
function flatten(root: Node): { node: Node; parent: Node | undefined }[] {
  const out: { node: Node; parent: Node | undefined }[] = [];
  const walk = (node: Node, parent: Node | undefined) => {
    out.push({ node, parent });
    for (const child of node.children) walk(child, node);
  };
  walk(root, undefined);
  return out;
}

/**
 * Compares two traces of one request. Spans pair up by name and kind in tree order (then, for a span renamed, by
 * kind and instrumentation scope); a span only one side has is reported once, and a span's parent is its nearest
 * ancestor that both sides have: an extra middleware layer on one side shows as that layer, not as a different
 * parent of everything below it.
 */
function compareTrace(label: string, a: Node, b: Node, out: string[]): void {
  const [fa, fb] = [flatten(a), flatten(b)];
  const partner = new Map<Node, Node>([
    [a, b],
    [b, a],
  ]);
  const pairUp = (same: (x: ReceivedSpan, y: ReceivedSpan) => boolean) => {
    for (const { node: nb } of fb) {
      if (partner.has(nb)) continue;
      const match = fa.find(({ node: na }) => !partner.has(na) && same(na.span, nb.span));
      if (match) {
        partner.set(match.node, nb);
        partner.set(nb, match.node);
      }
    }
  };
  pairUp((x, y) => x.name === y.name && x.kind === y.kind);
  pairUp((x, y) => x.kind === y.kind && x.scope === y.scope);

  const parents = new Map<Node, Node | undefined>([...fa, ...fb].map(({ node, parent }) => [node, parent]));
  const pairedAncestor = (node: Node) => {
    let p = parents.get(node);
    while (p && !partner.has(p)) p = parents.get(p);
    return p;
  };
  // A span is named by upstream's names where both sides have the span.
  const nameOf = (node: Node) => (fb.some((x) => x.node === node) ? node : (partner.get(node) ?? node)).span.name;
  const pathOf = (node: Node): string => {
    const names: string[] = [];
    for (let n: Node | undefined = node; n; n = parents.get(n)) names.unshift(nameOf(n));
    return `${label} ${names.join(' > ')}`;
  };
  for (const { node: nb } of fb) {
    const na = partner.get(nb);
    if (!na) {
      out.push(`${pathOf(nb)}: span only upstream (${KIND[nb.span.kind]}, ${nb.span.scope})`);
      continue;
    }
    const here = pathOf(nb);
    compareSpan(here, na.span, nb.span, out);
    if (nb === b) continue;
    const [pa, pb] = [pairedAncestor(na), pairedAncestor(nb)];
    if (pa && pb && partner.get(pa) !== pb) {
      out.push(`${here}: parent otelkit ${show(nameOf(pa))}, upstream ${show(nameOf(pb))}`);
    }
  }
  for (const { node: na } of fa) {
    if (!partner.has(na)) out.push(`${pathOf(na)}: span only otelkit (${KIND[na.span.kind]}, ${na.span.scope})`);
  }
}

function compareTraces(app: ConformanceApp, a: ReceivedSpan[], b: ReceivedSpan[], out: string[]): void {
  const [ra, rb] = [keyedRoots(app, a), keyedRoots(app, b)];
  for (const key of new Set([...rb.keys(), ...ra.keys()])) {
    const [xa, xb] = [ra.get(key), rb.get(key)];
    if (xa && xb) compareTrace(xb.label, xa.node, xb.node, out);
    else if (xa) out.push(`${xa.label} ${xa.node.span.name}: trace only otelkit (${xa.node.span.scope})`);
    else if (xb) out.push(`${xb.label} ${xb.node.span.name}: trace only upstream (${xb.node.span.scope})`);
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
  // Lines are paired per logger, not by their place in stdout: pino's default destination (sonic-boom) writes
  // asynchronously, so its line can land after the next request's bunyan line in either run.
  const byLogger = (lines: Record<string, unknown>[], via: unknown) => lines.filter((line) => line.via === via);
  const loggers = [...new Set([...lb, ...la].map((line) => line.via))];
  const pairs = loggers.flatMap((via) => {
    const [oa, ob] = [byLogger(la, via), byLogger(lb, via)];
    return Array.from({ length: Math.max(oa.length, ob.length) }, (_, k) => [oa[k], ob[k]] as const);
  });
  for (let i = 0; i < pairs.length; i++) {
    const [a, b] = pairs[i];
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

/** Where otelkit's routes differ from what the app's table entry says SPEC 5 asks for. */
function checkRoutes(app: ConformanceApp, otelkit: Capture, out: string[]): void {
  if (!app.routes) return;
  const roots = keyedRoots(app, otelkit.spans);
  for (const request of app.requests) {
    const expected = app.routes[request];
    const got = roots.get(`[${request}]`)?.node.span.attributes['http.route'];
    if (got !== expected) out.push(`otelkit route of [${request}]: ${show(got ?? null)}, SPEC 5 asks ${show(expected ?? null)}`);
  }
  const expected = [...new Set(Object.values(app.routes).filter((r) => r !== undefined))].sort();
  const got = new Set<string>();
  for (const m of otelkit.metrics.filter((x) => x.name === 'http.server.request.duration')) {
    for (const p of m.dataPoints) if (typeof p.attributes['http.route'] === 'string') got.add(p.attributes['http.route']);
  }
  if (show([...got].sort()) !== show(expected)) {
    out.push(`otelkit routes on http.server.request.duration: ${show([...got].sort())}, SPEC 5 asks ${show(expected)}`);
  }
}

/**
 * Every difference between the two sides' telemetry, one readable line each, in a stable order; and where otelkit's
 * routes fall short of SPEC 5 (a gap upstream may share).
 */
export function compareCaptures(app: ConformanceApp, otelkit: Capture, upstream: Capture): string[] {
  const out: string[] = [];
  otelkit.responses.forEach((r, i) => {
    const u = upstream.responses[i];
    if (r.status !== u?.status || r.body !== u?.body) {
      out.push(`response to ${r.label}: otelkit ${r.status} ${show(r.body)}, upstream ${u?.status} ${show(u?.body)}`);
    }
  });
  compareTraces(app, otelkit.spans, upstream.spans, out);
  checkRoutes(app, otelkit, out);
  compareMetrics(otelkit.metrics, upstream.metrics, out);
  compareLogRecords(otelkit.logs, upstream.logs, out);
  compareLoggerLines(otelkit, upstream, out);
  return out;
}
