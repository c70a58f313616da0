// What OpenTelemetry's winston transport turns a winston record into, built with less work per record. The bundle
// (scripts/bundle.mjs, `fasterWinstonRecords`) gives this module to @opentelemetry/winston-transport in place of its
// own `utils` module, so both otelkit's getLogger and the winston instrumentation's transport on an app's own
// loggers use it. The records emitted are upstream's, property for property: test/unit/winston-records.test.ts
// holds this module to the installed package's `emitLogRecord` over a corpus of records. What upstream spends and
// this does not: two object rest copies of every record, a Set per record and a Set per attribute (a default
// parameter, created even for strings and numbers) and two spreads for the emitted record.
import { SeverityNumber, type LogAttributes, type LogRecord, type Logger } from '@opentelemetry/api-logs';

// The package's exports, as it names them.
export const otelLogLevels = { fatal: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 };
export const otelSeverityMapping: Record<string, SeverityNumber> = {
  fatal: SeverityNumber.FATAL,
  error: SeverityNumber.ERROR,
  warn: SeverityNumber.WARN,
  info: SeverityNumber.INFO,
  debug: SeverityNumber.DEBUG,
  trace: SeverityNumber.TRACE,
};

const npmLevels: Record<string, SeverityNumber> = {
  error: SeverityNumber.ERROR,
  warn: SeverityNumber.WARN,
  info: SeverityNumber.INFO,
  http: SeverityNumber.DEBUG3,
  verbose: SeverityNumber.DEBUG2,
  debug: SeverityNumber.DEBUG,
  silly: SeverityNumber.TRACE,
};
const sysLogLevels: Record<string, SeverityNumber> = {
  emerg: SeverityNumber.FATAL3,
  alert: SeverityNumber.FATAL2,
  crit: SeverityNumber.FATAL,
  error: SeverityNumber.ERROR,
  warning: SeverityNumber.WARN,
  notice: SeverityNumber.INFO2,
  info: SeverityNumber.INFO,
  debug: SeverityNumber.DEBUG,
};
const cliLevels: Record<string, SeverityNumber> = {
  error: SeverityNumber.ERROR,
  warn: SeverityNumber.WARN,
  help: SeverityNumber.INFO3,
  data: SeverityNumber.INFO2,
  info: SeverityNumber.INFO,
  debug: SeverityNumber.DEBUG,
  prompt: SeverityNumber.TRACE4,
  verbose: SeverityNumber.TRACE3,
  input: SeverityNumber.TRACE2,
  silly: SeverityNumber.TRACE,
};

const LEVEL = Symbol.for('level');
const SPLAT = Symbol.for('splat');
const OTEL_CONTEXT = Symbol.for('opentelemetry.js.contrib.winston.context');
// ATTR_OTEL_EVENT_NAME of the semantic conventions.
const EVENT_NAME = 'otel.event.name';
const CIRCULAR = '[Circular]';
const ERROR_PROPERTY_NAMES = ['name', 'message', 'stack', 'code', 'cause', 'errors'];
// Where a record's error is looked for first, in this order.
const ERROR_KEYS = ['err', 'error'];

type WinstonRecord = Record<string | symbol, unknown>;
type Exception = LogRecord['exception'];
interface ExceptionPayload {
  exception: unknown;
  excludedAttributes: string[];
  additionalAttributes?: Record<string, unknown>;
}

function severityOf(level: unknown, mapping: Record<string, SeverityNumber> | undefined): SeverityNumber | undefined {
  const name = level as string;
  return mapping?.[name] ?? otelSeverityMapping[name] ?? npmLevels[name] ?? sysLogLevels[name] ?? cliLevels[name];
}

/** Skips the ancestors set for values that need none: what nearly every attribute is. */
function normalize(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  return normalizeValue(value, new Set(), false);
}

function isPlainObject(value: object): boolean {
  const constructor = (value as { constructor?: unknown }).constructor;
  return constructor === Object || constructor === undefined;
}

function normalizeValue(value: unknown, ancestors: Set<unknown>, stringifyUnsupported: boolean): unknown {
  if (value == null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Uint8Array) return value;
  if (typeof value !== 'object') return stringifyUnsupported ? String(value) : value;
  if (ancestors.has(value)) return CIRCULAR;
  if (value instanceof Error) return serializeError(value, ancestors);
  if (Array.isArray(value)) {
    ancestors.add(value);
    const normalized = value.map((item) => normalizeValue(item, ancestors, stringifyUnsupported));
    ancestors.delete(value);
    return normalized;
  }
  if (isPlainObject(value)) {
    ancestors.add(value);
    const normalized: Record<string, unknown> = {};
    for (const key in value) {
      if (Object.prototype.hasOwnProperty.call(value, key)) {
        normalized[key] = normalizeValue((value as Record<string, unknown>)[key], ancestors, stringifyUnsupported);
      }
    }
    ancestors.delete(value);
    return normalized;
  }
  return stringifyUnsupported ? String(value) : value;
}

function serializeError(error: Error, ancestors: Set<unknown>): Record<string, unknown> {
  const serialized: Record<string, unknown> = {};
  const names = new Set([...ERROR_PROPERTY_NAMES, ...Object.getOwnPropertyNames(error)]);
  ancestors.add(error);
  for (const name of names) {
    const value = (error as unknown as Record<string, unknown>)[name];
    if (value !== undefined) serialized[name] = normalizeValue(value, ancestors, true);
  }
  ancestors.delete(error);
  return serialized;
}

/** What sdk-logs accepts as an exception (LogRecordImpl._setException). */
function isExceptionCandidate(value: unknown): boolean {
  if (typeof value === 'string' || typeof value === 'number') return true;
  if (value == null || typeof value !== 'object') return false;
  const e = value as Record<string, unknown>;
  return e.code != null || e.name != null || e.message != null || e.stack != null;
}

function causeAttributes(key: string, value: unknown): Record<string, unknown> {
  if (value == null || typeof value !== 'object' || !('cause' in value)) return {};
  const cause = (value as { cause: unknown }).cause;
  if (cause == null) return {};
  const attributes: Record<string, unknown> = {};
  if (typeof cause === 'string' || typeof cause === 'number') {
    attributes[`${key}.cause`] = cause;
    return attributes;
  }
  if (typeof cause !== 'object') {
    attributes[`${key}.cause`] = String(cause);
    return attributes;
  }
  const c = cause as Record<string, unknown>;
  if (typeof c.code === 'string' || typeof c.code === 'number') attributes[`${key}.cause.code`] = c.code;
  if (typeof c.name === 'string') attributes[`${key}.cause.type`] = c.name;
  if (typeof c.message === 'string') attributes[`${key}.cause.message`] = c.message;
  if (typeof c.stack === 'string') attributes[`${key}.cause.stacktrace`] = c.stack;
  if (Object.keys(attributes).length === 0) attributes[`${key}.cause`] = String(cause);
  return attributes;
}

/** The error a record carries, in upstream's order: `err` or `error`, then the splat, then flattened stack fields. */
function exceptionPayload(record: WinstonRecord): ExceptionPayload | null {
  for (const key of ERROR_KEYS) {
    const value = record[key];
    if (isExceptionCandidate(value)) {
      return { exception: value, excludedAttributes: [key], additionalAttributes: causeAttributes(key, value) };
    }
  }
  const splat = record[SPLAT];
  if (Array.isArray(splat)) {
    const found = splat.find(isExceptionCandidate);
    if (found !== undefined) return { exception: found, excludedAttributes: [] };
  }
  if (typeof record.stack === 'string') {
    const type = /^([^:\n]+):/.exec(record.stack);
    const exception: Record<string, unknown> = { stack: record.stack };
    if (typeof record.code === 'string' || typeof record.code === 'number') exception.code = record.code;
    if (typeof record.name === 'string') exception.name = record.name;
    else if (type) exception.name = type[1];
    if (typeof record.message === 'string') exception.message = record.message;
    return { exception, excludedAttributes: ['code', 'name', 'stack'] };
  }
  return null;
}

/** Keys that never become attributes: the body, the level, the event name and the correlation fields. */
function isReserved(key: string): boolean {
  return (
    key === 'message' || key === 'level' || key === EVENT_NAME || key === 'trace_id' || key === 'span_id' || key === 'trace_flags'
  );
}

export function emitLogRecord(
  record: WinstonRecord,
  logger: Logger,
  severityMapping?: Record<string, SeverityNumber>,
  logSeverity?: SeverityNumber,
): void {
  const level = record[LEVEL];
  const severityNumber = severityOf(level, severityMapping);
  if (logSeverity != null && (severityNumber ?? SeverityNumber.UNSPECIFIED) < logSeverity) return;
  // Upstream takes the attributes and the event name from a copy of the record's own enumerable properties (an
  // object rest): own properties only, as here. The body is read from the record itself, inherited or not.
  const keys = Object.keys(record);
  let eventName: unknown;
  if (keys.includes(EVENT_NAME)) eventName = record[EVENT_NAME];
  const payload = exceptionPayload(record);
  const excluded = payload?.excludedAttributes;
  const attributes: Record<string, unknown> = {};
  for (const key of keys) {
    if (isReserved(key) || (excluded !== undefined && excluded.includes(key))) continue;
    attributes[key] = normalize(record[key]);
  }
  const extra = payload?.additionalAttributes;
  if (extra) {
    for (const key in extra) if (Object.prototype.hasOwnProperty.call(extra, key)) attributes[key] = extra[key];
  }
  const logRecord: LogRecord & Record<string, unknown> = {
    severityNumber,
    severityText: level as string,
    body: record.message as LogRecord['body'],
    attributes: attributes as LogAttributes,
  };
  const context = record[OTEL_CONTEXT];
  if (context) logRecord.context = context as LogRecord['context'];
  if (payload) logRecord.exception = payload.exception as Exception;
  if (typeof eventName === 'string') logRecord.eventName = eventName;
  logger.emit(logRecord);
}
