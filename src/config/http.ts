// The HTTP instrumentation variables: header capture, known methods and the paths whose requests are not traced.
import type { EnvVarKey } from './env';
import type { EnvReader } from './reader';

export interface CapturedHeaders {
  /** Lower-cased names; their values become `http.request.header.<name>` / `http.response.header.<name>`. */
  readonly serverRequest: readonly string[];
  readonly serverResponse: readonly string[];
  readonly clientRequest: readonly string[];
  readonly clientResponse: readonly string[];
}

export interface HttpSettings {
  readonly captureHeaders: CapturedHeaders;
  /** A full override of the known methods (case-sensitive); undefined: the semantic conventions' list. */
  readonly knownMethods?: readonly string[];
  /** Incoming requests on these paths get no span and no duration point: `/health` exactly, `/internal/*` by prefix. */
  readonly ignorePaths: readonly string[];
}

// RFC 9110 token characters: what a header name or a method may be made of.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
// A path, with at most one `*`, at its end; no query, no whitespace.
const IGNORE_PATH = /^\/[^?#*\s]*\*?$/;

/**
 * A comma list of entries the test accepts; the others are dropped with one warning naming them. When the variable
 * is set but nothing in it is valid, the result is undefined (the caller's default).
 */
function entries(
  read: EnvReader,
  key: EnvVarKey,
  valid: (entry: string) => boolean,
  expected: string,
  fallback: string,
): string[] | undefined {
  const value = read.raw(key);
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const good = [...new Set(items.filter(valid))];
  const bad = items.filter((item) => !valid(item));
  if (bad.length > 0 || good.length === 0) {
    const shown = bad.map((item) => JSON.stringify(item.slice(0, 40))).join(', ') || 'none given';
    read.warn(key, `has entries that are not ${expected} (${shown})`, good.length > 0 ? good.join(',') : fallback);
  }
  return good.length > 0 ? good : undefined;
}

// `*` is a token character, but a header name with one is almost surely a pattern (other SDKs take regular
// expressions here): exact names only, said rather than matched against nothing.
const headerName = (entry: string) => TOKEN.test(entry) && !entry.includes('*');

function headers(read: EnvReader, key: EnvVarKey): readonly string[] {
  const names = entries(read, key, headerName, 'header names (exact names, no patterns)', '(none)');
  return names === undefined ? [] : [...new Set(names.map((name) => name.toLowerCase()))];
}

export function resolveHttpSettings(read: EnvReader): HttpSettings {
  return {
    captureHeaders: {
      serverRequest: headers(read, 'OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST'),
      serverResponse: headers(read, 'OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_RESPONSE'),
      clientRequest: headers(read, 'OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST'),
      clientResponse: headers(read, 'OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_RESPONSE'),
    },
    knownMethods: entries(
      read,
      'OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS',
      (entry) => TOKEN.test(entry),
      'HTTP method names',
      "the semantic conventions' list",
    ),
    ignorePaths:
      entries(read, 'OTELKIT_HTTP_IGNORE_PATHS', (entry) => IGNORE_PATH.test(entry), 'paths (/exact or /prefix*)', '(none)') ??
      [],
  };
}
