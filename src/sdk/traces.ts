// Tracer provider: sampler, span limits, one processor per configured exporter.
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { MeterProvider } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { Config } from '../config/resolve';
import { createOtlpExporter } from './exporters';
import { EncodingBatchSpanProcessor } from './encoding-span-processor';
import type { EncodedExporter } from './encoding-batch';
import type { Redactor } from '../redaction/redact';
import { RedactingSpanProcessor } from '../redaction/span-processor';
import { ServerSpanExceptionProcessor } from '../request/exception-processor';

export function createSampler({ sampler, samplerRatio }: Config['traces']): Sampler {
  switch (sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(samplerRatio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(samplerRatio) });
  }
}

function createSpanProcessors(
  traces: Config['traces'],
  redactor: Redactor,
  selfObsMeterProvider?: MeterProvider,
  sentry?: SpanProcessor,
): SpanProcessor[] {
  // Redaction first: processors run in order, and exporters must only ever see masked values.
  const exporting = traces.exporters.map((name): SpanProcessor => {
    if (name === 'console') return new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() });
    // OTLP/protobuf, the default, takes spans encoded as they end; the other protocols take span objects.
    if (traces.otlp.protocol === 'http/protobuf') {
      const exporter = createOtlpExporter<EncodedExporter>('traces', traces.otlp);
      return new EncodingBatchSpanProcessor({ exporter, ...traces.batch, selfObsMeterProvider });
    }
    const exporter = createOtlpExporter<SpanExporter>('traces', traces.otlp);
    return new BatchSpanProcessor({ exporter, ...traces.batch, selfObsMeterProvider });
  });
  // Sentry's reads the server span once exceptions are copied onto it and its attributes are masked.
  const reporting = sentry ? [sentry] : [];
  if (exporting.length === 0 && reporting.length === 0) return [];
  return [new ServerSpanExceptionProcessor(), new RedactingSpanProcessor(redactor), ...reporting, ...exporting];
}

/** With no exporter the provider still runs, so trace ids keep flowing into logs and outgoing headers. */
export function createTracerProvider(
  config: Config,
  resource: Resource,
  redactor: Redactor,
  selfObsMeterProvider?: MeterProvider,
  sentry?: SpanProcessor,
): TracerProvider {
  return new TracerProvider({
    resource,
    sampler: createSampler(config.traces),
    spanLimits: { attributeValueLengthLimit: config.attributeValueLengthLimit },
    spanProcessors: createSpanProcessors(config.traces, redactor, selfObsMeterProvider, sentry),
  });
}
