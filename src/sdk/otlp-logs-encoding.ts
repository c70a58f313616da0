// OTLP/protobuf encoding of an ExportLogsServiceRequest, byte for byte what upstream's ProtobufLogsSerializer writes
// (test/unit/otlp-logs-encoding.test.ts), with the writer otelkit's span encoding uses (./otlp-encoding): one pass,
// attribute keys encoded once and kept, ids written straight from hex. Upstream's sizes every request in a first
// pass and writes it in a second, and turns each id into a new byte array first.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { EncodedQueue, encodeRequest, FIXED32, FIXED64, tag, VARINT, type Writer } from './otlp-encoding';

/** A log record, as ScopeLogs.log_records (field 2), its fields in upstream's order. */
export function writeLogRecord(w: Writer, record: ReadableLogRecord): void {
  const start = w.begin(2, 2);
  w.ensure(9);
  w.buf[w.pos++] = tag(1, FIXED64);
  w.time(record.hrTime);
  const severity = record.severityNumber;
  if (severity !== undefined && severity !== 0) {
    w.ensure(11);
    w.buf[w.pos++] = tag(2, VARINT);
    w.int64(severity);
  }
  if (record.severityText) w.string(3, record.severityText);
  if (record.body !== undefined) {
    const body = w.begin(5, 1);
    w.anyValue(record.body);
    w.end(body, 1);
  }
  w.attributes(6, record.attributes);
  w.ensure(11);
  w.buf[w.pos++] = tag(7, VARINT);
  w.int64(record.droppedAttributesCount);
  const spanContext = record.spanContext;
  if (spanContext?.traceFlags) {
    w.ensure(5);
    w.buf[w.pos++] = tag(8, FIXED32);
    w.fixed32(spanContext.traceFlags);
  }
  if (spanContext?.traceId) w.hexBytes(9, spanContext.traceId);
  if (spanContext?.spanId) w.hexBytes(10, spanContext.spanId);
  w.ensure(9);
  w.buf[w.pos++] = tag(11, FIXED64);
  w.time(record.hrTimeObserved);
  if (record.eventName) w.string(12, record.eventName);
  w.end(start, 2);
}

/** The ExportLogsServiceRequest for these records, grouped by resource and scope in the order they come. */
export function encodeLogsRequest(records: readonly ReadableLogRecord[]): Uint8Array {
  return encodeRequest(records, writeLogRecord);
}

/** Log records encoded when they are emitted, held as bytes until their batch is taken (see EncodedQueue). */
export class EncodedLogQueue extends EncodedQueue<ReadableLogRecord> {
  constructor(capacity: number) {
    super(capacity, writeLogRecord);
  }
}
