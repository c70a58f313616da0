// The OTLP/HTTP protobuf span exporter: upstream's transport, retries, headers, compression and timeouts, with
// otelkit's encoding (./otlp-trace-encoding) in place of upstream's serializer. What guards the encoding is
// test/unit/otlp-trace-encoding.test.ts, which holds it byte for byte to the installed upstream serializer: an SDK
// upgrade that changes what a span carries fails there, not in production. Ledger entry: docs/forks.md.
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
  type OTLPExporterNodeConfigBase,
} from '@opentelemetry/otlp-exporter-base/node-http';
import {
  ProtobufTraceSerializer,
  TraceExporterMetricsHelper,
  type IExporterMetricsHelper,
} from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { EncodedBatch } from './otlp-encoding';
import { encodeTraceRequest } from './otlp-trace-encoding';

// The component type upstream's OTLP/HTTP protobuf span exporter reports in its self-observability metrics.
const SPAN_COMPONENT_TYPE = 'otlp_http_span_exporter';

/** What the batch processor hands over (spans already encoded, see ./encoding-batch), or the spans. */
type Batch = EncodedBatch | ReadableSpan[];

export class TraceProtobufExporter extends OTLPExporterBase<Batch> implements SpanExporter {
  constructor(config: OTLPExporterNodeConfigBase = {}) {
    super(
      createOtlpHttpExportDelegate<Batch, unknown>(
        convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
        {
          serializeRequest: (batch) => (batch instanceof EncodedBatch ? batch.bytes : encodeTraceRequest(batch)),
          deserializeResponse: ProtobufTraceSerializer.deserializeResponse,
        },
        SPAN_COMPONENT_TYPE,
        // The helper counts items by the batch's length, which an encoded batch carries.
        TraceExporterMetricsHelper as IExporterMetricsHelper<Batch>,
        undefined,
      ),
    );
  }
}
