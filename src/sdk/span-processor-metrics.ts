// The self-observability metrics of otelkit's batch span processor, under the names, units, descriptions and
// attributes of upstream's batch processor (SpanProcessorMetrics of @opentelemetry/sdk-trace).
//
// sdk-trace 3.x publishes only its index through the package's `exports` map, and SpanProcessorMetrics is not on
// it, so the 2.x deep import is gone. Upstream's class numbers its instances per component type from a counter in
// its own module; this one keeps its own counter. The two never number processors of one process: otelkit creates
// upstream's BatchSpanProcessor only for OTLP/gRPC and OTLP/JSON and this one only for OTLP/protobuf, and a process
// exports spans over one protocol. test/unit/span-processor-metrics.test.ts holds the two to the same exported points.
import type { Meter, ObservableResult, ObservableUpDownCounter, Attributes } from '@opentelemetry/api';

const COMPONENT_TYPE = 'otel.component.type';
const COMPONENT_NAME = 'otel.component.name';
const ERROR_TYPE = 'error.type';
const instancesByType = new Map<string, number>();

export interface QueueGauge {
  readonly capacity: number;
  readonly getQueueSize: () => number;
}

export class SpanProcessorMetrics {
  private readonly processed;
  private readonly standard: Attributes;
  private readonly dropped: Attributes;
  private readonly queueSize: ObservableUpDownCounter | undefined;
  private readonly observeQueue: ((result: ObservableResult) => void) | undefined;

  constructor(componentType: string, meter: Meter, queue?: QueueGauge) {
    const instance = instancesByType.get(componentType) ?? 0;
    instancesByType.set(componentType, instance + 1);
    this.standard = { [COMPONENT_TYPE]: componentType, [COMPONENT_NAME]: `${componentType}/${instance}` };
    this.dropped = { ...this.standard, [ERROR_TYPE]: 'queue_full' };
    this.processed = meter.createCounter('otel.sdk.processor.span.processed', {
      unit: '{span}',
      description: 'The number of spans for which the processing has finished, either successful or failed.',
    });
    if (queue === undefined) return;
    meter
      .createUpDownCounter('otel.sdk.processor.span.queue.capacity', {
        unit: '{span}',
        description: 'The maximum number of spans the queue of a given instance of an SDK span processor can hold.',
      })
      .add(queue.capacity, this.standard);
    this.queueSize = meter.createObservableUpDownCounter('otel.sdk.processor.span.queue.size', {
      unit: '{span}',
      description: 'The number of spans in the queue of a given instance of an SDK span processor.',
    });
    this.observeQueue = (result) => result.observe(queue.getQueueSize(), this.standard);
    this.queueSize.addCallback(this.observeQueue);
  }

  dropSpans(count: number): void {
    this.processed.add(count, this.dropped);
  }

  finishSpans(count: number, error?: Error): void {
    this.processed.add(count, error ? { ...this.standard, [ERROR_TYPE]: error.name } : this.standard);
  }

  shutdown(): void {
    if (this.queueSize && this.observeQueue) this.queueSize.removeCallback(this.observeQueue);
  }
}
