// The batch span processor in front of otelkit's OTLP/protobuf span exporter: upstream's BatchSpanProcessor, except
// that a span is encoded when it ends and waits for its batch as bytes (./otlp-trace-encoding, EncodedSpanQueue).
// Upstream's holds the span objects, up to a batch of 512 of them, so on a busy service they survive
// young-generation collections and the collector grows the young generation to hold them: most of otelkit's
// memory above a bare app's on Node 24 (README, "Node 24 RSS"). The rest is upstream's behaviour, kept on purpose: queue
// and batch sizes, the schedule delay, the export timeout, drops counted and said once, export without tracing
// itself, forceFlush and shutdown, and the same self-observability metrics.
import { context, createNoopMeter, diag, TraceFlags, type MeterProvider } from '@opentelemetry/api';
import { BindOnceFuture, ExportResultCode, globalErrorHandler, suppressTracing, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
// Not on the package's index: the class upstream's batch processor counts with, so both name their instances
// from one counter (batching_span_processor/0, /1, ...) and report the same metrics. The SDK's version is pinned;
// if an upgrade moves the file, the build fails here.
import { SpanProcessorMetrics } from '@opentelemetry/sdk-trace/build/src/export/SpanProcessorMetrics';
import type { BatchSettings } from '../config/resolve';
import { diagnostics } from '../diagnostics';
import { EncodedSpanQueue, type EncodedSpans } from './otlp-trace-encoding';

const COMPONENT_TYPE = 'batching_span_processor';

/** What the processor hands its batches to: otelkit's OTLP/protobuf span exporter (./trace-protobuf-exporter). */
export interface EncodedSpanExporter {
  export(batch: EncodedSpans, resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

export interface EncodingBatchSpanProcessorOptions extends BatchSettings {
  readonly exporter: EncodedSpanExporter;
  readonly selfObsMeterProvider?: MeterProvider;
}

export class EncodingBatchSpanProcessor implements SpanProcessor {
  private readonly exporter: EncodedSpanExporter;
  private readonly queue: EncodedSpanQueue;
  private readonly maxExportBatchSize: number;
  private readonly scheduledDelayMillis: number;
  private readonly exportTimeoutMillis: number;
  private readonly metrics: SpanProcessorMetrics;
  private readonly shutdownOnce: BindOnceFuture<void>;
  private exporting = false;
  private timer: NodeJS.Timeout | undefined;
  private dropped = 0;
  private encodingFailed = false;

  constructor(options: EncodingBatchSpanProcessorOptions) {
    this.exporter = options.exporter;
    this.queue = new EncodedSpanQueue(options.maxQueueSize);
    // The config clamps the batch size to the queue size, with a warning (config/resolve.ts).
    this.maxExportBatchSize = Math.min(options.maxExportBatchSize, options.maxQueueSize);
    this.scheduledDelayMillis = options.scheduledDelayMillis;
    this.exportTimeoutMillis = options.exportTimeoutMillis;
    this.shutdownOnce = new BindOnceFuture(this.shutdownNow, this);
    const meter = options.selfObsMeterProvider?.getMeter('@opentelemetry/sdk-trace') ?? createNoopMeter();
    this.metrics = new SpanProcessorMetrics(COMPONENT_TYPE, meter, {
      capacity: options.maxQueueSize,
      getQueueSize: () => this.queue.length,
    });
  }

  onStart(_span: Span): void {}

  onEnd(span: ReadableSpan): void {
    if (this.shutdownOnce.isCalled || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    let queued: boolean;
    try {
      queued = this.queue.push(span);
    } catch (error) {
      // Span.end() is the application's call: a span that cannot be encoded is dropped, said once.
      if (!this.encodingFailed) {
        diagnostics.warn(
          `a span could not be encoded and was dropped (${(error as Error)?.message ?? String(error)}) (said once)`,
        );
      }
      this.encodingFailed = true;
      this.metrics.finishSpans(1, error as Error);
      return;
    }
    if (!queued) {
      if (this.dropped === 0) diag.debug('maxQueueSize reached, dropping spans');
      this.dropped++;
      this.metrics.dropSpans(1);
      return;
    }
    if (this.dropped > 0) {
      diag.warn(`Dropped ${this.dropped} spans because maxQueueSize reached`);
      this.dropped = 0;
    }
    this.maybeStartTimer();
  }

  forceFlush(): Promise<void> {
    return this.shutdownOnce.isCalled ? this.shutdownOnce.promise : this.flushAll();
  }

  shutdown(): Promise<void> {
    return this.shutdownOnce.call();
  }

  private async shutdownNow(): Promise<void> {
    await this.flushAll();
    this.metrics.shutdown();
    await this.exporter.shutdown();
  }

  /** Every queued span, a batch at a time (forceFlush and shutdown). */
  private async flushAll(): Promise<void> {
    const batches = Math.ceil(this.queue.length / this.maxExportBatchSize);
    const flushes: Promise<void>[] = [];
    for (let i = 0; i < batches; i++) flushes.push(this.flushOneBatch());
    await Promise.all(flushes);
  }

  private flushOneBatch(): Promise<void> {
    this.clearTimer();
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      // Don't wait for an export longer than this: the next batch can start.
      const timer = setTimeout(() => reject(new Error('Timeout')), this.exportTimeoutMillis);
      const doExport = (): void => {
        // The batch is taken when it is sent, as upstream takes its spans, so spans that end while detectors
        // settle join it.
        let batch: EncodedSpans;
        try {
          batch = this.queue.take(this.maxExportBatchSize);
        } catch (error) {
          clearTimeout(timer);
          reject(error as Error);
          return;
        }
        // Another flush took them while this one waited for the detectors: nothing to send.
        if (batch.length === 0) {
          clearTimeout(timer);
          return resolve();
        }
        // The export's own HTTP call and anything it does are not traced.
        context.with(suppressTracing(context.active()), () =>
          this.exporter.export(batch, (result) => {
            clearTimeout(timer);
            this.metrics.finishSpans(batch.length, result.error);
            if (result.code === ExportResultCode.SUCCESS) resolve();
            else reject(result.error ?? new Error('BatchSpanProcessor: span export failed'));
          }),
        );
      };
      const pending = this.queue
        .resources()
        .filter((resource) => resource.asyncAttributesPending && resource.waitForAsyncAttributes)
        .map((resource) => resource.waitForAsyncAttributes!());
      if (pending.length === 0) return doExport();
      Promise.all(pending).then(doExport, (error: unknown) => {
        globalErrorHandler(error as Error);
        reject(error as Error);
      });
    });
  }

  private maybeStartTimer(): void {
    if (this.exporting) return;
    const flush = (): void => {
      this.exporting = true;
      this.flushOneBatch()
        .finally(() => {
          this.exporting = false;
          if (this.queue.length > 0) {
            this.clearTimer();
            this.maybeStartTimer();
          }
        })
        .catch((error: unknown) => {
          this.exporting = false;
          globalErrorHandler(error as Error);
        });
    };
    // A full batch goes now; fewer spans wait for the delay.
    if (this.queue.length >= this.maxExportBatchSize) return flush();
    if (this.timer !== undefined) return;
    this.timer = setTimeout(flush, this.scheduledDelayMillis);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
