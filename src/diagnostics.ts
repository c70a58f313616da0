// otelkit's own diagnostic lines on stderr, and the bridge that brings upstream `diag` output there too.
// The only module that writes to the console.
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { maskUrlCredentials } from './mask';

/** OTEL_LOG_LEVEL's values, from silent to everything. */
export const LOG_LEVELS = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

type Level = 'error' | 'warn' | 'info' | 'debug';

const RANK: Record<LogLevelName, number> = { none: 0, error: 1, warn: 2, info: 3, debug: 4, verbose: 5, all: 6 };
const LEVEL_RANK: Record<Level, number> = { error: 1, warn: 2, info: 3, debug: 4 };
const DIAG_LEVEL: Record<LogLevelName, DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

// Upstream export errors repeat on every failed batch while a collector is down: cap them.
const UPSTREAM_LINES_PER_WINDOW = 10;
const UPSTREAM_WINDOW_MILLIS = 60_000;

let ownThreshold = RANK.info;
let upstreamRank = RANK.error;
let upstreamWindowStart = 0;
let upstreamLinesInWindow = 0;
let upstreamSuppressed = 0;

function write(level: Level, message: string): void {
  try {
    process.stderr.write(`otelkit ${level}: ${maskUrlCredentials(message)}\n`);
  } catch {
    // stderr closed or broken: diagnostics are never worth crashing the host for.
  }
}

function own(level: Level, message: string): void {
  if (LEVEL_RANK[level] <= ownThreshold) write(level, message);
}

export const diagnostics = {
  error: (message: string): void => own('error', message),
  warn: (message: string): void => own('warn', message),
  info: (message: string): void => own('info', message),
  debug: (message: string): void => own('debug', message),
};

function upstream(level: Level, message: string, args: unknown[]): void {
  const now = Date.now();
  if (now - upstreamWindowStart >= UPSTREAM_WINDOW_MILLIS) {
    if (upstreamSuppressed > 0)
      write('warn', `${upstreamSuppressed} more OpenTelemetry diagnostic lines suppressed in the last minute`);
    upstreamWindowStart = now;
    upstreamLinesInWindow = 0;
    upstreamSuppressed = 0;
  }
  if (upstreamLinesInWindow >= UPSTREAM_LINES_PER_WINDOW) {
    upstreamSuppressed++;
    return;
  }
  upstreamLinesInWindow++;
  write(level, [message, ...args.map(describe)].join(' '));
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const upstreamLogger: DiagLogger = {
  error: (message, ...args) => upstream('error', message, args),
  warn: (message, ...args) => upstream('warn', message, args),
  info: (message, ...args) => upstream('info', message, args),
  debug: (message, ...args) => upstream('debug', message, args),
  verbose: (message, ...args) => upstream('debug', message, args),
};

/**
 * Unset OTEL_LOG_LEVEL: otelkit's own warnings and start-up line, upstream errors only (upstream warnings
 * repeat what otelkit's config check already said). Set: both follow it.
 */
export function configureDiagnostics(logLevel: LogLevelName | undefined): void {
  ownThreshold = logLevel === undefined ? RANK.info : RANK[logLevel];
  upstreamRank = RANK[logLevel ?? 'error'];
  diag.setLogger(upstreamLogger, { logLevel: DIAG_LEVEL[logLevel ?? 'error'], suppressOverrideMessage: true });
}

/**
 * For the SDK's global error handler, where export failures land (its default prints the whole error as JSON):
 * one line each, within the same rate limit as other upstream lines.
 */
export function reportUpstreamError(error: unknown): void {
  if (upstreamRank >= RANK.error) upstream('error', 'export error:', [error]);
}
