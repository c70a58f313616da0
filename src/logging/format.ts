// The JSON line format: the standard field set, trace correlation, and a serialisation that cannot throw.
import { trace } from '@opentelemetry/api';
import { format } from 'winston';
import { LEVEL_TEXT, type LevelName } from './levels';

export interface RecordContext {
  readonly loggerName: string;
  readonly serviceName: string;
  readonly environment?: string;
}

const MESSAGE = Symbol.for('message');

/** Never throws: a value JSON cannot take is replaced, never allowed to break the line. */
export function safeStringify(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch {
    const seen = new WeakSet<object>();
    try {
      return JSON.stringify(record, (_key, value: unknown) => {
        if (typeof value === 'bigint') return value.toString();
        if (typeof value === 'object' && value !== null) {
          if (seen.has(value)) return '[Circular]';
          seen.add(value);
        }
        return value;
      });
    } catch {
      return JSON.stringify({ timestamp: record.timestamp, level: record.level, message: '[unserialisable log record]' });
    }
  }
}

export function createJsonFormat(ctx: RecordContext) {
  return format((info) => {
    const { level, message, ...fields } = info as Record<string, unknown> & { level: string; message: unknown };
    const span = trace.getActiveSpan()?.spanContext();
    const record: Record<string, unknown> = {
      timestamp: new Date().toISOString(),
      level: LEVEL_TEXT[level as LevelName] ?? String(level).toUpperCase(),
      logger_name: ctx.loggerName,
      message: typeof message === 'string' ? message : safeStringify({ value: message }).slice(9, -1),
      service_name: ctx.serviceName,
      ...(ctx.environment === undefined ? {} : { environment: ctx.environment }),
      ...(span ? { trace_id: span.traceId, span_id: span.spanId } : {}),
      ...fields,
    };
    (info as Record<symbol, unknown>)[MESSAGE] = safeStringify(record);
    return info;
  })();
}
