// What the HTTP configuration (variables and start() options) becomes for each implementation: otelkit's server and
// fetch/undici instrumentations, and upstream's http instrumentation, which keeps outgoing `http.request`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { INVALID_SPAN_CONTEXT, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { Config } from '../config/resolve';
import type {
  HttpInstrumentationOptions,
  UndiciInstrumentationOptions,
  UndiciRequest,
  UndiciResponse,
} from '../config/instrumentation-options';
import { diagnostics } from '../diagnostics';
import { REDACTED, type Redactor } from '../redaction/redact';
import type { HttpHooks } from '../request/http-hooks';
import { KNOWN_METHODS } from './http-common';

/** Sets `http.<type>.header.<name>` for each configured header `get(name)` finds, as upstream's headerCapture. */
export type HeaderCapture = (get: (name: string) => unknown, into: Attributes) => void;

// Credentials, whatever OTELKIT_REDACT_KEYS and the redaction rules say about other keys.
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/** A span that records nothing: for a request traced without a span (a parent required and absent). */
export const NOT_RECORDING: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

export function isCredentialHeader(name: string, key: string, redactor: Redactor): boolean {
  return CREDENTIAL_HEADERS.has(name) || redactor.isSensitiveKey(name) || redactor.isSensitiveKey(key);
}

/**
 * A header's values as a string array (upstream's shape: a single value in an array, a number kept as it is),
 * masked value for value when the header is sensitive, so the attribute keeps its type and count.
 */
export function headerCapture(
  type: 'request' | 'response',
  names: readonly string[],
  redactor: Redactor,
): HeaderCapture | undefined {
  if (names.length === 0) return undefined;
  const headers = names.map((name) => {
    const key = `http.${type}.header.${name}`;
    return { name, key, sensitive: isCredentialHeader(name, key, redactor) };
  });
  return (get, into) => {
    for (const { name, key, sensitive } of headers) {
      const value = get(name);
      if (value === undefined) continue;
      const list = (Array.isArray(value) ? value : [value]) as string[];
      into[key] = sensitive ? list.map(() => REDACTED) : list;
    }
  };
}

/**
 * An app's hook, made safe: a hook that throws costs its own work only, and says so once (upstream swallows the
 * error, and says so only at OTEL_LOG_LEVEL=error, once per request).
 */
export function guardHook<A extends unknown[], R>(
  path: string,
  hook: ((...args: A) => R) | undefined,
): ((...args: A) => R | undefined) | undefined {
  if (typeof hook !== 'function') return undefined;
  // One guard per hook, however many implementations call it (a requestHook serves the server and the client).
  const known = GUARDED.get(hook);
  if (known !== undefined) return known as (...args: A) => R | undefined;
  let warned = false;
  const guarded = (...args: A) => {
    try {
      return hook(...args);
    } catch (err) {
      if (!warned) {
        warned = true;
        diagnostics.warn(
          `start() option ${path} threw (${(err as Error)?.message ?? String(err)}); the request went ahead without the ` +
            "hook's work (said once)",
        );
      }
      return undefined;
    }
  };
  GUARDED.set(hook, guarded);
  return guarded;
}

const GUARDED = new WeakMap<object, unknown>();

/** Query parameters whose values upstream's http instrumentation masks by default (redactedQueryParams*). */
export const DEFAULT_REDACTED_QUERY_PARAMS = [
  'sig',
  'Signature',
  'AWSAccessKeyId',
  'X-Goog-Signature',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
];

/** Keeps the query as sent, but for the named parameters' values (upstream's `REDACTED`); no names: as it is. */
export function queryRedaction(names: readonly string[]): (query: string) => string {
  if (names.length === 0) return (query) => query;
  const escaped = names.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`(^|&)(${escaped.join('|')})=[^&]*`, 'g');
  return (query) => query.replace(pattern, '$1$2=REDACTED');
}

/** A matcher of request paths: entries ending in `*` match by prefix, the others exactly. */
export function pathMatcher(entries: readonly string[]): ((path: string) => boolean) | undefined {
  if (entries.length === 0) return undefined;
  const exact = new Set(entries.filter((entry) => !entry.endsWith('*')));
  const prefixes = entries.filter((entry) => entry.endsWith('*')).map((entry) => entry.slice(0, -1));
  return (path) => exact.has(path) || prefixes.some((prefix) => path.startsWith(prefix));
}

export function knownMethodsOf(config: Config): ReadonlySet<string> {
  return config.http.knownMethods === undefined ? KNOWN_METHODS : new Set(config.http.knownMethods);
}

/** What otelkit's server instrumentation does beyond its defaults; every field absent when not configured. */
export interface ServerOptions {
  readonly knownMethods: ReadonlySet<string>;
  readonly captureRequestHeaders?: HeaderCapture;
  readonly captureResponseHeaders?: HeaderCapture;
  /** OTELKIT_HTTP_IGNORE_PATHS, matched against url.path. */
  readonly ignorePath?: (path: string) => boolean;
  readonly ignoreRequest?: (request: IncomingMessage) => boolean | undefined;
  readonly requestHook?: (span: Span, request: IncomingMessage) => void;
  readonly responseHook?: (span: Span, response: ServerResponse) => void;
  readonly startSpanHook?: (request: IncomingMessage) => Attributes | undefined;
  readonly applyCustomAttributes?: (span: Span, request: IncomingMessage, response: ServerResponse) => void;
  readonly requireParent: boolean;
  readonly syntheticSource: boolean;
  readonly redactQuery: (query: string) => string;
}

export function serverOptions(config: Config, redactor: Redactor): ServerOptions {
  const given: HttpInstrumentationOptions = config.instrumentationOptions.http ?? {};
  const capture = given.headersToSpanAttributes?.server;
  const path = 'instrumentations.http';
  return {
    knownMethods: knownMethodsOf(config),
    captureRequestHeaders: headerCapture(
      'request',
      lowerCased(capture?.requestHeaders ?? config.http.captureHeaders.serverRequest),
      redactor,
    ),
    captureResponseHeaders: headerCapture(
      'response',
      lowerCased(capture?.responseHeaders ?? config.http.captureHeaders.serverResponse),
      redactor,
    ),
    ignorePath: pathMatcher(config.http.ignorePaths),
    ignoreRequest: guardHook(`${path}.ignoreIncomingRequestHook`, given.ignoreIncomingRequestHook),
    requestHook: guardHook(`${path}.requestHook`, given.requestHook),
    responseHook: guardHook(`${path}.responseHook`, given.responseHook),
    startSpanHook: guardHook(`${path}.startIncomingSpanHook`, given.startIncomingSpanHook),
    applyCustomAttributes: guardHook(`${path}.applyCustomAttributesOnSpan`, given.applyCustomAttributesOnSpan),
    requireParent: given.requireParentforIncomingSpans === true,
    syntheticSource: given.enableSyntheticSourceDetection === true,
    redactQuery: queryRedaction(given.redactedQueryParamsServer ?? DEFAULT_REDACTED_QUERY_PARAMS),
  };
}

/** What otelkit's fetch/undici instrumentation does beyond its defaults. */
export interface UndiciOptions {
  readonly knownMethods: ReadonlySet<string>;
  readonly captureRequestHeaders?: HeaderCapture;
  readonly captureResponseHeaders?: HeaderCapture;
  readonly ignoreRequest?: (request: UndiciRequest) => boolean | undefined;
  readonly requestHook?: (span: Span, request: UndiciRequest) => void;
  readonly responseHook?: (span: Span, info: { request: UndiciRequest; response: UndiciResponse }) => void;
  readonly startSpanHook?: (request: UndiciRequest) => Attributes | undefined;
  readonly requireParent: boolean;
}

export function undiciOptions(config: Config, redactor: Redactor): UndiciOptions {
  const given: UndiciInstrumentationOptions = config.instrumentationOptions.undici ?? {};
  const capture = given.headersToSpanAttributes;
  const path = 'instrumentations.undici';
  return {
    knownMethods: knownMethodsOf(config),
    captureRequestHeaders: headerCapture(
      'request',
      lowerCased(capture?.requestHeaders ?? config.http.captureHeaders.clientRequest),
      redactor,
    ),
    captureResponseHeaders: headerCapture(
      'response',
      lowerCased(capture?.responseHeaders ?? config.http.captureHeaders.clientResponse),
      redactor,
    ),
    ignoreRequest: guardHook(`${path}.ignoreRequestHook`, given.ignoreRequestHook),
    requestHook: guardHook(`${path}.requestHook`, given.requestHook),
    responseHook: guardHook(`${path}.responseHook`, given.responseHook),
    startSpanHook: guardHook(`${path}.startSpanHook`, given.startSpanHook),
    requireParent: given.requireParentforSpans === true,
  };
}

function lowerCased(names: readonly string[]): string[] {
  return [...new Set(names.map((name) => name.toLowerCase()))];
}

type Hook<A extends unknown[]> = ((...args: A) => void) | undefined;

function chain<A extends unknown[]>(first: Hook<A>, second: Hook<A>): Hook<A> {
  if (first === undefined) return second;
  if (second === undefined) return first;
  return (...args: A) => {
    first(...args);
    second(...args);
  };
}

/**
 * Upstream's http instrumentation config: the app's options (hooks guarded), otelkit's hooks first, header capture
 * from the variables unless the app gave lists. Header capture on outgoing requests: credentials are left out of
 * upstream's lists and recorded here, masked, from the response hook (upstream records what it captures in clear,
 * after that hook).
 */
export function upstreamHttpConfig(
  config: Config,
  hooks: HttpHooks,
  redactor: Redactor,
  ownServer: boolean,
): Record<string, unknown> {
  const given: HttpInstrumentationOptions = config.instrumentationOptions.http ?? {};
  const path = 'instrumentations.http';
  const lists = given.headersToSpanAttributes;
  const clientRequest = lowerCased(lists?.client?.requestHeaders ?? config.http.captureHeaders.clientRequest);
  const clientResponse = lowerCased(lists?.client?.responseHeaders ?? config.http.captureHeaders.clientResponse);
  const serverRequest = lowerCased(lists?.server?.requestHeaders ?? config.http.captureHeaders.serverRequest);
  const serverResponse = lowerCased(lists?.server?.responseHeaders ?? config.http.captureHeaders.serverResponse);
  const plain = (type: 'request' | 'response', names: string[]) =>
    names.filter((name) => !isCredentialHeader(name, `http.${type}.header.${name}`, redactor));
  const masked = (type: 'request' | 'response', names: string[]) =>
    headerCapture(
      type,
      names.filter((name) => isCredentialHeader(name, `http.${type}.header.${name}`, redactor)),
      redactor,
    );
  const maskRequest = masked('request', clientRequest);
  const maskResponse = masked('response', clientResponse);
  const maskOutgoing: Hook<[Span, unknown]> =
    maskRequest === undefined && maskResponse === undefined
      ? undefined
      : (span, response) => {
          const incoming = response as IncomingMessage & { req?: { getHeader(name: string): unknown } };
          if (!incoming?.headers || typeof incoming.req?.getHeader !== 'function') return;
          const attributes: Attributes = {};
          maskRequest?.((name) => incoming.req!.getHeader(name), attributes);
          maskResponse?.((name) => incoming.headers[name], attributes);
          span.setAttributes(attributes);
        };
  const ignoredPath = pathMatcher(config.http.ignorePaths);
  const ignoreIncoming = guardHook(`${path}.ignoreIncomingRequestHook`, given.ignoreIncomingRequestHook);
  return {
    ...given,
    requestHook: chain(hooks.requestHook, guardHook(`${path}.requestHook`, given.requestHook)),
    responseHook: chain(chain(hooks.responseHook, maskOutgoing), guardHook(`${path}.responseHook`, given.responseHook)),
    ignoreOutgoingRequestHook: guardHook(`${path}.ignoreOutgoingRequestHook`, given.ignoreOutgoingRequestHook),
    startIncomingSpanHook: guardHook(`${path}.startIncomingSpanHook`, given.startIncomingSpanHook),
    startOutgoingSpanHook: guardHook(`${path}.startOutgoingSpanHook`, given.startOutgoingSpanHook),
    applyCustomAttributesOnSpan: guardHook(`${path}.applyCustomAttributesOnSpan`, given.applyCustomAttributesOnSpan),
    // Incoming requests are otelkit's own unless OTELKIT_HTTP_SERVER_INSTRUMENTATION=upstream (then the span
    // processor masks credentials in captured headers, at export).
    disableIncomingRequestInstrumentation: ownServer || given.disableIncomingRequestInstrumentation === true,
    ignoreIncomingRequestHook: (request: IncomingMessage) =>
      hooks.ignoreIncomingRequestHook?.(request) === true ||
      (ignoredPath !== undefined && ignoredPath(pathOf(request.url)) === true) ||
      ignoreIncoming?.(request) === true,
    headersToSpanAttributes: {
      client: { requestHeaders: plain('request', clientRequest), responseHeaders: plain('response', clientResponse) },
      server: { requestHeaders: serverRequest, responseHeaders: serverResponse },
    },
  };
}

/** url.path of a request target: origin-form up to the query; other forms through the URL parser. */
export function pathOf(target: string | undefined): string {
  const url = target ?? '/';
  if (url.charCodeAt(0) === 47) {
    const mark = url.indexOf('?');
    return mark < 0 ? url : url.slice(0, mark);
  }
  try {
    return new URL(url, 'http://localhost').pathname;
  } catch {
    return url;
  }
}
