// Winston formats: `enrich` builds the standard record (correlation, request context, exception fields,
// redaction, safe values); `jsonLine` and `prettyLine` render it for stdout and files.
import { context, trace } from '@opentelemetry/api';
import { format, type Logform } from 'winston';
import { currentRequestContext } from '../request/request-context';
import type { Redactor } from '../redaction/redact';
import { exceptionFields } from './exception';
import { countLogRecord } from '../metrics/log-records';
import { processState } from '../state';
import { LEVEL_TEXT, type LevelName } from './levels';
import { safeRead, toJsonSafe, truncate, type SerializeLimits } from './serialize';

const LEVEL = Symbol.for('level');
const SPLAT = Symbol.for('splat');
const MESSAGE = Symbol.for('message');
// The winston transport reads the context to link the OTLP record to the span, even if emitted later.
const OTEL_CONTEXT = Symbol.for('opentelemetry.js.contrib.winston.context');

/** Fields otelkit owns; a caller's field of the same name does not replace them. */
const STANDARD = new Set([
  'timestamp',
  'level',
  'logger_name',
  'message',
  'service_name',
  'environment',
  'trace_id',
  'span_id',
  'trace_flags',
  'request_id',
  'user_id',
  'username',
  'organization_id',
  'session_id',
  'client_ip',
  'exception_type',
  'exception_message',
  'stack_trace',
]);

export interface EnrichContext {
  readonly loggerName: string;
  readonly resource: ResourceFields;
  readonly redactor: Redactor;
  readonly limits: SerializeLimits;
}

type Info = Logform.TransformableInfo & Record<string | symbol, unknown>;

/** Finds the Error in any of the usual call forms and the message as the caller wrote it. */
function splitError(info: Info): { error?: unknown; message: unknown; consumed: string[] } {
  if (info instanceof Error) return { error: info, message: info.message, consumed: ['stack', 'cause'] };
  for (const key of ['err', 'error']) {
    if (info[key] instanceof Error) return { error: info[key], message: info.message, consumed: [key] };
  }
  const splatError = (info[SPLAT] as unknown[] | undefined)?.find((item) => item instanceof Error) as Error | undefined;
  if (splatError) {
    // winston appends the error's message to the caller's (`log.error('failed', err)` → "failed boom"): undo it.
    let message = info.message;
    const suffix = ` ${safeRead(() => splatError.message) ?? ''}`;
    if (typeof message === 'string' && suffix.length > 1 && message.endsWith(suffix)) message = message.slice(0, -suffix.length);
    return { error: splatError, message, consumed: ['stack', 'cause'] };
  }
  if (info.message instanceof Error) return { error: info.message, message: info.message.message, consumed: [] };
  return { message: info.message, consumed: [] };
}

function messageText(message: unknown, limits: SerializeLimits): string {
  if (typeof message === 'string') return truncate(message, limits.maxStringLength);
  if (message === undefined) return '';
  const safe = toJsonSafe(message, limits);
  return typeof safe === 'string' ? safe : JSON.stringify(safe);
}

function enrich(info: Info, ctx: EnrichContext): Info {
  const { error, message, consumed } = splitError(info);
  // Built in the order of the JSON line, so rendering it is one JSON.stringify. `level` becomes the schema's
  // text; winston and the transports read the level name from the LEVEL symbol.
  const out = {
    timestamp: new Date().toISOString(),
    level: LEVEL_TEXT[info[LEVEL] as LevelName] ?? String(info.level).toUpperCase(),
    logger_name: ctx.loggerName,
    message: ctx.redactor.redactString(messageText(message, ctx.limits)),
    service_name: ctx.resource.serviceName,
  } as Info;
  if (ctx.resource.environment !== undefined) out.environment = ctx.resource.environment;
  countLogRecord(out.level as string);
  out[LEVEL] = info[LEVEL];
  out[OTEL_CONTEXT] = info[OTEL_CONTEXT] ?? context.active();
  if (error !== undefined) out[SPLAT] = [error];

  const span = trace.getActiveSpan()?.spanContext();
  if (span && trace.isSpanContextValid(span)) {
    out.trace_id = span.traceId;
    out.span_id = span.spanId;
  }
  const request = currentRequestContext();
  if (request) {
    out.request_id = request.requestId;
    if (request.userId !== undefined) out.user_id = request.userId;
    if (request.username !== undefined) out.username = request.username;
    if (request.organizationId !== undefined) out.organization_id = request.organizationId;
    if (request.sessionId !== undefined) out.session_id = request.sessionId;
    if (request.clientIp !== undefined) out.client_ip = request.clientIp;
  }

  for (const key of Object.keys(info)) {
    if (STANDARD.has(key) || consumed.includes(key)) continue;
    let value: unknown;
    try {
      value = info[key];
    } catch (err) {
      value = `[Unreadable: ${err instanceof Error ? err.message : 'getter threw'}]`;
    }
    out[key] = ctx.redactor.redactValue(key, toJsonSafe(value, ctx.limits));
  }
  if (error !== undefined) {
    const fields = exceptionFields(error, ctx.limits.maxStringLength);
    out.exception_type = fields.exception_type;
    out.exception_message = ctx.redactor.redactString(fields.exception_message);
    out.stack_trace = ctx.redactor.redactString(fields.stack_trace);
    const level = info[LEVEL];
    if (level === 'error' || level === 'critical') {
      processState().sdk?.sentry?.captureLogged(error, {
        message: out.message as string,
        logger: ctx.loggerName,
        level: level === 'critical' ? 'fatal' : 'error',
      });
    }
  }
  return out;
}

export function createEnrichFormat(ctx: EnrichContext): Logform.Format {
  return format((info) => {
    try {
      return enrich(info as Info, ctx);
    } catch (err) {
      // Last resort: a record that still says what happened rather than a lost line.
      const out = {
        timestamp: new Date().toISOString(),
        level: String(info.level).toUpperCase(),
        logger_name: ctx.loggerName,
        message: `[log record could not be built: ${String(err)}]`,
      } as Info;
      out[LEVEL] = (info as Info)[LEVEL];
      return out;
    }
  })();
}

export interface ResourceFields {
  readonly serviceName: string;
  readonly environment?: string;
}

/** Never throws: enriched data holds no cycles or BigInt, but guard anyway. */
export function safeStringify(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record);
  } catch {
    return JSON.stringify({ timestamp: record.timestamp, level: record.level, message: '[unserialisable log record]' });
  }
}

/** The enriched record is already in schema order: symbols (winston's and the OTel context) are not serialised. */
export function createJsonLineFormat(): Logform.Format {
  return format((info) => {
    (info as Info)[MESSAGE] = safeStringify(info as Info);
    return info;
  })();
}

const COLORS: Record<string, string> = { CRITICAL: '35', ERROR: '31', WARNING: '33', INFO: '32', DEBUG: '90' };

/** A readable line for local development: time, level, logger, message, fields, then the stack. */
export function createPrettyLineFormat(color: boolean): Logform.Format {
  return format((info) => {
    const {
      timestamp,
      level: levelValue,
      message,
      logger_name,
      service_name: _s,
      environment: _e,
      stack_trace,
      trace_id,
      span_id,
      ...rest
    } = info as Info;
    const level = String(levelValue);
    const time = String(timestamp).slice(11, 23);
    const shownLevel = color ? `\x1b[${COLORS[level] ?? '0'}m${level.padEnd(8)}\x1b[0m` : level.padEnd(8);
    const fields = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : safeStringify({ v }).slice(5, -1)}`)
      .join(' ');
    const trail = trace_id ? ` trace_id=${String(trace_id)} span_id=${String(span_id)}` : '';
    const line = `${time} ${shownLevel} ${String(logger_name)}: ${String(message)}${fields ? ` ${fields}` : ''}${trail}`;
    (info as Info)[MESSAGE] = stack_trace ? `${line}\n${String(stack_trace)}` : line;
    return info;
  })();
}

/** For the OTLP copy: exception details travel as the record's exception (exception.* attributes). */
export function createOtlpFormat(): Logform.Format {
  return format((info) => {
    const record = info as Info;
    if (record[SPLAT] !== undefined) {
      delete record.exception_type;
      delete record.exception_message;
      delete record.stack_trace;
    }
    // Native fields of an OTLP record or its resource: not repeated as attributes.
    delete record.timestamp;
    delete record.service_name;
    delete record.environment;
    delete record.trace_id;
    delete record.span_id;
    return record;
  })();
}
