// Logger provider: the OTLP (or console) log pipeline that the winston transport feeds.
import {
  BatchLogRecordProcessor,
  ConsoleLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
  type LogRecordExporter,
  type LogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import type { MeterProvider } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { Config } from '../config/resolve';
import { createOtlpExporter } from './exporters';
import type { Redactor } from '../redaction/redact';
import { RedactingLogRecordProcessor } from '../redaction/log-processor';

export function createLoggerProvider(
  config: Config,
  resource: Resource,
  redactor: Redactor,
  selfObsMeterProvider?: MeterProvider,
): LoggerProvider {
  const { logs } = config;
  const exporting: LogRecordProcessor[] = logs.exporters.map((name): LogRecordProcessor => {
    if (name === 'console') return new SimpleLogRecordProcessor({ exporter: new ConsoleLogRecordExporter() });
    const exporter = createOtlpExporter<LogRecordExporter>('logs', logs.otlp);
    return new BatchLogRecordProcessor({ exporter, ...logs.batch, selfObsMeterProvider });
  });
  return new LoggerProvider({
    resource,
    // Redaction first: processors run in order, and exporters must only ever see masked values.
    processors: exporting.length > 0 ? [new RedactingLogRecordProcessor(redactor), ...exporting] : [],
    logRecordLimits: { attributeValueLengthLimit: config.attributeValueLengthLimit },
  });
}
