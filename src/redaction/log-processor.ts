// A log record processor that runs before export: masks sensitive attributes of every OTLP log record,
// including those of apps' own winston, pino and bunyan loggers.
import type { Context } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import type { Redactor } from './redact';

export class RedactingLogRecordProcessor implements LogRecordProcessor {
  constructor(private readonly redactor: Redactor) {}

  onEmit(record: ReadWriteLogRecord, _context?: Context): void {
    for (const [key, value] of Object.entries(record.attributes)) {
      const redacted = this.redactor.redactValue(key, value);
      if (redacted !== value) record.setAttribute(key, redacted as typeof value);
    }
    if (typeof record.body === 'string') {
      const masked = this.redactor.redactString(record.body);
      if (masked !== record.body) record.setBody(masked);
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
