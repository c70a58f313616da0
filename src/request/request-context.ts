// The per-request context (request id, user, organization, session, client IP) and its public helpers.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Span } from '@opentelemetry/api';

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

const storage = new AsyncLocalStorage<RequestContext>();

/**
 * Enters the context for the rest of the request: called synchronously inside the HTTP instrumentation's
 * request hook, which runs in the request's own async scope just before the application's handler.
 */
export function enterRequestContext(ctx: RequestContext): void {
  storage.enterWith(ctx);
}

/** Runs `fn` with a request context (for work that does not come through an HTTP server: jobs, consumers). */
export function runWithRequestContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** The id of the request being handled, or undefined outside a request. */
export function getRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

// Span attribute names: OpenTelemetry semantic conventions where they exist.
const SPAN_ATTRIBUTE = {
  userId: 'user.id',
  username: 'user.name',
  organizationId: 'organization.id',
  sessionId: 'session.id',
} as const;

function assign(field: keyof typeof SPAN_ATTRIBUTE, value: string | number | undefined): void {
  const ctx = storage.getStore();
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
