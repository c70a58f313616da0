// `start({ instrumentations })`: upstream-shaped configs per instrumentation, checked once, kept as given otherwise.
import type { ClientRequest, IncomingMessage, RequestOptions, ServerResponse } from 'node:http';
import type { Attributes, Span } from '@opentelemetry/api';
import { INSTRUMENTATION_NAMES, type InstrumentationName } from '../instrumentations/table';
import type { EnvReader, OptionPath } from './reader';

interface HeaderLists {
  requestHeaders?: string[];
  responseHeaders?: string[];
}

/** `HttpInstrumentationConfig` of @opentelemetry/instrumentation-http, option for option (see docs/configuration-http.md). */
export interface HttpInstrumentationOptions {
  enabled?: boolean;
  ignoreIncomingRequestHook?: (request: IncomingMessage) => boolean;
  ignoreOutgoingRequestHook?: (request: RequestOptions) => boolean;
  disableIncomingRequestInstrumentation?: boolean;
  disableOutgoingRequestInstrumentation?: boolean;
  applyCustomAttributesOnSpan?: (
    span: Span,
    request: ClientRequest | IncomingMessage,
    response: IncomingMessage | ServerResponse,
  ) => void;
  requestHook?: (span: Span, request: ClientRequest | IncomingMessage) => void;
  responseHook?: (span: Span, response: IncomingMessage | ServerResponse) => void;
  startIncomingSpanHook?: (request: IncomingMessage) => Attributes;
  startOutgoingSpanHook?: (request: RequestOptions) => Attributes;
  /** @deprecated No effect, as upstream. */
  serverName?: string;
  requireParentforOutgoingSpans?: boolean;
  requireParentforIncomingSpans?: boolean;
  headersToSpanAttributes?: { client?: HeaderLists; server?: HeaderLists };
  enableSyntheticSourceDetection?: boolean;
  redactedQueryParams?: string[];
  redactedQueryParamsServer?: string[];
}

/** The request undici's diagnostics channels hand over, as upstream's undici instrumentation types it. */
export interface UndiciRequest {
  origin: string;
  method: string;
  path: string;
  /** `name: value\r\n` lines (undici 5) or a flat `[name, value, …]` array (undici 6+). */
  headers: string | (string | string[])[];
  addHeader: (name: string, value: string) => void;
  throwOnError: boolean;
  completed: boolean;
  aborted: boolean;
  idempotent: boolean;
  contentLength: number | null;
  contentType: string | null;
  body: unknown;
}

export interface UndiciResponse {
  headers: Buffer[];
  statusCode: number;
  statusText: string;
}

/** `UndiciInstrumentationConfig` of @opentelemetry/instrumentation-undici, option for option. */
export interface UndiciInstrumentationOptions {
  enabled?: boolean;
  ignoreRequestHook?: (request: UndiciRequest) => boolean;
  requestHook?: (span: Span, request: UndiciRequest) => void;
  responseHook?: (span: Span, info: { request: UndiciRequest; response: UndiciResponse }) => void;
  startSpanHook?: (request: UndiciRequest) => Attributes;
  requireParentforSpans?: boolean;
  headersToSpanAttributes?: HeaderLists;
}

/** Any other instrumentation's config goes to it as given (`{ enabled?: boolean }` plus its own options). */
export type InstrumentationOptions = {
  readonly http?: HttpInstrumentationOptions;
  readonly undici?: UndiciInstrumentationOptions;
} & { readonly [name in Exclude<InstrumentationName, 'http' | 'undici'>]?: { enabled?: boolean; [option: string]: unknown } };

type Kind = 'function' | 'boolean' | 'string' | 'strings' | 'headerLists' | 'clientServerHeaderLists';

const HTTP_OPTIONS: Record<keyof HttpInstrumentationOptions, Kind> = {
  enabled: 'boolean',
  ignoreIncomingRequestHook: 'function',
  ignoreOutgoingRequestHook: 'function',
  disableIncomingRequestInstrumentation: 'boolean',
  disableOutgoingRequestInstrumentation: 'boolean',
  applyCustomAttributesOnSpan: 'function',
  requestHook: 'function',
  responseHook: 'function',
  startIncomingSpanHook: 'function',
  startOutgoingSpanHook: 'function',
  serverName: 'string',
  requireParentforOutgoingSpans: 'boolean',
  requireParentforIncomingSpans: 'boolean',
  headersToSpanAttributes: 'clientServerHeaderLists',
  enableSyntheticSourceDetection: 'boolean',
  redactedQueryParams: 'strings',
  redactedQueryParamsServer: 'strings',
};

const UNDICI_OPTIONS: Record<keyof UndiciInstrumentationOptions, Kind> = {
  enabled: 'boolean',
  ignoreRequestHook: 'function',
  requestHook: 'function',
  responseHook: 'function',
  startSpanHook: 'function',
  requireParentforSpans: 'boolean',
  headersToSpanAttributes: 'headerLists',
};

const KNOWN_OPTIONS: Partial<Record<InstrumentationName, Record<string, Kind>>> = { http: HTTP_OPTIONS, undici: UNDICI_OPTIONS };

const isStrings = (value: unknown): boolean => Array.isArray(value) && value.every((item) => typeof item === 'string');
const isPlain = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isHeaderLists = (value: unknown): boolean =>
  isPlain(value) &&
  Object.entries(value).every(([key, list]) => (key === 'requestHeaders' || key === 'responseHeaders') && isStrings(list));

const KIND_TEST: Record<Kind, (value: unknown) => boolean> = {
  function: (value) => typeof value === 'function',
  boolean: (value) => typeof value === 'boolean',
  string: (value) => typeof value === 'string',
  strings: isStrings,
  headerLists: isHeaderLists,
  clientServerHeaderLists: (value) =>
    isPlain(value) &&
    Object.entries(value).every(([key, lists]) => (key === 'client' || key === 'server') && isHeaderLists(lists)),
};

const KIND_TEXT: Record<Kind, string> = {
  function: 'a function',
  boolean: 'true or false',
  string: 'a string',
  strings: 'an array of strings',
  headerLists: 'of the shape { requestHeaders?: string[], responseHeaders?: string[] }',
  clientServerHeaderLists: 'of the shape { client?: { requestHeaders?, responseHeaders? }, server?: { … } }',
};

/**
 * The options given for each instrumentation, checked: an unknown instrumentation, an option upstream does not
 * document (for http and undici, whose options otelkit's own code honours) or a value of the wrong type is dropped
 * with one warning. The result holds shallow copies, so freezing it never freezes what the app passed.
 */
export function resolveInstrumentationOptions(given: unknown, read: EnvReader): InstrumentationOptions {
  if (given === undefined) return {};
  if (!isPlain(given)) {
    read.warnOption('instrumentations.*', 'is not an object keyed by instrumentation name', 'the options are ignored');
    return {};
  }
  const result: Record<string, Record<string, unknown>> = {};
  for (const [name, options] of Object.entries(given)) {
    const path: OptionPath = `instrumentations.${name}`;
    if (!(INSTRUMENTATION_NAMES as string[]).includes(name)) {
      read.warnOption(path, `is not an instrumentation otelkit knows (${INSTRUMENTATION_NAMES.join(', ')})`, 'it is ignored');
      continue;
    }
    if (options === undefined) continue;
    if (!isPlain(options)) {
      read.warnOption(path, 'is not an object of options', 'it is ignored');
      continue;
    }
    const known = KNOWN_OPTIONS[name as InstrumentationName];
    if (known === undefined) {
      result[name] = { ...options };
      continue;
    }
    const checked: Record<string, unknown> = {};
    for (const [option, value] of Object.entries(options)) {
      const kind = known[option];
      if (kind === undefined) {
        read.warnOption(`${path}.${option}`, `is not an option of upstream's ${name} instrumentation`, 'it is ignored');
      } else if (value !== undefined && !KIND_TEST[kind](value)) {
        read.warnOption(`${path}.${option}`, `is not ${KIND_TEXT[kind]}`, 'it is ignored');
      } else if (value !== undefined) {
        checked[option] = value;
      }
    }
    result[name] = checked;
  }
  return result as InstrumentationOptions;
}
