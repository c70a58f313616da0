// Uncaught exceptions and unhandled rejections: one CRITICAL/ERROR record with the stack, telemetry flushed,
// then Node's own outcome (its stderr report, exit code 1). Apps with handlers of their own keep control.
import type { RunningSdk } from './sdk/compose';
import { diagnostics } from './diagnostics';

export function installUncaughtHandlers(sdk: RunningSdk): void {
  let rethrowing = false;

  const record = (error: unknown, origin: string): void => {
    if (rethrowing) return;
    // A capture callback (a domain, as restify's handleUncaughtExceptions uses) takes the exception in place of
    // the 'uncaughtException' event: the process goes on, so this is not an uncaught exception. Node emits the
    // monitor event before it asks the callback.
    if (origin === 'uncaughtException' && process.hasUncaughtExceptionCaptureCallback()) return;
    // One object for both: the logger's own Sentry report recognises it and does not send it again.
    const err = toError(error);
    try {
      sdk.sentry?.captureUncaught(err, origin === 'unhandledRejection' ? 'unhandledRejection' : 'uncaughtException');
    } catch (e) {
      diagnostics.debug(`could not report the uncaught exception to Sentry: ${String(e)}`);
    }
    try {
      // Required here, not at start-up: winston costs tens of milliseconds to load and most processes never crash.
      const { getLogger } = require('./logging/logger') as typeof import('./logging/logger');
      const log = getLogger('otelkit');
      if (origin === 'unhandledRejection') log.error('Unhandled promise rejection', { err });
      else log.critical('Uncaught exception', { err });
    } catch (err) {
      diagnostics.debug(`could not log the uncaught exception: ${String(err)}`);
    }
  };

  const flushThenRethrow = (error: unknown): void => {
    // Listeners other than ours mean the application handles uncaught exceptions: it decides what happens.
    if (process.listenerCount('uncaughtException') > 1) {
      void sdk.flush(sdk.config.shutdownTimeoutMillis);
      return;
    }
    process.removeListener('uncaughtException', flushThenRethrow);
    void sdk.shutdown(sdk.config.shutdownTimeoutMillis).then(() => {
      rethrowing = true;
      // Thrown again with no handler left, Node reports it and exits with code 1, as it would have.
      process.nextTick(() => {
        throw error;
      });
    });
  };

  process.on('uncaughtExceptionMonitor', record);
  process.on('uncaughtException', flushThenRethrow);
}

function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  const error = new Error(typeof value === 'string' ? value : `Non-error value thrown: ${String(value)}`);
  error.name = 'NonErrorThrown';
  return error;
}
