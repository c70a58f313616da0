// otelkit's own duration histograms give every reader what the SDK's histogram gives it under otelkit's views:
// the same points (attributes, buckets, count, sum, min, max, start and end times) for any run of measurements and
// collections, cumulative and delta alike (property-based, the SDK as the oracle), and the same overflow series
// past the cardinality limit.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { ValueType, type Attributes, type Histogram } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type Histogram as HistogramPoint,
  type MetricProducer,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  DurationHistogram,
  DurationHistograms,
  attachDurationHistograms,
  durationHistogramsOf,
} from '../../src/metrics/duration-histograms';
import { UndiciClientInstrumentation } from '../../src/instrumentations/undici-client';
import { KNOWN_METHODS } from '../../src/instrumentations/http-common';
import { HTTP_SERVER_ATTRIBUTES, createViews } from '../../src/metrics/views';

const SCOPE = { name: 'otelkit/http-server', version: '1.2.3' };
const NAME = 'http.server.request.duration';
const DESCRIPTION = 'Duration of HTTP server requests.';
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

class TestReader extends MetricReader {
  constructor(temporality: AggregationTemporality, producer?: MetricProducer) {
    super({ aggregationTemporalitySelector: () => temporality, metricProducers: producer ? [producer] : undefined });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** otelkit's fetch/undici instrumentation, showing the duration histogram it was given. */
class Probe extends UndiciClientInstrumentation {
  constructor() {
    super({ knownMethods: KNOWN_METHODS, requireParent: false });
  }

  get histogram(): Histogram | undefined {
    return this.duration;
  }
}

/** The SDK's histogram under otelkit's views, and otelkit's, each read by a cumulative and a delta reader. */
function pair() {
  const resource = resourceFromAttributes({ 'service.name': 'test' });
  const sdkReaders = [new TestReader(AggregationTemporality.CUMULATIVE), new TestReader(AggregationTemporality.DELTA)];
  const sdk = new MeterProvider({ resource, readers: sdkReaders, views: createViews() })
    .getMeter(SCOPE.name, SCOPE.version)
    .createHistogram(NAME, {
      description: DESCRIPTION,
      unit: 's',
      valueType: ValueType.DOUBLE,
      advice: { explicitBucketBoundaries: BUCKETS },
    });
  const store = new DurationHistograms(resource);
  const ownReaders = [AggregationTemporality.CUMULATIVE, AggregationTemporality.DELTA].map((temporality) => {
    const producer = store.producer();
    const reader = new TestReader(temporality, producer);
    producer.bind(reader);
    return reader;
  });
  new MeterProvider({ resource, readers: ownReaders });
  const own = store.histogram({
    scope: SCOPE,
    name: NAME,
    description: DESCRIPTION,
    attributes: HTTP_SERVER_ATTRIBUTES,
    boundaries: BUCKETS,
  });
  return { sdk, own, sdkReaders, ownReaders };
}

/** The duration metric of one collection, points in a stable order. */
function durationOf(metrics: ResourceMetrics) {
  const found = metrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => ({ scope: s.scope, ...m })));
  const metric = found.find((m) => m.descriptor.name === NAME);
  if (metric === undefined) return undefined;
  const key = (attributes: Attributes) => JSON.stringify(Object.entries(attributes).sort());
  return {
    scope: { name: metric.scope.name, version: metric.scope.version },
    descriptor: {
      name: metric.descriptor.name,
      description: metric.descriptor.description,
      unit: metric.descriptor.unit,
      valueType: metric.descriptor.valueType,
    },
    aggregationTemporality: metric.aggregationTemporality,
    dataPointType: metric.dataPointType,
    dataPoints: ([...metric.dataPoints] as DataPoint<HistogramPoint>[]).sort((a, b) =>
      key(a.attributes).localeCompare(key(b.attributes)),
    ),
  };
}

async function collectBoth(sdkReaders: MetricReader[], ownReaders: MetricReader[]) {
  const read = (readers: MetricReader[]) =>
    Promise.all(readers.map(async (r) => durationOf((await r.collect()).resourceMetrics)));
  return { sdk: await read(sdkReaders), own: await read(ownReaders) };
}

// NaN is left out: the SDK makes an empty series of it (count 0), otelkit drops it as it does a negative value.
const value = fc.oneof(
  fc.constantFrom(0, 0.005, 0.0050001, 0.01, 0.1, 1, 10, 10.5, 100, -1, -0),
  fc.double({ min: 0, max: 20, noNaN: true }),
);
const attributes = fc.record(
  {
    'http.request.method': fc.constantFrom('GET', 'POST', '_OTHER'),
    'url.scheme': fc.constant('http'),
    'network.protocol.version': fc.constantFrom('1.1', '2'),
    'http.response.status_code': fc.constantFrom(200, 404, 500),
    'http.route': fc.constantFrom('/', '/orders/:id'),
    'error.type': fc.constantFrom('500', 'Error'),
  },
  { requiredKeys: ['http.request.method'] },
);
const step = fc.oneof(
  { weight: 8, arbitrary: fc.record({ value, attributes, advance: fc.integer({ min: 0, max: 2000 }) }) },
  { weight: 1, arbitrary: fc.constant('collect' as const) },
);

describe('otelkit duration histograms', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_700_000_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('give each reader the points the SDK gives it, cumulative and delta', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        const { sdk, own, sdkReaders, ownReaders } = pair();
        for (const s of [...steps, 'collect' as const]) {
          if (s === 'collect') {
            const both = await collectBoth(sdkReaders, ownReaders);
            expect(both.own).toEqual(both.sdk);
            vi.advanceTimersByTime(1000);
          } else {
            vi.advanceTimersByTime(s.advance);
            sdk.record(s.value, s.attributes);
            own.record(s.value, s.attributes);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('past 1999 series, record into the overflow series as the SDK does', async () => {
    const { sdk, own, sdkReaders, ownReaders } = pair();
    const record = (h: Histogram) => {
      for (let i = 0; i < 2100; i++) h.record(0.02 * (i % 7), { 'http.request.method': 'GET', 'http.route': `/r/${i}` });
      h.record(0.3, { 'http.request.method': 'GET', 'http.route': '/r/5' });
    };
    record(sdk);
    record(own);
    const both = await collectBoth(sdkReaders, ownReaders);
    expect(both.own).toEqual(both.sdk);
    const cumulative = both.own[0]!;
    expect(cumulative.dataPoints).toHaveLength(2000);
    const overflow = cumulative.dataPoints.find((p) => p.attributes['otel.metric.overflow'] === true);
    expect(overflow?.value.count).toBe(101);
    expect(cumulative.dataPoints.find((p) => p.attributes['http.route'] === '/r/5')?.value.count).toBe(2);
  });

  it('drop NaN and negative values', async () => {
    const { own, ownReaders } = pair();
    own.record(Number.NaN, { 'http.request.method': 'GET' });
    own.record(-1, { 'http.request.method': 'POST' });
    const metrics = await Promise.all(ownReaders.map(async (r) => durationOf((await r.collect()).resourceMetrics)));
    expect(metrics).toEqual([undefined, undefined]);
    own.record(0.2, { 'http.request.method': 'GET' });
    const [cumulative] = await Promise.all(ownReaders.map(async (r) => durationOf((await r.collect()).resourceMetrics)));
    expect(cumulative?.dataPoints.map((p) => [p.attributes, p.value.count])).toEqual([[{ 'http.request.method': 'GET' }, 1]]);
  });

  it("take an instrumentation's durations for the provider they are attached to; any other provider gets the SDK's histogram", async () => {
    const resource = resourceFromAttributes({ 'service.name': 'test' });
    // otelkit's provider: the instrumentation records into otelkit's histogram, and is given one however often it
    // is handed the provider.
    const histograms = new DurationHistograms(resource);
    const ownProducer = histograms.producer();
    const ownReader = new TestReader(AggregationTemporality.CUMULATIVE, ownProducer);
    ownProducer.bind(ownReader);
    const ownProvider = new MeterProvider({ resource, readers: [ownReader] });
    attachDurationHistograms(ownProvider, histograms);
    expect(durationHistogramsOf(ownProvider)).toBe(histograms);
    const ours = new Probe();
    ours.setMeterProvider(ownProvider);
    ours.histogram!.record(0.1, { 'http.request.method': 'GET' });
    ours.setMeterProvider(ownProvider);
    expect(ours.histogram).toBeInstanceOf(DurationHistogram);
    // Another provider: the SDK's histogram, collected by that provider's own reader.
    const otherReader = new TestReader(AggregationTemporality.CUMULATIVE);
    const otherProvider = new MeterProvider({ resource, readers: [otherReader] });
    expect(durationHistogramsOf(otherProvider)).toBeUndefined();
    const theirs = new Probe();
    theirs.setMeterProvider(otherProvider);
    expect(theirs.histogram).not.toBeInstanceOf(DurationHistogram);
    for (const probe of [ours, theirs]) probe.histogram!.record(0.2, { 'http.request.method': 'GET' });
    const counts = async (reader: MetricReader) => {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics.scopeMetrics
        .filter((s) => s.scope.name === 'otelkit/undici')
        .flatMap((s) => s.metrics.filter((m) => m.descriptor.name === 'http.client.request.duration'))
        .flatMap((m) => (m.dataPoints as DataPoint<HistogramPoint>[]).map((p) => p.value.count));
    };
    expect(await counts(ownReader)).toEqual([2]);
    expect(await counts(otherReader)).toEqual([1]);
  });
});
