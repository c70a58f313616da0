// The per-request context (request id, user, organization, session, client IP), carried in OpenTelemetry's Context
// under one key, and its public helpers.
import { context, createContextKey, ROOT_CONTEXT, type Context, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

export interface RequestContext {
  readonly requestId: string;
  readonly clientIp?: string;
  userId?: string;
  username?: string;
  organizationId?: string;
  sessionId?: string;
  /** The server span of the request, so later context (user, organization) lands on it too. */
  readonly serverSpan?: Span;
}

export interface UserContext {
  readonly id?: string | number;
  readonly username?: string;
}

// The value is a mutable holder: setUser() and the others write into the object a Context already holds, so what
// they set reaches every later log record and the server span without entering a new Context.
const REQUEST_CONTEXT_KEY = createContextKey('otelkit request context');

export function requestContextOf(ctx: Context): RequestContext | undefined {
  return ctx.getValue(REQUEST_CONTEXT_KEY) as RequestContext | undefined;
}

export function withRequestContext(ctx: Context, request: RequestContext): Context {
  return ctx.setValue(REQUEST_CONTEXT_KEY, request);
}

/** A request's context as extracted, before the server side knows its span and client. */
export function newRequestContext(requestId: string): RequestContext {
  // Every field the server side sets is there from the start: the object keeps one shape.
  return { requestId, clientIp: undefined, serverSpan: undefined };
}

/** What only the server side knows once the request's span exists: its client IP and the span itself. */
export function attachServerRequest(request: RequestContext, serverSpan: Span, clientIp: string | undefined): void {
  const holder = request as { -readonly [K in keyof RequestContext]: RequestContext[K] };
  holder.serverSpan = serverSpan;
  holder.clientIp = clientIp;
}

let contextManagerChecked = false;

/**
 * Makes sure OpenTelemetry's Context follows async work: the SDK calls this when it starts, and
 * `runWithRequestContext` for processes where it never does (OTEL_SDK_DISABLED, worker threads, an app that only
 * requires otelkit). A manager someone else registered is kept; without any, the API's no-op one would drop the
 * request context at once.
 */
export function ensureContextManager(): void {
  if (contextManagerChecked) return;
  contextManagerChecked = true;
  const probe = ROOT_CONTEXT.setValue(REQUEST_CONTEXT_KEY, undefined);
  if (context.with(probe, () => context.active()) === probe) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/** Runs `fn` with a request context (for work that does not come through an HTTP server: jobs, consumers). */
export function runWithRequestContext<T>(ctx: RequestContext, fn: () => T): T {
  ensureContextManager();
  return context.with(withRequestContext(context.active(), ctx), fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return requestContextOf(context.active());
}

/** The id of the request being handled, or undefined outside a request. */
export function getRequestId(): string | undefined {
  return currentRequestContext()?.requestId;
}

// Span attribute names: OpenTelemetry semantic conventions where they exist.
const SPAN_ATTRIBUTE = {
  userId: 'user.id',
  username: 'user.name',
  organizationId: 'organization.id',
  sessionId: 'session.id',
} as const;

function assign(field: keyof typeof SPAN_ATTRIBUTE, value: string | number | undefined): void {
  const ctx = currentRequestContext();
  if (!ctx || value === undefined || value === null) return;
  const text = String(value).slice(0, 256);
  ctx[field] = text;
  ctx.serverSpan?.setAttribute(SPAN_ATTRIBUTE[field], text);
}

/** Attaches the signed-in user to the current request: later log records and the server span carry it. */
export function setUser(user: UserContext): void {
  assign('userId', user?.id);
  assign('username', user?.username);
}

export function setOrganization(organizationId: string | number): void {
  assign('organizationId', organizationId);
}

export function setSession(sessionId: string): void {
  assign('sessionId', sessionId);
}
