// The OTLP/HTTP protobuf span exporter: upstream's transport, retries, headers, compression and timeouts, with
// otelkit's span encoding (./otlp-trace-encoding) in place of upstream's serializer. What guards the encoding is
// test/unit/otlp-trace-encoding.test.ts, which holds it byte for byte to the installed upstream serializer: an
// SDK upgrade that changes what a span carries fails there, not in production.
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufTraceSerializer, TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import type { OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { EncodedSpans, encodeTraceRequest } from './otlp-trace-encoding';

// The component type upstream's OTLP/HTTP protobuf span exporter reports in its self-observability metrics.
const COMPONENT_TYPE = 'otlp_http_span_exporter';

/** What the batch processor hands over (spans already encoded, see ./encoding-span-processor), or spans. */
type Batch = EncodedSpans | ReadableSpan[];

const serializeRequest = (batch: Batch): Uint8Array => (batch instanceof EncodedSpans ? batch.bytes : encodeTraceRequest(batch));

export class TraceProtobufExporter extends OTLPExporterBase<Batch> implements SpanExporter {
  constructor(config: OTLPExporterNodeConfigBase = {}) {
    super(
      createOtlpHttpExportDelegate(
        convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
        { serializeRequest, deserializeResponse: ProtobufTraceSerializer.deserializeResponse },
        COMPONENT_TYPE,
        TraceExporterMetricsHelper,
        undefined,
      ),
    );
  }
}
