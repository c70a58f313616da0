// otelkit's log levels: winston names, the level text written in records, and the OTel severity numbers.
import { SeverityNumber } from '@opentelemetry/api';

// `warn` and `warning` are the same level: winston users call warn(), the schema says WARNING.
export const LEVELS = { critical: 0, error: 1, warning: 2, warn: 2, info: 3, debug: 4 } as const;
export type LevelName = keyof typeof LEVELS;

export const LEVEL_TEXT: Record<LevelName, string> = {
  critical: 'CRITICAL',
  error: 'ERROR',
  warning: 'WARNING',
  warn: 'WARNING',
  info: 'INFO',
  debug: 'DEBUG',
};

export const SEVERITY: Record<LevelName, SeverityNumber> = {
  critical: SeverityNumber.FATAL,
  error: SeverityNumber.ERROR,
  warning: SeverityNumber.WARN,
  warn: SeverityNumber.WARN,
  info: SeverityNumber.INFO,
  debug: SeverityNumber.DEBUG,
};
