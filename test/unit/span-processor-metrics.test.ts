// otelkit's batch span processor reports the self-observability metrics of upstream's BatchSpanProcessor: the same
// instruments (name, unit, description, kind) and the same points for the same spans, queue overflow and exports.
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { EncodingBatchSpanProcessor } from '../../src/sdk/encoding-span-processor';
import type { EncodedBatch } from '../../src/sdk/otlp-encoding';

class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const BATCH = { maxQueueSize: 4, maxExportBatchSize: 2, scheduledDelayMillis: 60_000, exportTimeoutMillis: 30_000 };

/** Each export's answer by call number: the first succeeds, the second fails, the rest succeed. */
const answer = (call: number): ExportResult =>
  call === 2 ? { code: ExportResultCode.FAILED, error: new TypeError('refused') } : { code: ExportResultCode.SUCCESS };

/**
 * Ends 8 spans in one go into a queue of 4 with batches of 2 and an exporter that answers on a later tick (so the
 * queue fills and drops), then flushes and shuts down; returns the metrics before the flush, after it and after the
 * shutdown.
 */
async function run(create: (selfObsMeterProvider: MeterProvider) => SpanProcessor) {
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const processor = create(meterProvider);
  const tracer = new TracerProvider({ spanProcessors: [processor] }).getTracer('test');
  for (let i = 0; i < 8; i++) tracer.startSpan(`span ${i}`, {}, ROOT_CONTEXT).end();
  const queued = await reader.collect();
  // Upstream's flush rejects with a failed export's error; what otelkit's does is compared, not assumed.
  const flush = await processor.forceFlush().then(
    () => 'resolved',
    (error: Error) => `rejected: ${error.name}`,
  );
  const flushed = await reader.collect();
  await processor.shutdown();
  const stopped = await reader.collect();
  return { flush, metrics: [queued, flushed, stopped].map(({ resourceMetrics }) => describeMetrics(resourceMetrics)) };
}

/** Instruments and points, with the instance number left out of otel.component.name (each class counts its own). */
function describeMetrics(metrics: ResourceMetrics) {
  return metrics.scopeMetrics.flatMap(({ scope, metrics: all }) =>
    all.map((metric) => ({
      scope: scope.name,
      descriptor: metric.descriptor,
      dataPointType: metric.dataPointType,
      // A counter is a monotonic sum, an up-down counter (observable or not) a non-monotonic one.
      isMonotonic: 'isMonotonic' in metric ? metric.isMonotonic : undefined,
      points: (metric.dataPoints as { attributes: Record<string, unknown>; value: unknown }[])
        .map(({ attributes, value }) => {
          const instance = String(attributes['otel.component.name']).replace(/\/\d+$/, '/N');
          return { attributes: { ...attributes, 'otel.component.name': instance } as Record<string, unknown>, value };
        })
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    })),
  );
}

describe('the batch span processor’s self-observability metrics', () => {
  it('match upstream’s BatchSpanProcessor: queue capacity and size, processed, dropped and failed spans', async () => {
    let upstreamCalls = 0;
    const upstream = await run(
      (selfObsMeterProvider) =>
        new BatchSpanProcessor({
          ...BATCH,
          selfObsMeterProvider,
          exporter: {
            export: (_spans: ReadableSpan[], done: (result: ExportResult) => void) =>
              setTimeout(() => done(answer(++upstreamCalls)), 1),
            shutdown: () => Promise.resolve(),
          },
        }),
    );
    let otelkitCalls = 0;
    const otelkit = await run(
      (selfObsMeterProvider) =>
        new EncodingBatchSpanProcessor({
          ...BATCH,
          selfObsMeterProvider,
          exporter: {
            export: (_batch: EncodedBatch, done: (result: ExportResult) => void) =>
              setTimeout(() => done(answer(++otelkitCalls)), 1),
            shutdown: () => Promise.resolve(),
          },
        }),
    );
    expect(upstreamCalls).toBeGreaterThan(1);
    expect(otelkitCalls).toBeGreaterThan(1);
    expect(upstream.metrics[1].map((m) => m.descriptor.name).sort()).toEqual([
      'otel.sdk.processor.span.processed',
      'otel.sdk.processor.span.queue.capacity',
      'otel.sdk.processor.span.queue.size',
    ]);
    // Spans exported, failed (the second export: TypeError) and dropped (error.type=queue_full) are all counted.
    const processed = upstream.metrics[1].find((m) => m.descriptor.name === 'otel.sdk.processor.span.processed')?.points;
    expect(processed?.map((p) => p.attributes['error.type'] ?? 'ok').sort()).toEqual(['TypeError', 'ok', 'queue_full']);
    expect(otelkit).toEqual(upstream);
  });

  it('number their instances per component type, as upstream does', async () => {
    const names = await Promise.all(
      [0, 1].map(async () => {
        const reader = new CollectingReader();
        const processor = new EncodingBatchSpanProcessor({
          ...BATCH,
          selfObsMeterProvider: new MeterProvider({ readers: [reader] }),
          exporter: { export: (_batch, done) => done({ code: ExportResultCode.SUCCESS }), shutdown: () => Promise.resolve() },
        });
        const { resourceMetrics } = await reader.collect();
        await processor.shutdown();
        return resourceMetrics.scopeMetrics[0].metrics[0].dataPoints[0].attributes['otel.component.name'];
      }),
    );
    const [first, second] = names.map((name) => Number(String(name).replace('batching_span_processor/', '')));
    expect(second).toBe(first + 1);
  });
});
