// Decoders for OTLP export requests, built by protobufjs from the protocol's own .proto files (opentelemetry-proto
// v1.11.0, from the Go module proxy: scripts/otlp-proto-dir.cjs): the 3.x otlp-transformer ships an encoder only.
import { join } from 'node:path';
import protobuf from 'protobufjs';
import type { OtlpSignal } from '../../src/dev/otlp-records';
import { otlpProtoDir } from '../../scripts/otlp-proto-dir.cjs';

const PROTO_DIR = otlpProtoDir();
const SERVICES: Record<OtlpSignal, [file: string, type: string]> = {
  traces: ['collector/trace/v1/trace_service.proto', 'collector.trace.v1.ExportTraceServiceRequest'],
  metrics: ['collector/metrics/v1/metrics_service.proto', 'collector.metrics.v1.ExportMetricsServiceRequest'],
  logs: ['collector/logs/v1/logs_service.proto', 'collector.logs.v1.ExportLogsServiceRequest'],
};

const root = new protobuf.Root();
// The files import each other by their path from the repository's root ("opentelemetry/proto/...").
root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
root.loadSync(Object.values(SERVICES).map(([file]) => `opentelemetry/proto/${file}`));

export const REQUESTS: Record<OtlpSignal, protobuf.Type> = {
  traces: root.lookupType(`opentelemetry.proto.${SERVICES.traces[1]}`),
  metrics: root.lookupType(`opentelemetry.proto.${SERVICES.metrics[1]}`),
  logs: root.lookupType(`opentelemetry.proto.${SERVICES.logs[1]}`),
};

/** The request as a plain object: camelCase fields, 64-bit integers as strings, ids as base64, defaults left out. */
export function decodeRequest(signal: OtlpSignal, body: Uint8Array): Record<string, unknown> {
  const Request = REQUESTS[signal];
  return Request.toObject(Request.decode(body), { longs: String, enums: Number, bytes: String, defaults: false });
}

/** The parts of a decoded trace request that tests read. */
export interface DecodedTraceRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: Record<string, unknown> }[] };
    scopeSpans: { spans: { name: string }[] }[];
  }[];
}

/** The trace request as protobufjs decodes it (a message: repeated fields empty when absent). */
export function decodeTraceRequest(body: Uint8Array): DecodedTraceRequest {
  return REQUESTS.traces.decode(body) as unknown as DecodedTraceRequest;
}
