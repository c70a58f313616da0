// The batching behind otelkit's OTLP/protobuf span processor (./encoding-span-processor): spans are encoded as they
// end and wait for their batch as bytes (./otlp-encoding, EncodedQueue). Upstream's batch processor holds the
// objects, up to a batch of 512 of them, so on a busy service they survive young-generation collections and V8
// grows the young generation to hold them: most of otelkit's memory above a bare app's on Node 24 (ledger:
// docs/forks.md). The rest is upstream's batch span processor's behaviour, kept on purpose: queue and batch sizes,
// the schedule delay, the export timeout, drops counted and said once, export without tracing itself, forceFlush
// and shutdown, and the counts its self-observability metrics take.
import { context, diag } from '@opentelemetry/api';
import { BindOnceFuture, ExportResultCode, globalErrorHandler, suppressTracing, type ExportResult } from '@opentelemetry/core';
import type { BatchSettings } from '../config/resolve';
import { diagnostics } from '../diagnostics';
import type { EncodedBatch, EncodedQueue, Telemetry } from './otlp-encoding';

/** What the processor hands its batches to: otelkit's OTLP/protobuf exporters (./protobuf-exporters). */
export interface EncodedExporter {
  export(batch: EncodedBatch, resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

/** The self-observability counts a batch processor keeps (upstream's SpanProcessorMetrics, LogRecordProcessorMetrics). */
export interface BatchCounts {
  finished(count: number, error?: Error): void;
  dropped(count: number): void;
  shutdown(): void;
}

export interface EncodedBatchesOptions<T extends Telemetry> extends BatchSettings {
  readonly exporter: EncodedExporter;
  readonly queue: EncodedQueue<T>;
  readonly counts: BatchCounts;
  /** What an item is called in messages (`span`, `log record`), and upstream's processor (`BatchSpanProcessor`). */
  readonly noun: string;
  readonly processorName: string;
}

export class EncodedBatches<T extends Telemetry> {
  private readonly exporter: EncodedExporter;
  private readonly queue: EncodedQueue<T>;
  private readonly counts: BatchCounts;
  private readonly noun: string;
  private readonly processorName: string;
  private readonly maxExportBatchSize: number;
  private readonly scheduledDelayMillis: number;
  private readonly exportTimeoutMillis: number;
  private readonly shutdownOnce: BindOnceFuture<void>;
  private exporting = false;
  private timer: NodeJS.Timeout | undefined;
  private dropped = 0;
  private encodingFailed = false;

  constructor(options: EncodedBatchesOptions<T>) {
    this.exporter = options.exporter;
    this.queue = options.queue;
    this.counts = options.counts;
    this.noun = options.noun;
    this.processorName = options.processorName;
    // The config clamps the batch size to the queue size, with a warning (config/resolve.ts).
    this.maxExportBatchSize = Math.min(options.maxExportBatchSize, options.maxQueueSize);
    this.scheduledDelayMillis = options.scheduledDelayMillis;
    this.exportTimeoutMillis = options.exportTimeoutMillis;
    this.shutdownOnce = new BindOnceFuture(this.shutdownNow, this);
  }

  /** Encodes and queues a finished item; never throws (the caller is the application's `end()` or log call). */
  add(item: T): void {
    if (this.shutdownOnce.isCalled) return;
    let queued: boolean;
    try {
      queued = this.queue.push(item);
    } catch (error) {
      // An item that cannot be encoded is dropped, said once.
      if (!this.encodingFailed) {
        diagnostics.warn(
          `a ${this.noun} could not be encoded and was dropped (${(error as Error)?.message ?? String(error)}) (said once)`,
        );
      }
      this.encodingFailed = true;
      this.counts.finished(1, error as Error);
      return;
    }
    if (!queued) {
      if (this.dropped === 0) diag.debug(`maxQueueSize reached, dropping ${this.noun}s`);
      this.dropped++;
      this.counts.dropped(1);
      return;
    }
    if (this.dropped > 0) {
      diag.warn(`Dropped ${this.dropped} ${this.noun}s because maxQueueSize reached`);
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
    this.counts.shutdown();
    await this.exporter.shutdown();
  }

  /** Every queued item, a batch at a time (forceFlush and shutdown). */
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
        // The batch is taken when it is sent, as upstream takes its spans, so items that finish while detectors
        // settle join it.
        let batch: EncodedBatch;
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
            this.counts.finished(batch.length, result.error);
            if (result.code === ExportResultCode.SUCCESS) resolve();
            else reject(result.error ?? new Error(`${this.processorName}: ${this.noun} export failed`));
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
    // A full batch goes now; fewer items wait for the delay.
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
