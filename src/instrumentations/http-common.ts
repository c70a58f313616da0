// What otelkit's own HTTP instrumentations (server and fetch/undici client) share with each other and with upstream's.
import { createContextKey } from '@opentelemetry/api';

const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE']);

/** The duration buckets of the semantic conventions (seconds), as upstream. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** The key the API keeps a context's span under (Symbol.for of this description). */
export const SPAN_KEY = createContextKey('OpenTelemetry Context Key SPAN');

/** http.request.method: a known method in upper case, anything else `_OTHER`. */
export function normalizeMethod(method: string): string {
  if (KNOWN_METHODS.has(method)) return method;
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : '_OTHER';
}
