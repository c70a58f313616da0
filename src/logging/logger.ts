// getLogger(name): winston loggers that print JSON lines and ship the same records over OTLP.
import { createLogger, transports, type Logger } from 'winston';
import { OpenTelemetryTransportV3 } from '@opentelemetry/winston-transport';
import { LEVELS, SEVERITY } from './levels';
import { createJsonFormat } from './format';
import { runningSdk } from '../start';

const loggers = new Map<string, Logger>();

function hasOtlpTransport(logger: Logger): boolean {
  // The winston instrumentation adds its own OpenTelemetryTransportV3 to every logger it sees; one is enough.
  return logger.transports.some((t) => t.constructor.name === OpenTelemetryTransportV3.name);
}

export function getLogger(name = 'app'): Logger {
  const existing = loggers.get(name);
  if (existing) return existing;
  const config = runningSdk()?.config;
  const logger = createLogger({
    levels: LEVELS,
    level: 'debug',
    format: createJsonFormat({
      loggerName: name,
      serviceName: config?.service.name ?? 'unknown_service:node',
      environment: config?.service.environment,
    }),
    transports: [new transports.Console()],
    exitOnError: false,
  });
  if (!hasOtlpTransport(logger)) logger.add(new OpenTelemetryTransportV3({ severityMapping: SEVERITY }));
  loggers.set(name, logger);
  return logger;
}
