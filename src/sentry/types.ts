// What the rest of otelkit sees of Sentry error reporting: interfaces only, so nothing here loads @sentry/core.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

export interface LoggedError {
  readonly message: string;
  readonly logger: string;
  /** ERROR is `error`, CRITICAL is `fatal`: Sentry's names. */
  readonly level: 'error' | 'fatal';
}

export interface ErrorReporter {
  /** An Error the application logged at ERROR or CRITICAL through otelkit's logger; called in the caller's context. */
  captureLogged(error: unknown, log: LoggedError): void;
  /** An uncaught exception or unhandled rejection that is about to end the process. */
  captureUncaught(error: unknown, origin: 'uncaughtException' | 'unhandledRejection'): void;
  /** A server span that ended as an error with exceptions recorded (a handler threw, a 5xx with an exception). */
  reportServerSpan(span: ReadableSpan): void;
  /** Sends what is queued; resolves within the bound (true: all sent). */
  flush(timeoutMillis: number): Promise<boolean>;
  close(timeoutMillis: number): Promise<boolean>;
}
