// Composes the running SDK from small named steps: resource, providers, globals, instrumentations.
import { logs, metrics, propagation, trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { setGlobalErrorHandler } from '@opentelemetry/core';
import { reportUpstreamError } from '../diagnostics';
import type { Config } from '../config/resolve';
import type { InstrumentationName } from '../instrumentations/table';
import { loadInstrumentations } from '../instrumentations/load';
import { createResource } from './resource';
import { createTracerProvider } from './traces';
import { createMetrics } from './metrics';
import { createLoggerProvider } from './logs';
import { createPropagator } from './propagation';
import { ensureContextManager } from '../request/request-context';
import { settleWithin } from '../timing';
import { Redactor } from '../redaction/redact';
import { setSdkMeterProvider } from '../metrics/meter-provider';
import type { ErrorReporter } from '../sentry/types';
import { createLazySentry, type LazySentry } from '../sentry/lazy';

export interface RunningSdk {
  readonly config: Config;
  readonly instrumentations: readonly InstrumentationName[];
  /** Sentry error reporting, when SENTRY_DSN is set and valid. */
  readonly sentry?: ErrorReporter;
  /** Exports everything buffered; resolves within the bound, whatever the exporters do (true: all done). */
  flush(timeoutMillis: number): Promise<boolean>;
  /**
   * Flushes, then stops every provider, all within the bound; idempotent. The flush comes first so that spans
   * of requests still finishing while it runs are taken by the shutdown's own final export.
   */
  shutdown(timeoutMillis: number): Promise<boolean>;
}

export interface ComposeOptions {
  /** Create instrumentations on first require of their packages (CommonJS); false when ES modules are hooked. */
  readonly deferInstrumentations: boolean;
}

export function composeSdk(config: Config, { deferInstrumentations }: ComposeOptions): RunningSdk {
  const resource = createResource(config);
  const redactor = new Redactor(config.redactKeys, config.redactPaths);
  const { provider: meterProvider, prometheus } = createMetrics(config, resource);
  // The batch processors report queue size and drops (error.type=queue_full) through this meter provider, so
  // telemetry lost to a full queue is counted where dashboards and alerts can see it.
  const selfObservation = config.metrics.exporters.length > 0 ? meterProvider : undefined;
  const lazySentry = config.sentry ? startSentry(config) : undefined;
  const sentry = lazySentry?.reporter;
  const tracerProvider = createTracerProvider(config, resource, redactor, selfObservation, lazySentry?.spanProcessor);
  const loggerProvider = createLoggerProvider(config, resource, redactor, selfObservation);

  setGlobalErrorHandler(reportUpstreamError);
  ensureContextManager();
  propagation.setGlobalPropagator(createPropagator(config.propagators, config.requestIdHeader));
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  setSdkMeterProvider(meterProvider);
  logs.setGlobalLoggerProvider(loggerProvider);

  const providers = { tracerProvider, meterProvider, loggerProvider };
  const { instances, loaded } = loadInstrumentations(config, {
    deferred: deferInstrumentations,
    redactor,
    onCreated: (instance) => registerInstrumentations({ instrumentations: [instance], ...providers }),
  });
  registerInstrumentations({ instrumentations: instances, ...providers });

  const flushAll = (timeoutMillis: number) =>
    Promise.allSettled([
      tracerProvider.forceFlush(),
      meterProvider.forceFlush(),
      loggerProvider.forceFlush(),
      sentry?.flush(timeoutMillis),
    ]);
  const stopAll = (timeoutMillis: number) =>
    Promise.allSettled([
      tracerProvider.shutdown(),
      meterProvider.shutdown(),
      loggerProvider.shutdown(),
      prometheus?.close(),
      sentry?.close(timeoutMillis),
    ]);
  let stopping: Promise<boolean> | undefined;
  return {
    config,
    instrumentations: loaded,
    sentry,
    flush: (timeoutMillis) => settleWithin(timeoutMillis, [flushAll(timeoutMillis)]),
    shutdown: (timeoutMillis) =>
      (stopping ??= settleWithin(timeoutMillis, [flushAll(timeoutMillis).then(() => stopAll(timeoutMillis))])),
  };
}

/** The Sentry client (dist/sentry.js) is required here, at a process's first error: never without SENTRY_DSN. */
function startSentry(config: Config): LazySentry {
  const settings = config.sentry!;
  return createLazySentry(() => {
    const { createSentryReporter } = require('../sentry/reporter') as typeof import('../sentry/reporter');
    return createSentryReporter(settings, config.redactKeys);
  });
}
