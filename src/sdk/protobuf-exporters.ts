// The OTLP/HTTP protobuf span and log exporters: upstream's transport, retries, headers, compression and timeouts,
// with otelkit's encodings (./otlp-trace-encoding, ./otlp-logs-encoding) in place of upstream's serializers. What
// guards the encodings is test/unit/otlp-trace-encoding.test.ts and test/unit/otlp-logs-encoding.test.ts, which hold
// them byte for byte to the installed upstream serializers: an SDK upgrade that changes what a span or a log record
// carries fails there, not in production.
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import {
  LogsExporterMetricsHelper,
  ProtobufLogsSerializer,
  ProtobufTraceSerializer,
  TraceExporterMetricsHelper,
  type IExporterMetricsHelper,
} from '@opentelemetry/otlp-transformer';
import type { OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { EncodedBatch } from './otlp-encoding';
import { encodeLogsRequest } from './otlp-logs-encoding';
import { encodeTraceRequest } from './otlp-trace-encoding';

// The component types upstream's OTLP/HTTP protobuf exporters report in their self-observability metrics.
const SPAN_COMPONENT_TYPE = 'otlp_http_span_exporter';
const LOG_COMPONENT_TYPE = 'otlp_http_log_exporter';

/** What the batch processors hand over (items already encoded, see ./encoding-batch), or the items. */
type Batch<T> = EncodedBatch | T[];

/** Upstream's OTLP/HTTP export for one signal, sending encoded batches as they are and encoding item lists. */
function protobufDelegate<T>(
  config: OTLPExporterNodeConfigBase,
  signal: 'TRACES' | 'LOGS',
  encode: (items: T[]) => Uint8Array,
  deserializeResponse: (data: Uint8Array) => unknown,
  componentType: string,
  metricsHelper: IExporterMetricsHelper<T[]>,
) {
  return createOtlpHttpExportDelegate<Batch<T>, unknown>(
    convertLegacyHttpOptions(config, signal, `v1/${signal.toLowerCase()}`, { 'Content-Type': 'application/x-protobuf' }),
    { serializeRequest: (batch) => (batch instanceof EncodedBatch ? batch.bytes : encode(batch)), deserializeResponse },
    componentType,
    // The helper counts items by the batch's length, which an encoded batch carries.
    metricsHelper as IExporterMetricsHelper<Batch<T>>,
    undefined,
  );
}

export class TraceProtobufExporter extends OTLPExporterBase<Batch<ReadableSpan>> implements SpanExporter {
  constructor(config: OTLPExporterNodeConfigBase = {}) {
    super(
      protobufDelegate(
        config,
        'TRACES',
        encodeTraceRequest,
        ProtobufTraceSerializer.deserializeResponse,
        SPAN_COMPONENT_TYPE,
        TraceExporterMetricsHelper,
      ),
    );
  }
}

export class LogsProtobufExporter extends OTLPExporterBase<Batch<ReadableLogRecord>> implements LogRecordExporter {
  constructor(config: OTLPExporterNodeConfigBase = {}) {
    super(
      protobufDelegate(
        config,
        'LOGS',
        encodeLogsRequest,
        ProtobufLogsSerializer.deserializeResponse,
        LOG_COMPONENT_TYPE,
        LogsExporterMetricsHelper,
      ),
    );
  }
}
