// Every difference the conformance suite accepts between otelkit and the upstream register, with its reason.
// DELIBERATE: otelkit means it (docs/conformance.md explains each). KNOWN_GAPS: otelkit is wrong and a fix is under
// way; delete an entry once the fix merges. The suite fails on a difference no entry lists, and on an entry whose
// difference no longer occurs in one of its apps, so neither list can go stale.
import { ALL_APPS } from './apps';

export interface Difference {
  /** Short title for docs/conformance.md. */
  readonly title: string;
  /** Apps it occurs in: each must show it. */
  readonly apps: readonly string[];
  /** Matches finding lines from compare.ts (the whole line for a string, a search for a RegExp). */
  readonly finding: string | RegExp;
  readonly reason: string;
}

const EVERY_APP = ALL_APPS.map((a) => a.name);
/** Apps whose handler throws on GET /boom. */
const THROWING = ['express5', 'koa', 'hapi', 'restify'];
const EXPRESS = ['express5', 'express4', 'nest-express'];
/** Apps whose server resolves its listen address through dns.lookup (fastify does, even for an IP address). */
const LOOKS_UP_ITS_HOST = ['fastify5', 'fastify5-esm', 'fastify4', 'fastify4-esm', 'nest-fastify'];
/** Frameworks upstream 0.81.2 has no route for (no fastify instrumentation); otelkit captures theirs. */
const FASTIFY = ['fastify5', 'fastify5-esm', 'fastify4', 'fastify4-esm', 'nest-fastify'];

export const DELIBERATE: readonly Difference[] = [
  {
    title: 'no dns.lookup spans',
    apps: [...LOOKS_UP_ITS_HOST, 'clients', 'databases'],
    finding: /^\[outside a request( #\d+)?\] dns\.lookup: trace only upstream \(@opentelemetry\/instrumentation-dns\)$/,
    reason:
      'The dns and net instrumentations are off by default in otelkit (OTEL_NODE_ENABLED_INSTRUMENTATIONS turns them on): a span per lookup and per TCP connect costs every outgoing call and says little. Upstream has both on.',
  },
  {
    title: 'no tcp.connect and tls.connect spans',
    apps: ['clients', 'databases'],
    finding: /: (span only upstream \(INTERNAL, |trace only upstream \()@opentelemetry\/instrumentation-net\)$/,
    reason: 'The net instrumentation is off by default in otelkit, as dns is (above).',
  },
  {
    title: 'fetch and undici client spans: url.query and http.request.method_original only when they carry something',
    apps: ['clients'],
    finding: /^\[GET \/(fetch|undici|refused)\] GET > GET: attribute (url\.query|http\.request\.method_original) only upstream$/,
    reason:
      "otelkit's undici instrumentation follows the semantic conventions: url.query is absent when the URL has no query (upstream sets it to the empty string) and http.request.method_original is set only when it differs from http.request.method (upstream always sets it) (src/instrumentations/undici-client.ts).",
  },
  {
    title: 'request_id on server spans',
    apps: EVERY_APP,
    finding: /^\[.*: attribute request_id only otelkit$/,
    reason:
      "otelkit gives every incoming request an id (x-request-id or a new one) and puts it on the server span, so a trace is found from a log line or a user's report (SPEC 4).",
  },
  {
    title: "request_id on the app's log lines and log records",
    apps: ['loggers'],
    finding: /^(log records from .+: attribute|log line \d+ \((winston|pino|bunyan)\): field) request_id only otelkit$/,
    reason:
      "otelkit adds the request's id beside trace_id and span_id to the lines of the app's own winston, pino and bunyan loggers and to their OTLP records (SPEC 3), so logs of one request are found without a trace. trace_id, span_id and trace_flags are the same on both sides.",
  },
  {
    title: 'no span per express middleware or router layer',
    apps: EXPRESS,
    finding: /: span only upstream \(INTERNAL, @opentelemetry\/instrumentation-(express|router)\)$/,
    reason:
      "otelkit's express route capture names the request without a span per layer (upstream makes one per middleware, router and handler, which costs throughput and says little). OTELKIT_EXPRESS_MIDDLEWARE_SPANS=true loads upstream's express instrumentation and its spans come back; the router instrumentation stays off beside express, which would trace express 5's layers twice.",
  },
  {
    title: 'exception event on the server span of a request that threw',
    apps: [...THROWING, 'express4', 'fastify5', 'fastify5-esm', 'fastify4', 'fastify4-esm', 'nest-express', 'nest-fastify'],
    // Upstream names fastify's span by the method alone (see the fastify route entry).
    finding: /^\[GET \/boom\] GET( \/boom)?: events otelkit \["exception"\], upstream \[\]$/,
    reason:
      'A handler that throws marks the server span ERROR on both sides; otelkit also records the exception (type, message, stack) on it, so the error is readable from the trace and reaches Sentry (SPEC 5).',
  },
  {
    title: 'http.server.request.duration without url.scheme and network.protocol.version',
    apps: EVERY_APP,
    finding: /^metric http\.server\.request\.duration: attribute (url\.scheme|network\.protocol\.version) only upstream$/,
    reason:
      'The server duration keeps the attributes dashboards and alerts group by (method, route, status, error.type): the scheme and protocol version are the same on every point of a service and only multiply series. The span keeps both (src/metrics/views.ts).',
  },
  {
    title: 'http.client.request.duration without network.protocol.version',
    apps: EVERY_APP,
    finding: 'metric http.client.request.duration: attribute network.protocol.version only upstream',
    reason:
      "As for the server duration: the client duration keeps method, server address and port, status and error.type (every app has client points: each side's OTLP exporter's own requests are counted).",
  },
  {
    title: 'http.client.request.duration of fetch and undici without url.scheme',
    apps: ['clients'],
    finding: 'metric http.client.request.duration: attribute url.scheme only upstream',
    reason: "Upstream's undici instrumentation adds url.scheme to the client duration; otelkit keeps the attribute set above.",
  },
  {
    title: "the SDK's own processor metrics",
    apps: EVERY_APP,
    finding: /^metric otel\.sdk\.processor\.(log|span)\.[a-z_.]+: only otelkit$/,
    reason:
      "otelkit reports its span and log processors' queue size, capacity and processed count (the semantic conventions' SDK metrics), so a full queue that drops telemetry shows on a dashboard.",
  },
  {
    title: 'fastify and NestJS on fastify: the route on the server span and the duration metric',
    apps: FASTIFY,
    finding:
      /^(\[[A-Z]+ [^\]]+\] [A-Z]+: (name otelkit "[A-Z]+ \/[^"]*", upstream "[A-Z]+"|attribute http\.route only otelkit)|metric http\.server\.request\.duration: attribute http\.route only otelkit)$/,
    reason:
      "otelkit captures fastify's route template (src/instrumentations/fastify-route.ts, docs/routes.md), as SPEC 5 asks; the pinned upstream register has no fastify instrumentation (it moved to @fastify/otel, which binds another @opentelemetry/instrumentation line), so its server span is named by the method alone and its duration has no route.",
  },
  {
    title: 'process and heap-limit metrics',
    apps: EVERY_APP,
    finding: /^metric (process\.cpu\.time|process\.memory\.usage|v8js\.memory\.heap\.limit): only otelkit$/,
    reason:
      'otelkit reports process CPU time, memory and the heap limit (SPEC 6: alerts on memory need them); upstream leaves process metrics to the host-metrics instrumentation, which is off by default.',
  },
];

export const KNOWN_GAPS: readonly Difference[] = [];
