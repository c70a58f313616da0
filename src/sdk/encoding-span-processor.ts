// The batch processor in front of otelkit's OTLP/protobuf span exporter: upstream's BatchSpanProcessor, except that a
// span is encoded when it ends and waits for its batch as bytes (./encoding-batch, ./otlp-trace-encoding).
import { createNoopMeter, TraceFlags, type MeterProvider } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { BatchSettings } from '../config/resolve';
import { EncodedBatches, type EncodedExporter } from './encoding-batch';
import { EncodedSpanQueue } from './otlp-trace-encoding';
import { SpanProcessorMetrics } from './span-processor-metrics';

const COMPONENT_TYPE = 'batching_span_processor';

export interface EncodingBatchSpanProcessorOptions extends BatchSettings {
  readonly exporter: EncodedExporter;
  readonly selfObsMeterProvider?: MeterProvider;
}

export class EncodingBatchSpanProcessor implements SpanProcessor {
  private readonly batches: EncodedBatches<ReadableSpan>;

  constructor(options: EncodingBatchSpanProcessorOptions) {
    const queue = new EncodedSpanQueue(options.maxQueueSize);
    const meter = options.selfObsMeterProvider?.getMeter('@opentelemetry/sdk-trace') ?? createNoopMeter();
    const metrics = new SpanProcessorMetrics(COMPONENT_TYPE, meter, {
      capacity: options.maxQueueSize,
      getQueueSize: () => queue.length,
    });
    this.batches = new EncodedBatches({
      ...options,
      queue,
      noun: 'span',
      processorName: 'BatchSpanProcessor',
      counts: {
        finished: (count, error) => metrics.finishSpans(count, error),
        dropped: (count) => metrics.dropSpans(count),
        shutdown: () => metrics.shutdown(),
      },
    });
  }

  onStart(_span: Span): void {}

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.batches.add(span);
  }

  forceFlush(): Promise<void> {
    return this.batches.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.batches.shutdown();
  }
}
