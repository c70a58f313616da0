// otelkit's HTTP request-duration histograms (server and fetch client), aggregated by otelkit and handed to every
// metric reader as a MetricProducer.
// Recording through the SDK copies the attributes through the view's allow-list, sorts and serialises them into a
// string key and looks that key up, on every request (the measured cost: docs/forks.md). Here the kept attributes
// are looked up value by value in nested Maps, with nothing allocated per request once a series exists.
// The output is what the SDK makes of the same histogram under otelkit's views: explicit-bucket HISTOGRAM points
// with min and max, cumulative or delta as each reader selects, at most 2000 series per instrument and then the
// `otel.metric.overflow` series; test/unit/duration-histograms.test.ts compares the two point for point.
import { ValueType, type Attributes, type Histogram } from '@opentelemetry/api';
import { millisToHrTime, type InstrumentationScope } from '@opentelemetry/core';
import {
  AggregationTemporality,
  DataPointType,
  InstrumentType,
  type CollectionResult,
  type MetricData,
  type MetricProducer,
  type MetricReader,
} from '@opentelemetry/sdk-metrics';
import type { Resource } from '@opentelemetry/resources';

/** The SDK's default cardinality limit: this many series per instrument, the last being the overflow series. */
const MAX_SERIES = 2000;
const OVERFLOW: Attributes = Object.freeze({ 'otel.metric.overflow': true });

export interface DurationHistogramOptions {
  readonly scope: InstrumentationScope;
  readonly name: string;
  readonly description: string;
  /** The attributes kept, as the view's allow-list: any other attribute of a measurement is dropped. */
  readonly attributes: readonly string[];
  /** Upper bounds of the buckets (inclusive), in seconds. */
  readonly boundaries: readonly number[];
}

/** What one reader has not yet been sent (delta) or has been sent so far (cumulative) for one series. */
interface Interval {
  count: number;
  sum: number;
  min: number;
  max: number;
  counts: number[];
  /** Date.now() of the interval's first measurement. */
  startMillis: number;
  /** Whether the series was in this reader's last collection (a delta point then starts at that collection). */
  reportedLast: boolean;
}

interface Series {
  readonly attributes: Attributes;
  readonly intervals: Interval[];
}

type Level = Map<unknown, Level | Series>;

const emptyInterval = (buckets: number, reportedLast = false): Interval => ({
  count: 0,
  sum: 0,
  min: Infinity,
  max: -Infinity,
  counts: new Array<number>(buckets).fill(0),
  startMillis: 0,
  reportedLast,
});

/** Index of the bucket whose inclusive upper bound is the first at or above `value` (the SDK's rule). */
function bucketOf(boundaries: readonly number[], value: number): number {
  let low = 0;
  let high = boundaries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (boundaries[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

export class DurationHistogram implements Histogram {
  private readonly root: Level = new Map();
  private readonly all: Series[] = [];
  private overflow?: Series;

  constructor(
    readonly options: DurationHistogramOptions,
    private readonly readers: () => number,
  ) {}

  record(value: number, attributes: Attributes = {}): void {
    // The SDK drops negative values and NaN.
    if (!(value >= 0)) return;
    const series = this.find(attributes) ?? this.add(attributes);
    const bucket = bucketOf(this.options.boundaries, value);
    for (const interval of series.intervals) {
      if (interval.count === 0) interval.startMillis = Date.now();
      interval.count++;
      interval.sum += value;
      interval.min = Math.min(interval.min, value);
      interval.max = Math.max(interval.max, value);
      interval.counts[bucket]!++;
    }
  }

  /**
   * The data for reader `reader`, collected at `now`; `since` is that reader's previous collection. A delta
   * reader's intervals start afresh, and a series it was sent last time starts at `since` (the SDK's rule).
   */
  collect(reader: number, temporality: AggregationTemporality, since: number | undefined, now: number): MetricData | undefined {
    const { name, description, boundaries } = this.options;
    const delta = temporality === AggregationTemporality.DELTA;
    const endTime = millisToHrTime(now);
    const bounds = [...boundaries];
    const dataPoints = [];
    for (const series of this.overflow === undefined ? this.all : [...this.all, this.overflow]) {
      const interval = (series.intervals[reader] ??= emptyInterval(boundaries.length + 1));
      if (interval.count === 0) {
        interval.reportedLast = false;
        continue;
      }
      const fromLast = delta && interval.reportedLast && since !== undefined;
      dataPoints.push({
        attributes: series.attributes,
        startTime: millisToHrTime(fromLast ? since : interval.startMillis),
        endTime,
        value: {
          min: interval.min,
          max: interval.max,
          sum: interval.sum,
          buckets: { boundaries: bounds, counts: [...interval.counts] },
          count: interval.count,
        },
      });
      if (delta) series.intervals[reader] = emptyInterval(boundaries.length + 1, true);
    }
    if (dataPoints.length === 0) return undefined;
    // As the SDK's instrument descriptor: the exporters read name, description, unit and value type.
    const descriptor = {
      name,
      description,
      unit: 's',
      valueType: ValueType.DOUBLE,
      type: InstrumentType.HISTOGRAM,
      advice: { explicitBucketBoundaries: bounds },
    };
    return {
      descriptor,
      aggregationTemporality: temporality,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints,
    };
  }

  /** The series of these attributes, if it exists; walking the levels creates nothing. */
  private find(attributes: Attributes): Series | undefined {
    let level: Level | Series | undefined = this.root;
    for (const key of this.options.attributes) {
      level = (level as Level).get(attributes[key]);
      if (level === undefined) return undefined;
    }
    return level as Series;
  }

  private add(attributes: Attributes): Series {
    const buckets = this.options.boundaries.length + 1;
    const intervals = () => Array.from({ length: this.readers() }, () => emptyInterval(buckets));
    if (this.all.length >= MAX_SERIES - 1) return (this.overflow ??= { attributes: OVERFLOW, intervals: intervals() });
    const kept: Attributes = {};
    for (const key of this.options.attributes) if (attributes[key] !== undefined) kept[key] = attributes[key];
    const series: Series = { attributes: kept, intervals: intervals() };
    const keys = this.options.attributes;
    let level = this.root;
    for (let i = 0; i < keys.length - 1; i++) {
      const value = attributes[keys[i]!];
      let next = level.get(value) as Level | undefined;
      if (next === undefined) level.set(value, (next = new Map()));
      level = next;
    }
    level.set(attributes[keys[keys.length - 1]!], series);
    this.all.push(series);
    return series;
  }
}

/** The duration histograms of one meter provider, and one producer per reader of it. */
export class DurationHistograms {
  private readonly histograms: DurationHistogram[] = [];
  private readers = 0;

  constructor(private readonly resource: Resource) {}

  /** The histogram of this scope and name, made on first use (an instrumentation given the provider twice keeps one). */
  histogram(options: DurationHistogramOptions): DurationHistogram {
    const same = this.histograms.find((h) => h.options.name === options.name && h.options.scope.name === options.scope.name);
    if (same !== undefined) return same;
    const histogram = new DurationHistogram(options, () => this.readers);
    this.histograms.push(histogram);
    return histogram;
  }

  /** A producer for one more reader; `bind` it to the reader, whose temporality it then follows. */
  producer(): MetricProducer & { bind(reader: MetricReader): void } {
    const index = this.readers++;
    let reader: MetricReader | undefined;
    let since: number | undefined;
    return {
      bind: (to) => {
        reader = to;
      },
      collect: async (): Promise<CollectionResult> => {
        const temporality = reader?.selectAggregationTemporality(InstrumentType.HISTOGRAM) ?? AggregationTemporality.CUMULATIVE;
        const now = Date.now();
        const scopeMetrics = [];
        for (const histogram of this.histograms) {
          const metric = histogram.collect(index, temporality, since, now);
          if (metric !== undefined) scopeMetrics.push({ scope: histogram.options.scope, metrics: [metric] });
        }
        since = now;
        return { resourceMetrics: { resource: this.resource, scopeMetrics }, errors: [] };
      },
    };
  }
}

// The histograms of each meter provider otelkit made, for otelkit's own instrumentations to record into.
const byProvider = new WeakMap<object, DurationHistograms>();

export function attachDurationHistograms(provider: object, histograms: DurationHistograms): void {
  byProvider.set(provider, histograms);
}

/** otelkit's duration histograms of this meter provider; undefined for any other provider (the SDK path then). */
export function durationHistogramsOf(provider: object): DurationHistograms | undefined {
  return byProvider.get(provider);
}
