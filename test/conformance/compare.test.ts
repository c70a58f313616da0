// The normaliser on made-up captures: what it reports, what it masks, and that an extra layer is reported once.
import { describe, expect, it } from 'vitest';
import type { ReceivedLog, ReceivedMetric, ReceivedSpan } from '../harness/otlp-receiver';
import type { ConformanceApp } from './apps';
import { compareCaptures } from './compare';
import type { Capture } from './run';

const APP: ConformanceApp = { name: 'made-up', covers: '', fixture: 'none.cjs', requests: ['GET /users/7', 'GET /nope'] };

let clock = 0n;
function span(name: string, kind: number, parent: ReceivedSpan | undefined, extra: Partial<ReceivedSpan> = {}): ReceivedSpan {
  clock += 1000n;
  const id = (clock / 1000n).toString(16).padStart(16, '0');
  return {
    traceId: parent?.traceId ?? id.padStart(32, '0'),
    spanId: id,
    parentSpanId: parent?.spanId ?? '',
    name,
    kind,
    attributes: {},
    resource: {},
    scope: 'scope',
    status: {},
    startTimeUnixNano: clock,
    durationMillis: 1,
    events: [],
    ...extra,
  };
}

function capture(side: Capture['side'], spans: ReceivedSpan[], more: Partial<Capture> = {}): Capture {
  const responses = APP.requests.map((label) => ({ label, status: 200, body: 'ok' }));
  return { side, spans, metrics: [], logs: [], stdout: '', stderr: '', responses, ...more };
}

/** Two requests' traces: a server span with a query under it, and a 404. */
function traces(options: { middleware?: boolean; route?: boolean; port?: number; queryParent?: 'server' | 'other' } = {}) {
  const root = span(options.route === false ? 'GET' : 'GET /users/:id', 2, undefined, {
    attributes: {
      'http.route': '/users/:id',
      'server.port': options.port ?? 1,
      'url.full': `http://127.0.0.1:${options.port ?? 1}/users/7`,
    },
  });
  if (options.route === false) delete root.attributes['http.route'];
  const layer = options.middleware ? span('middleware - json', 1, root) : undefined;
  const other = options.queryParent === 'other' ? span('other', 1, root) : undefined;
  const query = span('pg.query', 3, other ?? layer ?? root);
  const nope = span('GET', 2, undefined);
  return [root, layer, other, query, nope].filter((s): s is ReceivedSpan => s !== undefined);
}

describe('compareCaptures', () => {
  it('finds nothing between two runs that differ in ids, times and ports only', () => {
    expect(compareCaptures(APP, capture('otelkit', traces({ port: 4000 })), capture('upstream', traces({ port: 5000 })))).toEqual(
      [],
    );
  });

  it('reports a middle layer only one side has once, and the span below it keeps its parent', () => {
    expect(compareCaptures(APP, capture('otelkit', traces()), capture('upstream', traces({ middleware: true })))).toEqual([
      '[GET /users/7] GET /users/:id > middleware - json: span only upstream (INTERNAL, scope)',
    ]);
  });

  it('reports a span hung under another parent, a renamed server span and a missing attribute', () => {
    const theirs = traces({ queryParent: 'other' });
    const ours = traces({ route: false });
    ours.splice(1, 0, span('other', 1, ours[0]));
    expect(compareCaptures(APP, capture('otelkit', ours), capture('upstream', theirs))).toEqual([
      '[GET /users/7] GET /users/:id: name otelkit "GET", upstream "GET /users/:id"',
      '[GET /users/7] GET /users/:id: attribute http.route only upstream',
      '[GET /users/7] GET /users/:id > other > pg.query: parent otelkit "GET /users/:id", upstream "other"',
    ]);
  });

  it('reports metrics, their attribute keys and values, log records and logger lines', () => {
    const metric = (attributes: Record<string, unknown>, name = 'http.server.request.duration'): ReceivedMetric => ({
      name,
      unit: 's',
      resource: {},
      scope: 's',
      dataPoints: [{ attributes, count: 1 }],
    });
    const log = (attributes: Record<string, unknown>): ReceivedLog => ({
      body: 'x',
      traceId: 't',
      spanId: 's',
      attributes,
      resource: {},
      scope: 'pino',
    });
    const [ours, theirs] = [traces(), traces()];
    const line = (fields: Record<string, unknown>) => `${JSON.stringify({ via: 'pino', ...fields })}\n`;
    const a = capture('otelkit', ours, {
      metrics: [metric({ 'http.route': '/a', 'server.port': 1 }), metric({}, 'only.ours')],
      logs: [log({ request_id: 'r' })],
      stdout: line({ trace_id: ours[0].traceId, span_id: ours[0].spanId, request_id: 'r' }),
    });
    const b = capture('upstream', theirs, {
      metrics: [metric({ 'http.route': '/b', 'url.scheme': 'http', 'server.port': 2 })],
      logs: [log({}), log({})],
      stdout: line({ trace_id: theirs[1].traceId, span_id: theirs[1].spanId, trace_flags: '01' }),
    });
    expect(compareCaptures(APP, a, b)).toEqual([
      'metric http.server.request.duration: http.route values otelkit ["/a"], upstream ["/b"]',
      'metric http.server.request.duration: attribute url.scheme only upstream',
      'metric only.ours: only otelkit',
      'log records from pino: count otelkit 1, upstream 2',
      'log records from pino: with trace context otelkit 1, upstream 2',
      'log records from pino: attribute request_id only otelkit',
      'log line 1 (pino): field trace_flags only upstream',
      'log line 1 (pino): field request_id only otelkit',
      'log line 1 (pino): span_id names span otelkit "GET /users/:id", upstream "pg.query"',
    ]);
  });

  it('pairs logger lines per logger, whatever order they reached stdout in, and reports a line only one side printed', () => {
    const [ours, theirs] = [traces(), traces()];
    const lines = (...vias: string[]) => vias.map((via) => `${JSON.stringify({ via })}\n`).join('');
    const swapped = compareCaptures(
      APP,
      capture('otelkit', ours, { stdout: lines('winston', 'bunyan', 'pino') }),
      capture('upstream', theirs, { stdout: lines('winston', 'pino', 'bunyan') }),
    );
    expect(swapped).toEqual([]);
    const missing = compareCaptures(
      APP,
      capture('otelkit', ours, { stdout: lines('winston', 'bunyan') }),
      capture('upstream', theirs, { stdout: lines('winston', 'pino', 'bunyan') }),
    );
    expect(missing).toEqual(['log line 2 (pino): otelkit printed null, upstream "pino"']);
  });

  it('reports a different answer to a request, and a route SPEC 5 asks for that otelkit lacks', () => {
    const app = { ...APP, routes: { 'GET /users/7': '/users/:id', 'GET /nope': undefined } };
    const ours = capture('otelkit', traces({ route: false }));
    ours.responses[1] = { label: 'GET /nope', status: 500, body: 'broken' };
    expect(compareCaptures(app, ours, capture('upstream', traces({ route: false })))).toEqual([
      'response to GET /nope: otelkit 500 "broken", upstream 200 "ok"',
      'otelkit route of [GET /users/7]: null, SPEC 5 asks "/users/:id"',
      'otelkit routes on http.server.request.duration: [], SPEC 5 asks ["/users/:id"]',
    ]);
  });
});
