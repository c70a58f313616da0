// getLogger(name) and getAuditLogger(name): winston loggers that write the standard JSON record to stdout (and
// optional rotating files) and ship the same record over OTLP.
import { createLogger, format, transports, type Logger } from 'winston';
import type TransportStream from 'winston-transport';
import { OpenTelemetryTransportV3 } from '@opentelemetry/winston-transport';
import { Redactor } from '../redaction/redact';
import { currentConfig, processState } from '../state';
import { LEVELS, SEVERITY } from './levels';
import { createEnrichFormat, createJsonLineFormat, createOtlpFormat, createPrettyLineFormat } from './format';

export type OtelkitLogger = Logger & { critical: Logger['error']; warning: Logger['warn'] };

const loggers = new Map<string, OtelkitLogger>();
let redactor: Redactor | undefined;

function outputTransports(): TransportStream[] {
  const { logging } = currentConfig();
  const line = logging.format === 'pretty' ? createPrettyLineFormat(process.stdout.isTTY === true) : createJsonLineFormat();
  const list: TransportStream[] = [new transports.Console({ format: line })];
  const fileLine = createJsonLineFormat();
  if (logging.file) {
    // Size-based rotation: app.log is always the newest; app1.log … appN.log the older ones.
    list.push(
      new transports.File({
        filename: logging.file.path,
        maxsize: logging.file.maxSizeBytes,
        maxFiles: logging.file.maxFiles,
        tailable: true,
        // lazy: the size is checked before each write, so rotation happens at the limit, not after a burst.
        lazy: true,
        format: fileLine,
      }),
    );
  }
  if (logging.errorsFile) {
    const rotation = logging.file ? { maxsize: logging.file.maxSizeBytes, maxFiles: logging.file.maxFiles } : {};
    list.push(
      new transports.File({ filename: logging.errorsFile, level: 'error', tailable: true, ...rotation, format: fileLine }),
    );
  }
  return list;
}

function isOtlpTransport(t: TransportStream): boolean {
  return t.constructor.name === OpenTelemetryTransportV3.name;
}

/**
 * The attribute that names a record's log stream. Audit records carry `log.stream: audit`; the collector routes
 * each stream to its own Elasticsearch data stream (collector/config.yaml, transform/log_streams), which has its
 * own retention. Records without it are application logs.
 */
export const LOG_STREAM_ATTRIBUTE = 'log.stream';

export function getLogger(name = 'app'): OtelkitLogger {
  return loggerFor(String(name), undefined);
}

/**
 * A logger for audit records (who did what to which object): the same record as getLogger's, marked
 * `log.stream: audit` so that it is kept apart from, and longer than, the application logs.
 */
export function getAuditLogger(name = 'audit'): OtelkitLogger {
  return loggerFor(String(name), 'audit');
}

function loggerFor(key: string, stream: 'audit' | undefined): OtelkitLogger {
  const cacheKey = stream ? `${stream}\u0000${key}` : key;
  const existing = loggers.get(cacheKey);
  if (existing) return existing;
  const config = currentConfig();
  redactor ??= new Redactor(config.redactKeys, config.redactPaths);
  const logger = createLogger({
    levels: LEVELS,
    level: config.logging.level,
    format: format.combine(
      ...(stream ? [markStream(stream)] : []),
      createEnrichFormat({
        loggerName: key,
        // Read per record: start(options) may set the service after this logger was made.
        resource: {
          get serviceName() {
            return currentConfig().service.name;
          },
          get environment() {
            return currentConfig().service.environment;
          },
        },
        redactor,
        limits: { maxStringLength: config.logging.maxStringLength },
      }),
    ),
    transports: outputTransports(),
    exitOnError: false,
  }) as OtelkitLogger;
  // The winston instrumentation adds its own OTLP transport to every logger it sees; ours replaces it, so each
  // record is sent once, with otelkit's severity mapping.
  for (const t of logger.transports.filter(isOtlpTransport)) logger.remove(t);
  // Known to have no OTLP log pipeline (OTEL_LOGS_EXPORTER=none, SDK disabled): no record building for it. Before
  // start() the transport is attached anyway: it logs through the API's proxy provider, live once start() runs.
  const state = processState();
  const noPipeline = state.started && (!state.sdk || config.logs.exporters.length === 0);
  if (!noPipeline)
    logger.add(
      new OpenTelemetryTransportV3({ severityMapping: SEVERITY, format: createOtlpFormat() } as ConstructorParameters<
        typeof OpenTelemetryTransportV3
      >[0]),
    );
  guardLogMethods(logger);
  // A transport error (disk full, closed stdout) must not become an unhandled 'error' event in the app.
  logger.on('error', () => {});
  for (const t of logger.transports) t.on('error', () => {});
  loggers.set(cacheKey, logger);
  return logger;
}

/** Sets the stream marker on every record, over any value the caller passed: an audit record stays one. */
function markStream(stream: string) {
  return format((info) => {
    info[LOG_STREAM_ATTRIBUTE] = stream;
    return info;
  })();
}

/**
 * winston itself can throw before any format runs (it copies the caller's meta object, so a getter that throws
 * escapes). Each log method is wrapped so the caller never sees it; the record is written without the meta.
 */
function guardLogMethods(logger: OtelkitLogger): void {
  const target = logger as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const method of [...Object.keys(LEVELS), 'log']) {
    const original = target[method];
    if (typeof original !== 'function') continue;
    target[method] = function guarded(this: unknown, ...args: unknown[]) {
      try {
        return original.apply(this, args);
      } catch (err) {
        try {
          const level = method === 'log' ? String(args[0]) : method;
          const message = method === 'log' ? args[1] : args[0];
          const reason = err instanceof Error ? err.message : String(err);
          return original.apply(
            this,
            method === 'log' ? [level, textOf(message), { log_error: reason }] : [textOf(message), { log_error: reason }],
          );
        } catch {
          return logger;
        }
      }
    };
  }
}

function textOf(message: unknown): string {
  try {
    return typeof message === 'string' ? message : String(message);
  } catch {
    return '[unprintable message]';
  }
}
