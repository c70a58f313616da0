// otelkit's OTLP span encoding writes exactly the bytes of upstream's ProtobufTraceSerializer, for any span the
// SDK can produce (property-based: attribute values of every type, events, links, statuses, trace state, remote
// parents, several scopes and resources), and what it writes decodes with the protocol's own definitions.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hex, number, resources, text } from '../harness/otlp-arbitraries';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace, type AttributeValue, type Attributes } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { EncodedSpanQueue, encodeTraceRequest } from '../../src/sdk/otlp-trace-encoding';
import { decodeTraceRequest } from '../harness/otlp-proto';

const primitive = fc.oneof(text, number, fc.boolean());
const value: fc.Arbitrary<AttributeValue> = fc.oneof(
  primitive,
  fc.array(fc.oneof(text, fc.constant(null), fc.constant(undefined)), { maxLength: 4 }) as fc.Arbitrary<AttributeValue>,
  fc.array(number, { maxLength: 4 }),
  fc.array(fc.boolean(), { maxLength: 4 }),
);
const attributes: fc.Arbitrary<Attributes> = fc.dictionary(
  fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('http.route', 'url.path', 'ключ')),
  value,
  {
    maxKeys: 8,
  },
);
const linkContext = fc.record({
  traceId: hex(32),
  spanId: hex(16),
  traceFlags: fc.constantFrom(TraceFlags.NONE, TraceFlags.SAMPLED),
  isRemote: fc.boolean(),
  traceState: fc.option(fc.constantFrom('vendor=value', 'a=1,b=2'), { nil: undefined }),
});

const spanSpec = fc.record({
  scope: fc.constantFrom(['scope-a', '1.0.0'], ['scope-b', undefined], ['ünïcode', '2']),
  resource: fc.nat({ max: 1 }),
  name: text,
  kind: fc.constantFrom(SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER),
  attributes,
  parent: fc.option(linkContext, { nil: undefined }),
  events: fc.array(fc.record({ name: text, attributes: fc.option(attributes, { nil: undefined }) }), { maxLength: 3 }),
  links: fc.array(fc.record({ context: linkContext, attributes: fc.option(attributes, { nil: undefined }) }), { maxLength: 2 }),
  status: fc.record({ code: fc.constantFrom(0, 1, 2), message: fc.option(text, { nil: undefined }) }),
  exception: fc.boolean(),
  durationMs: fc.nat({ max: 5000 }),
});

type SpanSpec = typeof spanSpec extends fc.Arbitrary<infer T> ? T : never;

function makeSpans(specs: SpanSpec[]): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const providers = resources().map(
    (resource) => new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
  );
  for (const spec of specs) {
    const tracer = providers[spec.resource].getTracer(spec.scope[0], spec.scope[1]);
    const parent = spec.parent
      ? trace.setSpanContext(ROOT_CONTEXT, {
          ...spec.parent,
          traceState: spec.parent.traceState ? new TraceState(spec.parent.traceState) : undefined,
        })
      : ROOT_CONTEXT;
    const start: [number, number] = [1_764_000_000 + spec.durationMs, 123_456_789];
    const span = tracer.startSpan(
      spec.name,
      {
        kind: spec.kind,
        attributes: spec.attributes,
        startTime: start,
        links: spec.links.map((l) => ({
          context: { ...l.context, traceState: l.context.traceState ? new TraceState(l.context.traceState) : undefined },
          attributes: l.attributes,
        })),
      },
      parent,
    );
    for (const event of spec.events) span.addEvent(event.name, event.attributes, [start[0], 999_999_999]);
    if (spec.exception) span.recordException(new Error('boom'), [start[0] + 1, 5]);
    span.setStatus(spec.status);
    span.end([start[0] + 2, spec.durationMs * 1000]);
  }
  return exporter.getFinishedSpans();
}

describe('OTLP span encoding', () => {
  it('writes the same bytes as upstream serializer for any spans', () => {
    fc.assert(
      fc.property(fc.array(spanSpec, { minLength: 1, maxLength: 12 }), (specs) => {
        const spans = makeSpans(specs);
        expect(Buffer.from(encodeTraceRequest(spans)).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!))).toBe(
          true,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('writes large batches (lengths beyond two varint bytes, past the writer’s first 64 KB) that decode to every span', () => {
    const specs = Array.from({ length: 600 }, (_, i) => fc.sample(spanSpec, { numRuns: 1, seed: i })[0]);
    const spans = makeSpans(specs);
    const bytes = encodeTraceRequest(spans);
    expect(bytes.length).toBeGreaterThan(0x4000);
    expect(bytes.length).toBeGreaterThan(64 * 1024); // the writer grew its buffer on the way
    expect(Buffer.from(bytes).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!))).toBe(true);
    const decoded = decodeTraceRequest(bytes);
    const names = decoded.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name)));
    expect(names.sort()).toEqual(spans.map((s) => s.name).sort());
  });

  it('hands each request its own bytes: a later request does not overwrite an earlier one', () => {
    const first = makeSpans(fc.sample(spanSpec, { numRuns: 3, seed: 1 }));
    const second = makeSpans(fc.sample(spanSpec, { numRuns: 3, seed: 2 }));
    const a = encodeTraceRequest(first);
    const copy = Buffer.from(a);
    encodeTraceRequest(second);
    expect(Buffer.from(a).equals(copy)).toBe(true);
  });
});

describe('spans queued as bytes (EncodedSpanQueue)', () => {
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
  // Sampled, so that every spec gives a span: a parent that is not sampled makes the default sampler drop its child.
  const sampledSpans = (count: number, seed: (i: number) => number) =>
    makeSpans(
      Array.from({ length: count }, (_, i) => fc.sample(spanSpec, { numRuns: 1, seed: seed(i) })[0]).map((spec) => ({
        ...spec,
        parent: spec.parent && { ...spec.parent, traceFlags: TraceFlags.SAMPLED },
      })),
    );

  it('takes any spans, in batches of any size, as the same bytes as upstream serializer writes for each batch', () => {
    fc.assert(
      fc.property(
        fc.array(spanSpec, { minLength: 1, maxLength: 16 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }),
        (specs, takes) => {
          const spans = makeSpans(specs);
          const queue = new EncodedSpanQueue(spans.length);
          // Spans queue and batches leave in turns, as under load: a take may leave spans behind for the next.
          let queued = 0;
          let sent = 0;
          for (const count of [...takes, spans.length]) {
            while (queued < Math.min(spans.length, sent + count + 2)) expect(queue.push(spans[queued++])).toBe(true);
            const batch = queue.take(count);
            const expected = spans.slice(sent, sent + batch.length);
            expect(batch.length).toBe(Math.min(count, queued - sent));
            if (batch.length > 0) expect(same(batch.bytes, ProtobufTraceSerializer.serializeRequest(expected)!)).toBe(true);
            sent += batch.length;
            expect(queue.length).toBe(queued - sent);
          }
          expect(sent).toBe(spans.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a span beyond its capacity, and takes the ones it holds', () => {
    const spans = sampledSpans(3, (i) => 3 + i);
    expect(spans).toHaveLength(3);
    const queue = new EncodedSpanQueue(2);
    expect(queue.push(spans[0])).toBe(true);
    expect(queue.push(spans[1])).toBe(true);
    expect(queue.push(spans[2])).toBe(false);
    const batch = queue.take(512);
    expect(batch.length).toBe(2);
    expect(same(batch.bytes, encodeTraceRequest(spans.slice(0, 2)))).toBe(true);
    expect(queue.length).toBe(0);
  });

  it('holds a full queue of large spans past the arena’s first 64 KB, and a failed encoding queues nothing', () => {
    const spans = sampledSpans(600, (i) => i);
    expect(spans).toHaveLength(600);
    const queue = new EncodedSpanQueue(600);
    for (const span of spans.slice(0, 300)) queue.push(span);
    // A span whose attributes cannot be read: the encoding throws half-way, and the queue is as it was.
    const broken = Object.create(spans[0], {
      attributes: {
        get() {
          throw new Error('unreadable');
        },
      },
    });
    expect(() => queue.push(broken)).toThrow('unreadable');
    expect(queue.length).toBe(300);
    for (const span of spans.slice(300)) queue.push(span);
    const first = queue.take(512);
    const second = queue.take(512);
    expect(first.bytes.length).toBeGreaterThan(64 * 1024);
    expect(same(first.bytes, encodeTraceRequest(spans.slice(0, 512)))).toBe(true);
    expect(same(second.bytes, encodeTraceRequest(spans.slice(512)))).toBe(true);
  });
});
