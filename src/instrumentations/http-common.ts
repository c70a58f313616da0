// What otelkit's own HTTP instrumentations (server and fetch/undici client) share with each other and with upstream's.
import {
  createContextKey,
  trace,
  ValueType,
  type Histogram,
  type MeterProvider,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import type { Instrumentation, InstrumentationConfig } from '@opentelemetry/instrumentation';
import { OTELKIT_VERSION } from '../version';
import { diagnostics } from '../diagnostics';

const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE']);

/** The duration buckets of the semantic conventions (seconds), as upstream. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** The key the API keeps a context's span under (Symbol.for of this description). */
export const SPAN_KEY = createContextKey('OpenTelemetry Context Key SPAN');

/** http.request.method: a known method in upper case, anything else `_OTHER`. */
export function normalizeMethod(method: string): string {
  if (KNOWN_METHODS.has(method)) return method;
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : '_OTHER';
}

/**
 * An instrumentation of otelkit's own: its scope's tracer, one request-duration histogram, enable and disable
 * around `patch` and `unpatch`, and a fault on a request said once.
 */
export abstract class OwnHttpInstrumentation implements Instrumentation {
  readonly instrumentationVersion = OTELKIT_VERSION;
  protected tracer: Tracer;
  protected duration?: Histogram;
  private config: InstrumentationConfig = { enabled: false };
  private failedOnce = false;

  constructor(
    readonly instrumentationName: string,
    private readonly metric: { readonly name: string; readonly description: string },
  ) {
    this.tracer = trace.getTracer(instrumentationName, OTELKIT_VERSION);
  }

  protected abstract patch(): void;
  protected abstract unpatch(): void;

  setTracerProvider(provider: TracerProvider): void {
    this.tracer = provider.getTracer(this.instrumentationName, OTELKIT_VERSION);
  }

  setMeterProvider(provider: MeterProvider): void {
    this.duration = provider.getMeter(this.instrumentationName, OTELKIT_VERSION).createHistogram(this.metric.name, {
      description: this.metric.description,
      unit: 's',
      valueType: ValueType.DOUBLE,
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
  }

  setConfig(config: InstrumentationConfig): void {
    this.config = { ...config, enabled: this.config.enabled };
  }

  getConfig(): InstrumentationConfig {
    return this.config;
  }

  enable(): void {
    if (this.config.enabled) return;
    this.config = { ...this.config, enabled: true };
    this.patch();
  }

  disable(): void {
    if (!this.config.enabled) return;
    this.config = { ...this.config, enabled: false };
    this.unpatch();
  }

  /** `what`: who failed, `outcome`: what happened to the request all the same. */
  protected failed(err: unknown, what: string, outcome: string): void {
    if (this.failedOnce) return;
    this.failedOnce = true;
    diagnostics.warn(
      `${what} failed on a request (${(err as Error)?.message ?? String(err)}); ${outcome}, its telemetry may be ` +
        'incomplete (said once)',
    );
  }
}
