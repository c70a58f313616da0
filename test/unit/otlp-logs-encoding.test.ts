// otelkit's OTLP log encoding writes exactly the bytes of upstream's ProtobufLogsSerializer, for any log record the
// SDK can produce (property-based: bodies and attributes of every AnyValue type, nested maps and lists, bytes,
// severities, event names, trace context sampled or not, several scopes and resources), whether a request is
// encoded at once or its records are queued as bytes and taken in batches of any size; and what it writes decodes
// with the protocol's own definitions.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hex, number, resources, text } from '../harness/otlp-arbitraries';
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import type { AnyValue, AnyValueMap } from '@opentelemetry/api-logs';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { EncodedLogQueue, encodeLogsRequest } from '../../src/sdk/otlp-logs-encoding';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require('otlp-transformer-decoders/build/src/generated/root');
const LogsRequest = root.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;

const key = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('request_id', 'exception.stacktrace', 'ключ'));
const anyValue: fc.Arbitrary<AnyValue> = fc.letrec<{ value: AnyValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    number,
    fc.boolean(),
    fc.constantFrom(null, undefined),
    fc.uint8Array({ maxLength: 20 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
})).value;
const attributes: fc.Arbitrary<AnyValueMap> = fc.dictionary(key, anyValue, { maxKeys: 8 });

const recordSpec = fc.record({
  scope: fc.constantFrom(['otelkit', '0.1.0'], ['@opentelemetry/winston-transport', undefined], ['ünïcode', '2']),
  resource: fc.nat({ max: 1 }),
  severityNumber: fc.option(fc.oneof(fc.integer({ min: 0, max: 24 }), fc.constant(2 ** 33)), { nil: undefined }),
  severityText: fc.option(fc.oneof(text, fc.constantFrom('INFO', 'error', '')), { nil: undefined }),
  body: fc.oneof(anyValue, text),
  attributes: fc.option(attributes, { nil: undefined }),
  eventName: fc.option(fc.oneof(text, fc.constant('')), { nil: undefined }),
  span: fc.option(
    fc.record({ traceId: hex(32), spanId: hex(16), traceFlags: fc.constantFrom(TraceFlags.NONE, TraceFlags.SAMPLED) }),
    {
      nil: undefined,
    },
  ),
  offsetMs: fc.nat({ max: 5000 }),
  observed: fc.boolean(),
});

type RecordSpec = typeof recordSpec extends fc.Arbitrary<infer T> ? T : never;

function makeRecords(specs: RecordSpec[]): ReadableLogRecord[] {
  const exporter = new InMemoryLogRecordExporter();
  const providers = resources().map(
    (resource) => new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter })] }),
  );
  for (const spec of specs) {
    const logger = providers[spec.resource].getLogger(spec.scope[0], spec.scope[1]);
    const time = 1_764_000_000_000 + spec.offsetMs + 0.123;
    logger.emit({
      severityNumber: spec.severityNumber,
      severityText: spec.severityText,
      body: spec.body,
      attributes: spec.attributes,
      eventName: spec.eventName,
      timestamp: time,
      observedTimestamp: spec.observed ? time + 7 : undefined,
      context: spec.span ? trace.setSpanContext(ROOT_CONTEXT, { ...spec.span, isRemote: false }) : ROOT_CONTEXT,
    });
  }
  return exporter.getFinishedLogRecords();
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe('OTLP log encoding', () => {
  it('writes the same bytes as upstream serializer for any log records', () => {
    fc.assert(
      fc.property(fc.array(recordSpec, { minLength: 1, maxLength: 12 }), (specs) => {
        const records = makeRecords(specs);
        expect(records).toHaveLength(specs.length);
        expect(same(encodeLogsRequest(records), ProtobufLogsSerializer.serializeRequest(records)!)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('writes large batches (past the writer’s first 64 KB) that decode to every record', () => {
    const specs = Array.from({ length: 600 }, (_, i) => fc.sample(recordSpec, { numRuns: 1, seed: i })[0]);
    const records = makeRecords(specs.map((spec, i) => ({ ...spec, body: `record ${i}` })));
    const bytes = encodeLogsRequest(records);
    expect(bytes.length).toBeGreaterThan(64 * 1024);
    expect(same(bytes, ProtobufLogsSerializer.serializeRequest(records)!)).toBe(true);
    const decoded = LogsRequest.decode(bytes);
    const bodies = decoded.resourceLogs.flatMap((rl: { scopeLogs: { logRecords: { body: { stringValue: string } }[] }[] }) =>
      rl.scopeLogs.flatMap((sl) => sl.logRecords.map((r) => r.body.stringValue)),
    );
    expect(bodies.sort()).toEqual(records.map((r) => r.body).sort());
  });
});

describe('log records queued as bytes (EncodedLogQueue)', () => {
  it('takes any records, in batches of any size, as the same bytes as upstream serializer writes for each batch', () => {
    fc.assert(
      fc.property(
        fc.array(recordSpec, { minLength: 1, maxLength: 16 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }),
        (specs, takes) => {
          const records = makeRecords(specs);
          expect(records).toHaveLength(specs.length);
          const queue = new EncodedLogQueue(records.length);
          let queued = 0;
          let sent = 0;
          for (const count of [...takes, records.length]) {
            while (queued < Math.min(records.length, sent + count + 2)) expect(queue.push(records[queued++])).toBe(true);
            const batch = queue.take(count);
            expect(batch.length).toBe(Math.min(count, queued - sent));
            if (batch.length > 0) {
              expect(same(batch.bytes, ProtobufLogsSerializer.serializeRequest(records.slice(sent, sent + batch.length))!)).toBe(
                true,
              );
            }
            sent += batch.length;
            expect(queue.length).toBe(queued - sent);
          }
          expect(sent).toBe(records.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
