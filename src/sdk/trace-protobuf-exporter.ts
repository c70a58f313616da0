// The OTLP/HTTP protobuf span exporter: upstream's transport, retries, headers, compression and timeouts, with
// otelkit's span encoding (./otlp-trace-encoding) in place of upstream's serializer.
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufTraceSerializer, TraceExporterMetricsHelper, type ISerializer } from '@opentelemetry/otlp-transformer';
import type { OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { diagnostics } from '../diagnostics';
import { encodeTraceRequest } from './otlp-trace-encoding';

// The component type upstream's OTLP/HTTP protobuf span exporter reports in its self-observability metrics.
const COMPONENT_TYPE = 'otlp_http_span_exporter';

let encodingFailed = false;

/** otelkit's encoding; a batch it cannot encode goes through upstream's serializer instead, said once. */
export const traceRequestSerializer: ISerializer<
  ReadableSpan[],
  ReturnType<typeof ProtobufTraceSerializer.deserializeResponse>
> = {
  serializeRequest(spans) {
    try {
      return encodeTraceRequest(spans);
    } catch (err) {
      if (!encodingFailed) {
        encodingFailed = true;
        diagnostics.warn(
          `span encoding failed (${(err as Error)?.message ?? String(err)}); upstream's serializer is used for such batches (said once)`,
        );
      }
      return ProtobufTraceSerializer.serializeRequest(spans);
    }
  },
  deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
};

export class TraceProtobufExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter {
  constructor(config: OTLPExporterNodeConfigBase = {}) {
    super(
      createOtlpHttpExportDelegate(
        convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
        traceRequestSerializer,
        COMPONENT_TYPE,
        TraceExporterMetricsHelper,
        undefined,
      ),
    );
  }
}
