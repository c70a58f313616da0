// The batch processor in front of otelkit's OTLP/protobuf log exporter: upstream's BatchLogRecordProcessor's settings
// (OTEL_BLRP_*) and self-observability metrics, except that a record is encoded when it is emitted and waits for its
// batch as bytes (./encoding-batch, ./otlp-logs-encoding). It is the last processor: the record is encoded with
// what the processors before it (redaction) wrote, and the SDK makes it read-only once the processors have run.
import { createNoopMeter, type MeterProvider } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadableLogRecord, SdkLogRecord } from '@opentelemetry/sdk-logs';
// Not on the package's index: the class upstream's batch processor counts with, so both name their instances from
// one counter and report the same metrics. The SDK's version is pinned; if an upgrade moves the file, the build
// fails here.
import { LogRecordProcessorMetrics } from '@opentelemetry/sdk-logs/build/src/export/LogRecordProcessorMetrics';
import type { BatchSettings } from '../config/resolve';
import { EncodedBatches, type EncodedExporter } from './encoding-batch';
import { EncodedLogQueue } from './otlp-logs-encoding';

const COMPONENT_TYPE = 'batching_log_processor';

export interface EncodingBatchLogRecordProcessorOptions extends BatchSettings {
  readonly exporter: EncodedExporter;
  readonly selfObsMeterProvider?: MeterProvider;
}

export class EncodingBatchLogRecordProcessor implements LogRecordProcessor {
  private readonly batches: EncodedBatches<ReadableLogRecord>;

  constructor(options: EncodingBatchLogRecordProcessorOptions) {
    const queue = new EncodedLogQueue(options.maxQueueSize);
    const meter = options.selfObsMeterProvider?.getMeter('@opentelemetry/sdk-logs') ?? createNoopMeter();
    const metrics = new LogRecordProcessorMetrics(COMPONENT_TYPE, meter, {
      capacity: options.maxQueueSize,
      getQueueSize: () => queue.length,
    });
    this.batches = new EncodedBatches({
      ...options,
      queue,
      noun: 'log record',
      processorName: 'BatchLogRecordProcessor',
      counts: {
        finished: (count, error) => metrics.finishLogs(count, error),
        dropped: (count) => metrics.dropLogs(count),
        shutdown: () => metrics.shutdown(),
      },
    });
  }

  onEmit(record: SdkLogRecord): void {
    this.batches.add(record);
  }

  forceFlush(): Promise<void> {
    return this.batches.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.batches.shutdown();
  }
}
