// Sentry error events from otelkit's error paths: a @sentry/core client in errors-only mode (no tracing, no
// integration that hooks the process), each event carrying the OpenTelemetry trace and the request's context.
// Loaded at the first error of a process with a valid SENTRY_DSN (./lazy.ts, dist/sentry.js); docs/sentry.md says
// why @sentry/core and not @sentry/node.
import { Scope, createStackParser, linkedErrorsIntegration, type EventHint, type SeverityLevel } from '@sentry/core';
import { ServerRuntimeClient, nodeStackLineParser } from '@sentry/core/server';
import { trace, type Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { SentrySettings } from '../config/sentry';
import { currentRequestContext } from '../request/request-context';
import { REQUEST_ID_ATTRIBUTE } from '../request/http-hooks';
import { Redactor } from '../redaction/redact';
import { diagnostics } from '../diagnostics';
import { makeNodeTransport } from './transport';
import type { ErrorReporter, LoggedError } from './types';

// A slow or unreachable Sentry must not keep sockets open longer than a shutdown waits anyway.
const SEND_TIMEOUT_MILLIS = 5000;
// The same error reported twice within one trace (logged by the app's error handler, then recorded on the
// server span) is one Sentry event: remembered per trace, the oldest forgotten first.
const RECENT_MAX = 256;

interface TraceIds {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
}

/** What Sentry shows about the request an error happened in; every field optional. */
interface RequestDetails {
  requestId?: string;
  userId?: string;
  username?: string;
  organizationId?: string;
  method?: string;
  route?: string;
  url?: string;
}

export function createSentryReporter(settings: SentrySettings, redactKeys: readonly string[]): ErrorReporter {
  const redactor = new Redactor(redactKeys);
  const client = new ServerRuntimeClient({
    dsn: settings.dsn,
    release: settings.release,
    environment: settings.environment,
    sampleRate: settings.sampleRate,
    // Only `cause` chains; no integration that installs process handlers, patches modules or starts spans:
    // otelkit's own handlers call the capture methods below, and tracing stays with OpenTelemetry.
    integrations: [linkedErrorsIntegration()],
    // 'static': no span-streaming integration (ServerRuntimeClient adds one otherwise); no spans are made here.
    traceLifecycle: 'static',
    sendClientReports: false,
    stackParser: createStackParser(nodeStackLineParser()),
    transport: makeNodeTransport(SEND_TIMEOUT_MILLIS),
    platform: 'node',
    runtime: { name: 'node', version: process.version },
  });
  client.init();

  const reportedErrors = new WeakSet<object>();
  const recent = new Set<string>();
  const seenInTrace = (ids: TraceIds | undefined, type: string, message: string): boolean => {
    if (!ids) return false;
    const key = `${ids.traceId}|${type}|${message}`;
    if (recent.has(key)) return true;
    recent.add(key);
    if (recent.size > RECENT_MAX) recent.delete(recent.values().next().value as string);
    return false;
  };

  const capture = (
    error: unknown,
    level: SeverityLevel,
    mechanism: { type: string; handled: boolean },
    ids?: TraceIds,
    request?: RequestDetails,
    log?: LoggedError,
  ): void => {
    try {
      if (typeof error === 'object' && error !== null) {
        if (reportedErrors.has(error)) return;
        reportedErrors.add(error);
      }
      if (seenInTrace(ids, errorType(error), errorMessage(error))) return;
      const hint: EventHint = { data: { mechanism } };
      const scope = scopeFor(level, ids, request);
      if (log) {
        scope.setTag('logger', log.logger);
        scope.setContext('log', { message: log.message, logger: log.logger });
      }
      client.captureException(error, hint, scope);
    } catch (err) {
      diagnostics.debug(`could not report an error to Sentry: ${String(err)}`);
    }
  };

  const inCurrentContext = (): { ids?: TraceIds; request?: RequestDetails } => {
    const span = trace.getActiveSpan()?.spanContext();
    const ids = span && trace.isSpanContextValid(span) ? { traceId: span.traceId, spanId: span.spanId } : undefined;
    const ctx = currentRequestContext();
    if (!ctx) return { ids };
    // The server span's attributes (method, route, URL) are read as they stand: the route may come later.
    const attributes = (ctx.serverSpan as Partial<ReadableSpan> | undefined)?.attributes ?? {};
    const request = requestFrom(attributes, redactor);
    Object.assign(request, {
      requestId: ctx.requestId,
      userId: ctx.userId ?? request.userId,
      username: ctx.username ?? request.username,
      organizationId: ctx.organizationId ?? request.organizationId,
    });
    return { ids, request };
  };

  return {
    captureLogged(error: unknown, log: LoggedError): void {
      const { ids, request } = inCurrentContext();
      capture(error, log.level, { type: 'otelkit.logger', handled: true }, ids, request, log);
    },
    captureUncaught(error: unknown, origin: 'uncaughtException' | 'unhandledRejection'): void {
      const { ids, request } = inCurrentContext();
      const type = origin === 'uncaughtException' ? 'onuncaughtexception' : 'onunhandledrejection';
      capture(error, 'fatal', { type, handled: false }, ids, request);
    },
    reportServerSpan(span: ReadableSpan): void {
      const ids = {
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        parentSpanId: span.parentSpanContext?.spanId,
      };
      const request = requestFrom(span.attributes, redactor);
      for (const event of span.events) {
        if (event.name !== 'exception') continue;
        capture(errorFromEvent(event.attributes ?? {}), 'error', { type: 'otelkit.http_server', handled: false }, ids, request);
      }
    },
    flush: async (timeoutMillis) => Boolean(await client.flush(timeoutMillis)),
    close: async (timeoutMillis) => Boolean(await client.close(timeoutMillis)),
  };
}

function scopeFor(level: SeverityLevel, ids: TraceIds | undefined, request: RequestDetails | undefined): Scope {
  const scope = new Scope();
  scope.setLevel(level);
  if (ids) {
    // Both: the trace context is what Sentry links the issue to the trace by; the propagation context is what
    // the envelope's own trace header is built from, so the two agree.
    scope.setPropagationContext({
      traceId: ids.traceId,
      propagationSpanId: ids.spanId,
      parentSpanId: ids.parentSpanId,
      sampleRand: Math.random(),
    });
    scope.setContext('trace', { trace_id: ids.traceId, span_id: ids.spanId, parent_span_id: ids.parentSpanId });
  }
  if (!request) return scope;
  if (request.userId !== undefined || request.username !== undefined)
    scope.setUser({ id: request.userId, username: request.username });
  if (request.requestId !== undefined) scope.setTag('request_id', request.requestId);
  if (request.organizationId !== undefined) {
    scope.setTag('organization_id', request.organizationId);
    scope.setContext('organization', { id: request.organizationId });
  }
  if (request.route !== undefined) scope.setTag('http.route', request.route);
  if (request.method !== undefined)
    scope.setTransactionName(request.route ? `${request.method} ${request.route}` : request.method);
  if (request.method !== undefined || request.url !== undefined) {
    const details = { method: request.method, url: request.url };
    scope.addEventProcessor((event) => ({ ...event, request: { ...event.request, ...details } }));
  }
  return scope;
}

function stringAttribute(attributes: Attributes, key: string): string | undefined {
  const value = attributes[key];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function requestFrom(attributes: Attributes, redactor: Redactor): RequestDetails {
  const scheme = stringAttribute(attributes, 'url.scheme');
  const host = stringAttribute(attributes, 'server.address');
  const port = stringAttribute(attributes, 'server.port');
  const path = stringAttribute(attributes, 'url.path');
  const query = stringAttribute(attributes, 'url.query');
  const full = stringAttribute(attributes, 'url.full');
  let url = full;
  if (!url && path !== undefined) {
    const origin = scheme && host ? `${scheme}://${host}${port ? `:${port}` : ''}` : '';
    url = `${origin}${path}${query ? `?${query}` : ''}`;
  }
  return {
    requestId: stringAttribute(attributes, REQUEST_ID_ATTRIBUTE),
    userId: stringAttribute(attributes, 'user.id'),
    username: stringAttribute(attributes, 'user.name'),
    organizationId: stringAttribute(attributes, 'organization.id'),
    method: stringAttribute(attributes, 'http.request.method'),
    route: stringAttribute(attributes, 'http.route'),
    // The same masking the span's attributes get before export (sensitive query parameters).
    url: url === undefined ? undefined : redactor.redactQuery(url),
  };
}

/** A span's exception event holds text only: an Error rebuilt from it, whose stack Sentry's parser reads as usual. */
function errorFromEvent(attributes: Attributes): Error {
  const type = stringAttribute(attributes, 'exception.type') ?? 'Error';
  const message = stringAttribute(attributes, 'exception.message') ?? '';
  const error = new Error(message);
  error.name = type;
  error.stack = stringAttribute(attributes, 'exception.stacktrace') ?? `${type}: ${message}`;
  return error;
}

function errorType(error: unknown): string {
  try {
    return error instanceof Error ? error.name : typeof error;
  } catch {
    return 'unknown';
  }
}

function errorMessage(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return '';
  }
}
