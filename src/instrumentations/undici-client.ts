// otelkit's own instrumentation of outgoing requests made with fetch or the undici package, through undici's
// diagnostics channels as upstream's. Same client span, `http.client.request.duration` histogram and propagation,
// for less work per request:
// - url.* and server.* come from splitting `request.path` and from the request's origin, parsed once per origin
//   (upstream builds a URL object per request);
// - propagation writes straight into the request's headers, with the span set on the parent context in one small
//   object (not a copied context);
// - the metric carries only what otelkit's view keeps (../metrics/views.ts).
// As the semantic conventions say (upstream differs): url.query has no leading `?` and is absent when empty, and
// http.request.method_original is set only when it differs from http.request.method.
// Upstream's options (hooks, header capture, requireParentforSpans) and the variables come through ./http-options.
import diagnosticsChannel from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type TextMapSetter,
} from '@opentelemetry/api';
import { OwnHttpInstrumentation, SpanOnTop, normalizeMethod, spanMethod } from './http-common';
import { NOT_RECORDING, type UndiciOptions } from './http-options';
import type { UndiciRequest as UpstreamUndiciRequest, UndiciResponse } from '../config/instrumentation-options';
import { HTTP_CLIENT_ATTRIBUTES } from '../metrics/views';

const UNDICI_SCOPE = 'otelkit/undici';
const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };
// Origins a process talks to are few; past this many the cache starts over rather than grow.
const MAX_ORIGINS = 256;

/** The parts of undici's request object the channels hand over (undici 5 to 7). */
interface UndiciRequest {
  readonly origin?: string | URL;
  readonly path: string;
  readonly method: string;
  headers: string | (string | string[])[];
  addHeader?(name: string, value: string): unknown;
}

// The channels' messages, as far as they are read here.
interface Created {
  readonly request: UndiciRequest;
}
interface SentHeaders extends Created {
  readonly socket: { readonly remoteAddress?: string; readonly remotePort?: number; readonly alpnProtocol?: string | false };
}
interface Answered extends Created {
  readonly response: { readonly statusCode: number; readonly headers?: Buffer[] };
}
interface Failed extends Created {
  readonly error: Error & { code?: string };
}

interface Origin {
  readonly text: string;
  readonly scheme: string;
  readonly address: string;
  readonly port?: number;
}

interface Pending {
  readonly span: Span;
  readonly started: number;
  readonly metric: Attributes;
}

/** A header set on the request at its creation, whichever shape undici keeps headers in. */
const SETTER: TextMapSetter<UndiciRequest> = {
  set(request, name, value) {
    if (typeof request.addHeader === 'function') request.addHeader(name, value);
    else if (typeof request.headers === 'string') request.headers += `${name}: ${value}\r\n`;
    else if (Array.isArray(request.headers)) request.headers.push(name, value);
  },
};

/** The last user-agent header (as curl does), from undici 6+'s flat array or undici 5's raw string. */
function userAgentOf(headers: UndiciRequest['headers']): string | undefined {
  let found: string | undefined;
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i];
      if (typeof name === 'string' && name.length === 10 && name.toLowerCase() === 'user-agent') {
        const value = headers[i + 1];
        found = Array.isArray(value) ? value[value.length - 1] : value;
      }
    }
  } else if (typeof headers === 'string') {
    for (const line of headers.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon === 10 && line.slice(0, 10).toLowerCase() === 'user-agent') found = line.slice(11).trim();
    }
  }
  return found;
}

/** The values of `name` among the request's headers, in upstream's shapes (the last entry wins in undici 6+'s array). */
function requestHeader(headers: UndiciRequest['headers'], name: string): string | string[] | undefined {
  let found: string | string[] | undefined;
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      const key = headers[i];
      if (typeof key === 'string' && key.toLowerCase() === name) found = headers[i + 1];
    }
  } else if (typeof headers === 'string') {
    const values: string[] = [];
    for (const line of headers.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0 && line.slice(0, colon).toLowerCase() === name) values.push(line.slice(colon + 1).trim());
    }
    found = values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
  }
  return found;
}

/** The values of `name` among the response's raw headers (name and value Buffers in turn). */
function responseHeader(headers: Buffer[] | undefined, name: string): string[] | undefined {
  let found: string[] | undefined;
  if (headers === undefined) return undefined;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (headers[i]!.toString().toLowerCase() === name) (found ??= []).push(headers[i + 1]!.toString());
  }
  return found;
}

export class UndiciClientInstrumentation extends OwnHttpInstrumentation {
  private readonly pending = new WeakMap<UndiciRequest, Pending>();
  private readonly origins = new Map<string, Origin | null>();
  // The handlers are methods taking the channel's message, so an event allocates no closure.
  private readonly subscriptions: [string, (message: unknown) => void][] = [
    ['undici:request:create', (m) => this.guard(this.created, m as Created)],
    ['undici:client:sendHeaders', (m) => this.guard(this.sent, m as SentHeaders)],
    ['undici:request:headers', (m) => this.guard(this.answered, m as Answered)],
    ['undici:request:trailers', (m) => this.guard(this.done, m as Created)],
    ['undici:request:error', (m) => this.guard(this.failedRequest, m as Failed)],
  ];

  constructor(private readonly options: UndiciOptions) {
    super(UNDICI_SCOPE, {
      name: 'http.client.request.duration',
      description: 'Duration of HTTP client requests.',
      attributes: HTTP_CLIENT_ATTRIBUTES,
    });
  }

  protected patch(): void {
    for (const [name, onMessage] of this.subscriptions) diagnosticsChannel.subscribe(name, onMessage);
  }

  protected unpatch(): void {
    for (const [name, onMessage] of this.subscriptions) diagnosticsChannel.unsubscribe(name, onMessage);
  }

  /** A subscriber that throws would surface as the app's uncaught exception: nothing may leave these handlers. */
  private guard<M>(handle: (this: UndiciClientInstrumentation, message: M) => void, message: M): void {
    try {
      handle.call(this, message);
    } catch (err) {
      this.failed(err, 'fetch/undici instrumentation', 'the request went ahead');
    }
  }

  private originOf(request: UndiciRequest): Origin | null {
    const key = String(request.origin);
    let origin = this.origins.get(key);
    if (origin !== undefined) return origin;
    try {
      const url = new URL(key);
      const scheme = url.protocol.slice(0, -1);
      const port = url.port ? Number(url.port) : DEFAULT_PORTS[scheme];
      origin = { text: url.origin, scheme, address: url.hostname, port };
    } catch {
      origin = null;
    }
    if (this.origins.size >= MAX_ORIGINS) this.origins.clear();
    this.origins.set(key, origin);
    return origin;
  }

  private created({ request }: Created): void {
    if (request.method === 'CONNECT') return;
    const options = this.options;
    if (options.ignoreRequest !== undefined && options.ignoreRequest(request as UpstreamUndiciRequest) === true) return;
    const origin = this.originOf(request);
    if (origin === null) return;
    const path = request.path;
    const mark = path.indexOf('?');
    const method = normalizeMethod(request.method, options.knownMethods);
    const attributes: Attributes = {
      'http.request.method': method,
      'url.full': origin.text + path,
      'url.path': mark < 0 ? path : path.slice(0, mark),
      'url.scheme': origin.scheme,
      'server.address': origin.address,
      'server.port': origin.port,
    };
    if (mark >= 0 && mark < path.length - 1) attributes['url.query'] = path.slice(mark + 1);
    if (method !== request.method) attributes['http.request.method_original'] = request.method;
    const userAgent = userAgentOf(request.headers);
    if (userAgent !== undefined) attributes['user_agent.original'] = userAgent;
    if (options.startSpanHook !== undefined) Object.assign(attributes, options.startSpanHook(request as UpstreamUndiciRequest));
    const parent = context.active();
    const span = options.requireParent
      ? withParentOnly(parent, () => this.tracer.startSpan(spanMethod(method), { kind: SpanKind.CLIENT, attributes }, parent))
      : this.tracer.startSpan(spanMethod(method), { kind: SpanKind.CLIENT, attributes }, parent);
    const metric: Attributes = { 'http.request.method': method, 'server.address': origin.address, 'server.port': origin.port };
    this.pending.set(request, { span, started: performance.now(), metric });
    options.requestHook?.(span, request as UpstreamUndiciRequest);
    // Last, so that a propagator that throws costs the call its headers but not its span and metric.
    propagation.inject(new SpanOnTop(parent, span), request, SETTER);
  }

  private sent({ request, socket }: SentHeaders): void {
    const pending = this.pending.get(request);
    if (pending === undefined) return;
    // undici offers only `http/1.1` and, with allowH2, `h2`: anything but h2 is HTTP/1.1.
    const version = socket.alpnProtocol === 'h2' ? '2' : '1.1';
    const attributes: Attributes = {
      'network.peer.address': socket.remoteAddress,
      'network.peer.port': socket.remotePort,
      'network.protocol.version': version,
    };
    // Here, as upstream: after hooks and propagation have added theirs, just before the headers go out.
    this.options.captureRequestHeaders?.((name) => requestHeader(request.headers, name), attributes);
    pending.span.setAttributes(attributes);
  }

  private answered({ request, response }: Answered): void {
    const pending = this.pending.get(request);
    if (pending === undefined) return;
    const status = response.statusCode;
    this.options.responseHook?.(pending.span, {
      request: request as UpstreamUndiciRequest,
      response: response as UndiciResponse,
    });
    if (this.options.captureResponseHeaders !== undefined) {
      const captured: Attributes = {};
      this.options.captureResponseHeaders((name) => responseHeader(response.headers, name), captured);
      pending.span.setAttributes(captured);
    }
    pending.span.setAttribute('http.response.status_code', status);
    pending.metric['http.response.status_code'] = status;
    if (status >= 400) {
      pending.span.setAttribute('error.type', String(status));
      pending.span.setStatus({ code: SpanStatusCode.ERROR });
      pending.metric['error.type'] = String(status);
    }
  }

  private done({ request }: Created): void {
    const pending = this.pending.get(request);
    if (pending === undefined) return;
    this.pending.delete(request);
    pending.span.end();
    this.record(pending);
  }

  private failedRequest({ request, error }: Failed): void {
    const pending = this.pending.get(request);
    if (pending === undefined) return;
    this.pending.delete(request);
    const { span, metric } = pending;
    // A request cancelled through an AbortSignal is not an error (semantic conventions, as upstream).
    const aborted = error?.name === 'AbortError' || (error instanceof DOMException && error.code === DOMException.ABORT_ERR);
    if (!aborted) {
      const type = error?.code || error?.name || 'Error';
      span.setAttribute('error.type', type);
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error?.message });
      metric['error.type'] = type;
    }
    span.end();
    this.record(pending);
  }

  private record({ started, metric }: Pending): void {
    this.duration?.record((performance.now() - started) / 1000, metric);
  }
}

/** As upstream's requireParentforSpans: a span only under an active one; otherwise nothing is recorded. */
function withParentOnly(parent: Parameters<typeof trace.getSpan>[0], start: () => Span): Span {
  const active = trace.getSpan(parent);
  return active !== undefined && trace.isSpanContextValid(active.spanContext()) ? start() : NOT_RECORDING;
}
