// otelkit's own instrumentation of incoming HTTP requests; the upstream http instrumentation keeps the outgoing side.
// Same server span, attributes (stable semantic conventions), route naming and `http.server.request.duration`
// histogram as upstream, for less work per request:
// - req and res are not bound listener by listener (upstream patches six methods onto each of them, which
//   also changes their hidden class on every request); their own `emit` runs listeners in the request's
//   async context, captured once (OpenTelemetry's Context, which holds otelkit's request context too);
// - url.path and url.query come from splitting `req.url`, not from building a URL object;
// - no hook plumbing: otelkit's request id and client IP hooks are called directly; what the app configures
//   (header capture, known methods, ignored paths, upstream's hooks: ./http-options) costs only when configured.
import http, { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import { AsyncResource } from 'node:async_hooks';
import type { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { RPCType, suppressTracing, type RPCMetadata } from '@opentelemetry/core';
import type { HttpHooks } from '../request/http-hooks';
import { requestContextOf, withRequestContext } from '../request/request-context';
import { OwnHttpInstrumentation, SpanOnTop, normalizeMethod, spanMethod } from './http-common';
import { NOT_RECORDING, pathOf, type ServerOptions } from './http-options';
import { HTTP_SERVER_ATTRIBUTES } from '../metrics/views';

const HTTP_SERVER_SCOPE = 'otelkit/http-server';

// As upstream's enableSyntheticSourceDetection: user agents of synthetic tests and of bots.
const SYNTHETIC_TEST = ['alwayson'];
const SYNTHETIC_BOT = ['googlebot', 'bingbot'];

function syntheticType(userAgent: string): string | undefined {
  const text = userAgent.toLowerCase();
  if (SYNTHETIC_TEST.some((name) => text.includes(name))) return 'test';
  if (SYNTHETIC_BOT.some((name) => text.includes(name))) return 'bot';
  return undefined;
}

const kScope = Symbol('otelkit.requestScope');
// An AsyncResource captures the AsyncLocalStorage stores where it is created, OpenTelemetry's Context among them
// (cheaper than AsyncLocalStorage.snapshot(), which wraps one in a bound function).
const SCOPE_TYPE = 'otelkit.http.request';

/** Where a request's and its response's listeners run, and what ends the request's span. */
class RequestScope extends AsyncResource {
  constructor(readonly end?: (error?: Error) => void) {
    super(SCOPE_TYPE);
  }
}

type Scoped = { [kScope]?: RequestScope };
type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;

// Listeners Node's http server adds itself, which need no request scope: `resOnFinish` (bound) on the response's
// 'finish' (added before the 'request' event, so upstream's binding of listeners does not wrap it either) and
// `clearIncoming` on the request's 'end'. Every request has both; an event whose only listener is one of them is
// emitted as if it had none. Matched by name: a Node that names them otherwise gets the scope, as any listener does.
const NODE_LISTENERS = new Set(['bound resOnFinish', 'clearIncoming']);

/** Whether `event`'s listeners need the request's scope ('error' always does: with no listener it throws). */
function needsScope(emitter: EventEmitter, event: string | symbol): boolean {
  if (event === 'error') return true;
  // EventEmitter keeps one listener as the function itself and several as an array (what listenerCount reads).
  const listeners = (emitter as { _events?: Record<string | symbol, unknown> })._events?.[event];
  return listeners !== undefined && (typeof listeners !== 'function' || !NODE_LISTENERS.has(listeners.name));
}

/** url.path and url.query of an origin-form target (`/a/b?c=d`); other forms go through the URL parser. */
function splitTarget(target: string, scheme: string, redactQuery: (query: string) => string): { path?: string; query?: string } {
  let path: string;
  let query: string | undefined;
  if (target.charCodeAt(0) === 47) {
    const mark = target.indexOf('?');
    path = mark < 0 ? target : target.slice(0, mark);
    query = mark < 0 ? undefined : target.slice(mark + 1);
  } else {
    try {
      const url = new URL(target, `${scheme}://localhost`);
      path = url.pathname;
      query = url.search.slice(1);
    } catch {
      return {};
    }
  }
  return { path, query: query ? redactQuery(query) : undefined };
}

/** server.address and server.port from the Host header (`name`, `name:port`, `[v6]:port`). */
function hostOf(host: string | undefined): { address?: string; port?: number } {
  if (!host) return {};
  const close = host.charCodeAt(0) === 91 ? host.indexOf(']') : -1;
  const colon = host.indexOf(':', close < 0 ? 0 : close);
  if (colon < 0) return { address: close < 0 ? host : host.slice(1, close) };
  const port = Number(host.slice(colon + 1));
  return { address: close < 0 ? host.slice(0, colon) : host.slice(1, close), port: Number.isInteger(port) ? port : undefined };
}

function requestAttributes(req: IncomingMessage, scheme: string, method: string, options: ServerOptions): Attributes {
  const headers = req.headers;
  const socket = req.socket;
  const { path, query } = splitTarget(req.url ?? '/', scheme, options.redactQuery);
  const { address, port } = hostOf(headers.host);
  const attributes: Attributes = {
    'http.request.method': method,
    'url.scheme': scheme,
    'url.path': path,
    'server.address': address,
    'server.port': port,
    'network.peer.address': socket?.remoteAddress,
    'network.peer.port': socket?.remotePort,
    'network.protocol.version': req.httpVersion,
    'user_agent.original': headers['user-agent'],
    // Forwarding headers can be written by anyone: the client is the peer unless OTELKIT_TRUSTED_PROXY_HEADER says.
    'client.address': socket?.remoteAddress,
  };
  if (query) attributes['url.query'] = query;
  if (method !== req.method) attributes['http.request.method_original'] = req.method;
  if (options.syntheticSource && headers['user-agent']) {
    attributes['user_agent.synthetic.type'] = syntheticType(headers['user-agent']);
  }
  // As upstream: the app's start-span attributes over the standard ones, captured headers over both.
  if (options.startSpanHook !== undefined) Object.assign(attributes, options.startSpanHook(req));
  options.captureRequestHeaders?.((name) => headers[name], attributes);
  return attributes;
}

/** Puts `make(original)` in place of `proto.emit`; the returned function puts the original back. */
function replaceEmit(proto: { emit: Emit }, make: (original: Emit) => Emit): () => void {
  const own = Object.prototype.hasOwnProperty.call(proto, 'emit');
  const original = proto.emit;
  const emit = make(original);
  proto.emit = emit;
  return () => {
    if (proto.emit !== emit) return; // wrapped again by someone else since: leave their wrapper in place
    if (own) proto.emit = original;
    else delete (proto as Partial<typeof proto>).emit;
  };
}

/**
 * Listeners of a request or response run in the scope it was tagged with (see the module comment). An event
 * nobody listens to needs no scope, and most of a request's and a response's events are such. With `ends`, a
 * response's 'close' and 'error' end its request's span before their listeners run (as a 'close' listener added
 * first and an `errorMonitor` listener would, without adding either to every response).
 */
const emitInScope =
  (ends: boolean) =>
  (original: Emit): Emit =>
    function emit(this: unknown, event: string | symbol, error?: unknown) {
      const scope = (this as Scoped)[kScope];
      if (scope === undefined) {
        // eslint-disable-next-line prefer-rest-params
        return Reflect.apply(original, this, arguments);
      }
      if (ends && (event === 'close' || event === 'error')) scope.end?.(event === 'error' ? (error as Error) : undefined);
      return needsScope(this as EventEmitter, event)
        ? // eslint-disable-next-line prefer-rest-params
          scope.runInAsyncScope(Reflect.apply, undefined, original, this, arguments)
        : // eslint-disable-next-line prefer-rest-params
          Reflect.apply(original, this, arguments);
    };

export class HttpServerInstrumentation extends OwnHttpInstrumentation {
  private restore: (() => void)[] = [];

  constructor(
    private readonly hooks: HttpHooks,
    private readonly options: ServerOptions,
  ) {
    super(HTTP_SERVER_SCOPE, {
      name: 'http.server.request.duration',
      description: 'Duration of HTTP server requests.',
      attributes: HTTP_SERVER_ATTRIBUTES,
    });
  }

  protected patch(): void {
    const instrumentation = this;
    for (const [Server, scheme] of [
      [http.Server, 'http'],
      [https.Server, 'https'],
    ] as const) {
      this.restore.push(
        replaceEmit(
          Server.prototype as unknown as { emit: Emit },
          (original) =>
            function emit(this: unknown, event) {
              // eslint-disable-next-line prefer-rest-params
              if (event !== 'request') return Reflect.apply(original, this, arguments);
              // eslint-disable-next-line prefer-rest-params
              return instrumentation.incoming(this, original, arguments as unknown as unknown[], scheme);
            },
        ),
      );
    }
    this.restore.push(replaceEmit(IncomingMessage.prototype as unknown as { emit: Emit }, emitInScope(false)));
    this.restore.push(replaceEmit(ServerResponse.prototype as unknown as { emit: Emit }, emitInScope(true)));
  }

  protected unpatch(): void {
    for (const undo of this.restore.splice(0).reverse()) undo();
  }

  private incoming(server: unknown, emit: Emit, args: unknown[], scheme: string): boolean {
    const req = args[1] as IncomingMessage & Scoped;
    const res = args[2] as ServerResponse & Scoped;
    const options = this.options;
    let ignored: 'own' | 'app' | undefined;
    let span!: Span, rpc!: RPCMetadata, ctx!: Context, method!: string, started!: number;
    // Only the instrumentation's own work is in this try: the app's handler must never run twice.
    try {
      if (this.hooks.ignoreIncomingRequestHook?.(req) === true) ignored = 'own';
      else if (
        (options.ignorePath !== undefined && options.ignorePath(pathOf(req.url))) ||
        (options.ignoreRequest !== undefined && options.ignoreRequest(req) === true)
      )
        ignored = 'app';
      if (ignored === undefined) {
        method = normalizeMethod(req.method || 'GET', options.knownMethods);
        // The request-id propagator puts the request context in: every hook and the handler run in `parent` or
        // below. Made here when the global propagator is not otelkit's (an app that registered its own first).
        let parent = propagation.extract(ROOT_CONTEXT, req.headers);
        if (requestContextOf(parent) === undefined) parent = withRequestContext(parent, this.hooks.requestContextFor(req));
        const attributes = requestAttributes(req, scheme, method, options);
        span = options.requireParent
          ? parentOnly(parent)
          : this.tracer.startSpan(spanMethod(method), { kind: SpanKind.SERVER, attributes }, parent);
        rpc = { type: RPCType.HTTP, span };
        ctx = new SpanOnTop(parent, span, rpc);
        started = performance.now();
      }
    } catch (err) {
      // The application's request comes first: served untraced.
      this.fault(err);
      return Reflect.apply(emit, server, args) as boolean;
    }
    if (ignored !== undefined) return this.untraced(server, emit, args, req, res, ignored === 'app');
    return context.with(ctx, () => {
      let ended = false;
      const end = (error?: Error) => {
        if (ended) return;
        ended = true;
        try {
          this.end(span, method, req, res, rpc, started, error);
        } catch (err) {
          this.fault(err);
        }
      };
      try {
        this.hooks.requestHook(span, req);
        this.hooks.responseHook(span, res);
        options.requestHook?.(span, req);
        options.responseHook?.(span, res);
        req[kScope] = res[kScope] = new RequestScope(end);
      } catch (err) {
        this.fault(err);
      }
      try {
        return Reflect.apply(emit, server, args) as boolean;
      } catch (error) {
        end(error instanceof Error ? error : new Error(String(error)));
        throw error;
      }
    });
  }

  /**
   * Served with tracing suppressed: nothing this request does is traced, and it counts in no metric (as upstream's
   * ignoreIncomingRequestHook). otelkit's own /metrics gets nothing else; a request the app ignores
   * (OTELKIT_HTTP_IGNORE_PATHS, its ignoreIncomingRequestHook) keeps its request id, echoed and in its log records.
   */
  private untraced(
    server: unknown,
    emit: Emit,
    args: unknown[],
    req: IncomingMessage & Scoped,
    res: ServerResponse & Scoped,
    withRequestId: boolean,
  ): boolean {
    let ctx = suppressTracing(context.active());
    if (withRequestId) {
      try {
        ctx = withRequestContext(ctx, this.hooks.requestContextFor(req));
      } catch (err) {
        this.fault(err);
      }
    }
    return context.with(ctx, () => {
      if (withRequestId) {
        try {
          this.hooks.requestHook(NOT_RECORDING, req);
          this.hooks.responseHook(NOT_RECORDING, res);
        } catch (err) {
          this.fault(err);
        }
      }
      req[kScope] = res[kScope] = new RequestScope();
      return Reflect.apply(emit, server, args) as boolean;
    });
  }

  private fault(err: unknown): void {
    this.failed(err, 'http server instrumentation', 'the request was served');
  }

  private end(
    span: Span,
    method: string,
    req: IncomingMessage,
    res: ServerResponse,
    rpc: RPCMetadata,
    started: number,
    error: Error | undefined,
  ): void {
    // Only what the duration keeps (HTTP_SERVER_ATTRIBUTES): upstream's url.scheme and network.protocol.version
    // would be dropped again by the histogram, or by otelkit's view on the SDK path.
    const metric: Attributes = { 'http.request.method': method };
    if (error) {
      // As upstream: an error ends the span before any status is known.
      span.setAttribute('error.type', error.name);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      span.recordException(error);
      metric['error.type'] = error.name;
    } else {
      const status = res.statusCode;
      span.setAttribute('http.response.status_code', status);
      metric['http.response.status_code'] = status;
      // As upstream: 1xx to 4xx leave the status unset, anything else is an error; a 5xx is error.type on the span
      // (since instrumentation-http 0.300) and on the metric.
      if (!(status >= 100 && status < 500)) span.setStatus({ code: SpanStatusCode.ERROR });
      if (status >= 500 && status < 600) {
        span.setAttribute('error.type', String(status));
        metric['error.type'] = String(status);
      }
      const route = rpc.type === RPCType.HTTP ? rpc.route : undefined;
      if (route !== undefined) {
        span.setAttribute('http.route', route);
        span.updateName(`${spanMethod(method)} ${route}`);
        metric['http.route'] = route;
      }
      if (this.options.captureResponseHeaders !== undefined) {
        const captured: Attributes = {};
        this.options.captureResponseHeaders((name) => res.getHeader(name), captured);
        span.setAttributes(captured);
      }
      this.options.applyCustomAttributes?.(span, req, res);
    }
    span.end();
    this.duration?.record((performance.now() - started) / 1000, metric);
  }
}

/**
 * As upstream's requireParentforIncomingSpans: no span of this service's own; the remote parent's context carries
 * on (a non-recording span), or nothing when the request came without one. The duration is still recorded.
 */
function parentOnly(parent: Context): Span {
  const remote = trace.getSpan(parent);
  return remote !== undefined && trace.isSpanContextValid(remote.spanContext()) ? remote : NOT_RECORDING;
}
