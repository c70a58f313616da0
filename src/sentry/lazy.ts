// Sentry reporting that loads the Sentry client (dist/sentry.js, @sentry/core) at the first error, not at start-up:
// most processes never report one, and a process that does pays the load once, on an error path.
import { SpanKind, SpanStatusCode, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { diagnostics } from '../diagnostics';
import type { ErrorReporter, LoggedError } from './types';

export interface LazySentry {
  readonly reporter: ErrorReporter;
  /** Hands server spans that end as errors with exceptions to the reporter. */
  readonly spanProcessor: SpanProcessor;
}

export function createLazySentry(load: () => ErrorReporter): LazySentry {
  let loaded: ErrorReporter | undefined;
  let failed = false;
  const real = (): ErrorReporter | undefined => {
    if (loaded || failed) return loaded;
    try {
      loaded = load();
    } catch (err) {
      failed = true;
      diagnostics.warn(
        `Sentry error reporting failed to start (${(err as Error)?.message ?? String(err)}); errors still go to OpenTelemetry`,
      );
    }
    return loaded;
  };
  // Called from the logger, the crash handlers and span processing: whatever happens in here stays in here.
  const guarded = (report: (to: ErrorReporter) => void): void => {
    try {
      const to = real();
      if (to) report(to);
    } catch (err) {
      diagnostics.debug(`could not report an error to Sentry: ${String(err)}`);
    }
  };
  const reporter: ErrorReporter = {
    captureLogged: (error: unknown, log: LoggedError) => guarded((to) => to.captureLogged(error, log)),
    captureUncaught: (error, origin) => guarded((to) => to.captureUncaught(error, origin)),
    reportServerSpan: (span) => guarded((to) => to.reportServerSpan(span)),
    flush: (timeoutMillis) => loaded?.flush(timeoutMillis) ?? Promise.resolve(true),
    close: (timeoutMillis) => loaded?.close(timeoutMillis) ?? Promise.resolve(true),
  };
  return { reporter, spanProcessor: new ServerErrorSpanProcessor(reporter) };
}

class ServerErrorSpanProcessor implements SpanProcessor {
  constructor(private readonly reporter: ErrorReporter) {}

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    // Cheap tests first: this runs for every span.
    if (span.kind !== SpanKind.SERVER || span.status.code !== SpanStatusCode.ERROR || span.events.length === 0) return;
    if (span.events.some((e) => e.name === 'exception')) this.reporter.reportServerSpan(span);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
