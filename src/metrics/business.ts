// Business metrics (tickets created, approval time, orders pending): counters, histograms and up-down counters
// over the OpenTelemetry meter, with declared attributes and a bound on the values each attribute takes.
import { type Attributes, type Counter, type Histogram, type UpDownCounter } from '@opentelemetry/api';
import { diagnostics } from '../diagnostics';
import { sdkMeterProvider } from './meter-provider';

/** The meter's name: every business series carries `otel_scope_name="otelkit.business"` in Prometheus. */
export const BUSINESS_SCOPE = 'otelkit.business';
/** The value an attribute takes once its bound is reached. */
export const OTHER_VALUE = '_other';
export const DEFAULT_MAX_VALUES = 100;
/** Without a declared list, the first this many distinct keys are kept: keys made from data would be unbounded too. */
export const MAX_UNDECLARED_KEYS = 10;

export interface BusinessMetricOptions {
  description?: string;
  /** UCUM unit: `s` for durations, `{ticket}` for counts of things, `By` for sizes. */
  unit?: string;
  /** The attribute keys kept on each recording; other keys are dropped (with one warning). Without it, the first
   * 10 distinct keys. */
  attributes?: readonly string[];
  /** Distinct values kept per attribute (default 100); later new values are recorded as `_other`. */
  maxValuesPerAttribute?: number;
}

export interface BusinessHistogramOptions extends BusinessMetricOptions {
  /** Bucket boundaries, in the metric's unit; the SDK's defaults otherwise. */
  buckets?: readonly number[];
}

export type BusinessAttributes = Record<string, string | number | boolean | undefined>;

export interface BusinessCounter {
  /** Adds a non-negative amount (default 1). */
  add(value?: number, attributes?: BusinessAttributes): void;
}
export interface BusinessUpDownCounter {
  /** Adds a positive or negative amount (default 1): pending items go up when queued, down when done. */
  add(value?: number, attributes?: BusinessAttributes): void;
}
export interface BusinessHistogram {
  /** Records one non-negative measurement (a duration, an amount). */
  record(value: number, attributes?: BusinessAttributes): void;
}

// Same rule as the API's instrument names; an invalid name would make the SDK hand out a no-op instrument.
const NAME = /^[a-z][a-z0-9_.\-/]{0,254}$/i;

type Kind = 'counter' | 'histogram' | 'updowncounter';
type Instrument = Counter | Histogram | UpDownCounter;

let folded: Counter | undefined;

/** Recordings whose attribute value was replaced by `_other`, per metric and attribute: the guard's own signal. */
function countFolded(metric: string, attribute: string): void {
  if (!folded) {
    const provider = sdkMeterProvider();
    if (!provider) return;
    folded = provider.getMeter('otelkit').createCounter('otelkit.business.attribute_values_folded', {
      description: 'Business metric recordings whose attribute value was recorded as _other (cardinality bound reached)',
      unit: '{recording}',
    });
  }
  folded.add(1, { metric, attribute });
}

class GuardedInstrument {
  private instrument: Instrument | undefined;
  private readonly allowed: ReadonlySet<string> | undefined;
  private readonly seen = new Map<string, Set<string>>();
  private readonly maxValues: number;
  private readonly warned = new Set<string>();

  constructor(
    readonly name: string,
    private readonly kind: Kind,
    private readonly options: BusinessHistogramOptions,
  ) {
    this.allowed = options.attributes ? new Set(options.attributes) : undefined;
    const max = options.maxValuesPerAttribute;
    if (max === undefined) this.maxValues = DEFAULT_MAX_VALUES;
    else if (Number.isInteger(max) && max > 0) this.maxValues = max;
    else {
      this.maxValues = DEFAULT_MAX_VALUES;
      this.warnOnce('max', `maxValuesPerAttribute ${String(max)} is not a positive integer; using ${DEFAULT_MAX_VALUES}`);
    }
  }

  record(value: number | undefined, attributes: BusinessAttributes | undefined, fallback: number | undefined): void {
    try {
      const amount = value ?? fallback;
      if (typeof amount !== 'number' || !Number.isFinite(amount) || (this.kind !== 'updowncounter' && amount < 0)) {
        this.warnOnce(
          'value',
          `value ${String(amount)} is not a ${this.kind === 'updowncounter' ? '' : 'non-negative '}finite number; not recorded`,
        );
        return;
      }
      const instrument = this.resolve();
      if (!instrument) return;
      const guarded = this.guard(attributes);
      if ('record' in instrument) instrument.record(amount, guarded);
      else instrument.add(amount, guarded);
    } catch (err) {
      this.warnOnce('error', `recording failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The SDK's instrument, created on first use: before the SDK runs the API's meter is a no-op and stays one. */
  private resolve(): Instrument | undefined {
    if (this.instrument) return this.instrument;
    const provider = sdkMeterProvider();
    if (!provider) return undefined;
    const meter = provider.getMeter(BUSINESS_SCOPE);
    const { description, unit, buckets } = this.options;
    if (this.kind === 'counter') this.instrument = meter.createCounter(this.name, { description, unit });
    else if (this.kind === 'updowncounter') this.instrument = meter.createUpDownCounter(this.name, { description, unit });
    else {
      const advice = buckets ? { explicitBucketBoundaries: [...buckets] } : undefined;
      this.instrument = meter.createHistogram(this.name, { description, unit, advice });
    }
    return this.instrument;
  }

  private guard(attributes: BusinessAttributes | undefined): Attributes {
    const result: Attributes = {};
    if (!attributes) return result;
    for (const [key, raw] of Object.entries(attributes)) {
      if (raw === undefined) continue;
      if (this.allowed && !this.allowed.has(key)) {
        this.warnOnce(`key:${key}`, `attribute "${key}" is not declared in attributes; dropped`);
        continue;
      }
      let values = this.seen.get(key);
      if (!values) {
        if (!this.allowed && this.seen.size >= MAX_UNDECLARED_KEYS) {
          this.warnOnce(
            'keys',
            `more than ${MAX_UNDECLARED_KEYS} distinct attribute keys; "${key}" and later new keys are dropped (declare them in attributes)`,
          );
          continue;
        }
        this.seen.set(key, (values = new Set()));
      }
      const value = String(raw);
      if (values.has(value)) result[key] = value;
      else if (values.size < this.maxValues) {
        values.add(value);
        result[key] = value;
      } else {
        result[key] = OTHER_VALUE;
        countFolded(this.name, key);
        this.warnOnce(
          'bound',
          `attribute "${key}" reached ${this.maxValues} distinct values; new values are recorded as "${OTHER_VALUE}" ` +
            '(raise maxValuesPerAttribute, or use an attribute with fewer values: ids belong in logs and traces)',
        );
      }
    }
    return result;
  }

  private warnOnce(topic: string, message: string): void {
    if (this.warned.has(topic)) return;
    this.warned.add(topic);
    diagnostics.warn(`business metric "${this.name}": ${message}`);
  }
}

/** A no-op stand-in for an instrument whose name cannot be used: the app's calls still succeed. */
const NOOP = { add: () => undefined, record: () => undefined };

function create(name: string, kind: Kind, options: BusinessHistogramOptions): GuardedInstrument | undefined {
  if (typeof name !== 'string' || !NAME.test(name)) {
    diagnostics.warn(
      `business metric name ${JSON.stringify(name)} is invalid (a letter, then up to 254 letters, digits, "_", ".", "-" or "/"); nothing is recorded for it`,
    );
    return undefined;
  }
  return new GuardedInstrument(name, kind, options ?? {});
}

/** A counter of business events: `businessCounter('tickets.created', { attributes: ['priority'] }).add(1, { priority })`. */
export function businessCounter(name: string, options: BusinessMetricOptions = {}): BusinessCounter {
  const instrument = create(name, 'counter', options);
  return instrument ? { add: (value, attributes) => instrument.record(value, attributes, 1) } : NOOP;
}

/** A value that goes up and down (items pending approval, open tickets), as the sum of what was added. */
export function businessUpDownCounter(name: string, options: BusinessMetricOptions = {}): BusinessUpDownCounter {
  const instrument = create(name, 'updowncounter', options);
  return instrument ? { add: (value, attributes) => instrument.record(value, attributes, 1) } : NOOP;
}

/** A distribution of business measurements (time to approve, order value), for percentiles and averages. */
export function businessHistogram(name: string, options: BusinessHistogramOptions = {}): BusinessHistogram {
  const instrument = create(name, 'histogram', options);
  return instrument ? { record: (value, attributes) => instrument.record(value, attributes, undefined) } : NOOP;
}
