// What otelkit's own HTTP instrumentations (server and fetch/undici client) share with each other and with upstream's.
import {
  createContextKey,
  trace,
  type Context,
  type Span,
  ValueType,
  type Histogram,
  type MeterProvider,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { setRPCMetadata, type RPCMetadata } from '@opentelemetry/core';
import type { Instrumentation, InstrumentationConfig } from '@opentelemetry/instrumentation';
import { OTELKIT_VERSION } from '../version';
import { diagnostics } from '../diagnostics';
import { durationHistogramsOf } from '../metrics/duration-histograms';

/** The semantic conventions' known methods; OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS replaces them. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'QUERY',
  'TRACE',
]);

/** The duration buckets of the semantic conventions (seconds), as upstream. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

// The keys the API and core keep a context's span and RPC metadata under (Symbol.for of these descriptions).
const SPAN_KEY = createContextKey('OpenTelemetry Context Key SPAN');
const RPC_METADATA_KEY = createContextKey('OpenTelemetry SDK Context Key RPC_METADATA');

/**
 * http.request.method: a known method as it is, or its upper case when that is known (the canonical form, as
 * upstream), anything else `_OTHER`. Known methods are case-sensitive, as the semantic conventions say.
 */
export function normalizeMethod(method: string, known: ReadonlySet<string> = KNOWN_METHODS): string {
  if (known.has(method)) return method;
  const upper = method.toUpperCase();
  return known.has(upper) ? upper : '_OTHER';
}

/** The span name's method: `HTTP` for one that is not known (the semantic conventions; upstream's server uses the raw method). */
export function spanMethod(method: string): string {
  return method === '_OTHER' ? 'HTTP' : method;
}

/**
 * A parent context with a span (and, for a server request, its RPC metadata) on top, in one small object. Setting
 * them through the API copies a Map and makes three closures per value; code that sets a value on this context
 * (a child span) gets the API's own context, built once.
 */
export class SpanOnTop implements Context {
  private built?: Context;

  constructor(
    private readonly parent: Context,
    private readonly span: Span,
    private readonly rpc?: RPCMetadata,
  ) {}

  getValue(key: symbol): unknown {
    if (key === SPAN_KEY) return this.span;
    if (key === RPC_METADATA_KEY && this.rpc !== undefined) return this.rpc;
    return this.parent.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return this.build().setValue(key, value);
  }

  deleteValue(key: symbol): Context {
    return this.build().deleteValue(key);
  }

  private build(): Context {
    if (this.built === undefined) {
      const withSpan = trace.setSpan(this.parent, this.span);
      this.built = this.rpc === undefined ? withSpan : setRPCMetadata(withSpan, this.rpc);
    }
    return this.built;
  }
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
    private readonly metric: {
      readonly name: string;
      readonly description: string;
      /** The attributes the duration keeps (otelkit's view of the same name keeps these on the SDK path). */
      readonly attributes: readonly string[];
    },
  ) {
    this.tracer = trace.getTracer(instrumentationName, OTELKIT_VERSION);
  }

  protected abstract patch(): void;
  protected abstract unpatch(): void;

  setTracerProvider(provider: TracerProvider): void {
    this.tracer = provider.getTracer(this.instrumentationName, OTELKIT_VERSION);
  }

  /** otelkit's meter provider: the duration is aggregated by otelkit (../metrics/duration-histograms); any other: the SDK's histogram. */
  setMeterProvider(provider: MeterProvider): void {
    const { name, description, attributes } = this.metric;
    const own = durationHistogramsOf(provider);
    this.duration =
      own?.histogram({
        scope: { name: this.instrumentationName, version: OTELKIT_VERSION },
        name,
        description,
        attributes,
        boundaries: DURATION_BUCKETS,
      }) ??
      provider.getMeter(this.instrumentationName, OTELKIT_VERSION).createHistogram(name, {
        description,
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
