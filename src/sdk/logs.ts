// Logger provider: the OTLP (or console) log pipeline that the winston transport feeds.
import {
  BatchLogRecordProcessor,
  ConsoleLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
  type LogRecordExporter,
  type LogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import type { Resource } from '@opentelemetry/resources';
import type { Config } from '../config/resolve';
import { createOtlpExporter } from './exporters';

export function createLoggerProvider(config: Config, resource: Resource): LoggerProvider {
  const { logs } = config;
  const processors: LogRecordProcessor[] = logs.exporters.map((name) =>
    name === 'console'
      ? new SimpleLogRecordProcessor({ exporter: new ConsoleLogRecordExporter() })
      : new BatchLogRecordProcessor({ exporter: createOtlpExporter<LogRecordExporter>('logs', logs.otlp), ...logs.batch }),
  );
  return new LoggerProvider({
    resource,
    processors,
    logRecordLimits: { attributeValueLengthLimit: config.attributeValueLengthLimit },
  });
}
