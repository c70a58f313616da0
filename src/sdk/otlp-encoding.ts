// OTLP/protobuf encoding behind otelkit's span encoding (./otlp-trace-encoding): a writer that produces, byte for
// byte, what upstream's protobuf serializers write for attributes, resources and scopes, the request's resource and
// scope wrappers, and a queue that holds items encoded as they finish until their batch is taken. It is written for
// the request shape every OTLP signal shares: ExportTraceServiceRequest (like ExportLogsServiceRequest) holds, in field 1, resource wrappers with the resource in field 1, scope wrappers in field 2 and the schema URL
// in field 3, and each scope wrapper holds its scope in field 1, its items in field 2 and its schema URL in field 3.
import type { Attributes, AttributeValue, HrTime } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';

// Wire types.
export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH = 2;
export const FIXED32 = 5;
export const tag = (field: number, wire: number): number => (field << 3) | wire;

const MAX_CACHED_KEYS = 1024;
// A scratch buffer larger than this is dropped after the request that grew it.
const KEEP_SCRATCH_BYTES = 4 * 1024 * 1024;

const HEX = new Uint8Array(128);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = HEX[65 + i] = 10 + i;

function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Writes `value` as a varint at `pos` of `buf` (room made by the caller); returns the position after it. */
function putVarint(buf: Uint8Array, pos: number, value: number): number {
  let v = value;
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

function utf8Length(text: string): number {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return Buffer.byteLength(text, 'utf8');
  return text.length;
}

/** One request's bytes; lengths of nested messages are reserved and fixed up when the message ends. */
export class Writer {
  buf = Buffer.allocUnsafe(64 * 1024);
  pos = 0;
  // KeyValue.key, tag and length included, per attribute key.
  private readonly keys = new Map<string, Buffer>();

  ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  varint(value: number): void {
    this.pos = putVarint(this.buf, this.pos, value);
  }

  /** int64 varint of any integer a double holds: two's complement for negatives, as upstream. */
  int64(value: number): void {
    if (value >= 0 && value <= 0xffffffff) return this.varint(value >>> 0);
    const abs = Math.abs(value);
    let low = abs >>> 0;
    let high = (abs / 0x100000000) >>> 0;
    if (value < 0) {
      low = ~low >>> 0;
      high = ~high >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    const buf = this.buf;
    while (high > 0 || low > 0x7f) {
      buf[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[this.pos++] = low & 0x7f;
  }

  fixed32(value: number): void {
    const buf = this.buf;
    buf[this.pos++] = value;
    buf[this.pos++] = value >>> 8;
    buf[this.pos++] = value >>> 16;
    buf[this.pos++] = value >>> 24;
  }

  double(value: number): void {
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /** Nanoseconds since the epoch from [seconds, nanoseconds], split so that no product passes 2^53. */
  time(t: HrTime): void {
    const seconds = t[0];
    const lower = (seconds & 0xffff) * 1e9;
    const upper = ((seconds / 0x10000) >>> 0) * 1e9;
    const low = (lower >>> 0) + (((upper & 0xffff) * 0x10000) >>> 0) + t[1];
    const high = (Math.floor(lower / 0x100000000) + ((upper / 0x10000) >>> 0) + Math.floor(low / 0x100000000)) >>> 0;
    this.fixed32(low >>> 0);
    this.fixed32(high);
  }

  string(field: number, text: string): void {
    const length = utf8Length(text);
    this.ensure(length + 11);
    this.buf[this.pos++] = tag(field, LENGTH);
    this.varint(length);
    this.text(text, length);
  }

  /** The UTF-8 bytes of `text`, `length` of them; the caller has made room. */
  private text(text: string, length: number): void {
    if (length === text.length) {
      const buf = this.buf;
      const pos = this.pos;
      for (let i = 0; i < length; i++) buf[pos + i] = text.charCodeAt(i);
      this.pos = pos + length;
    } else {
      this.pos += this.buf.write(text, this.pos, length, 'utf8');
    }
  }

  hexBytes(field: number, hex: string): void {
    const length = hex.length >> 1;
    this.ensure(length + 2);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = tag(field, LENGTH);
    buf[pos++] = length;
    for (let i = 0; i < length; i++) buf[pos++] = (HEX[hex.charCodeAt(2 * i)] << 4) | HEX[hex.charCodeAt(2 * i + 1)];
    this.pos = pos;
  }

  /** Starts a length-delimited field, reserving `reserve` bytes for its length. */
  begin(field: number, reserve: number): number {
    this.ensure(reserve + 1);
    this.buf[this.pos++] = tag(field, LENGTH);
    const start = this.pos;
    this.pos += reserve;
    return start;
  }

  end(start: number, reserve: number): void {
    const length = this.pos - start - reserve;
    const needed = varintSize(length);
    if (needed !== reserve) {
      this.ensure(needed);
      this.buf.copyWithin(start + needed, start + reserve, this.pos);
      this.pos += needed - reserve;
    }
    putVarint(this.buf, start, length);
  }

  /** KeyValue.key with its tag and length, encoded once per attribute key. */
  private key(key: string): Buffer {
    let encoded = this.keys.get(key);
    if (encoded === undefined) {
      const bytes = Buffer.from(key, 'utf8');
      encoded = Buffer.allocUnsafe(1 + varintSize(bytes.length) + bytes.length);
      encoded[0] = tag(1, LENGTH);
      bytes.copy(encoded, putVarint(encoded, 1, bytes.length));
      if (this.keys.size < MAX_CACHED_KEYS) this.keys.set(key, encoded);
    }
    return encoded;
  }

  /** Short runs are copied in a loop: cheaper than a native copy at the sizes of keys. */
  private bytes(bytes: Uint8Array): void {
    const buf = this.buf;
    const pos = this.pos;
    const length = bytes.length;
    for (let i = 0; i < length; i++) buf[pos + i] = bytes[i];
    this.pos = pos + length;
  }

  keyValue(field: number, key: string, value: unknown): void {
    const encodedKey = this.key(key);
    if (typeof value === 'string') {
      // The common case, sized up front: no length to reserve and fix up.
      const length = utf8Length(value);
      const anyValue = 1 + varintSize(length) + length;
      const keyValue = encodedKey.length + 1 + varintSize(anyValue) + anyValue;
      this.ensure(keyValue + 6);
      this.buf[this.pos++] = tag(field, LENGTH);
      this.varint(keyValue);
      this.bytes(encodedKey);
      this.buf[this.pos++] = tag(2, LENGTH);
      this.varint(anyValue);
      this.buf[this.pos++] = tag(1, LENGTH);
      this.varint(length);
      this.text(value, length);
      return;
    }
    const start = this.begin(field, 1);
    this.ensure(encodedKey.length);
    this.bytes(encodedKey);
    const any = this.begin(2, 1);
    this.anyValue(value);
    this.end(any, 1);
    this.end(start, 1);
  }

  attributes(field: number, attributes: Readonly<Record<string, unknown>> | undefined): void {
    for (const key in attributes) {
      if (Object.prototype.hasOwnProperty.call(attributes, key)) this.keyValue(field, key, attributes[key]);
    }
  }

  /** AnyValue's fields, as upstream writes them; a value of no supported type writes nothing. */
  anyValue(value: unknown): void {
    this.ensure(11);
    switch (typeof value) {
      case 'string':
        return this.string(1, value);
      case 'boolean':
        this.buf[this.pos++] = tag(2, VARINT);
        this.buf[this.pos++] = value ? 1 : 0;
        return;
      case 'number':
        // int_value for any integer within int64, double_value otherwise (upstream's rule).
        if (Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63) {
          this.buf[this.pos++] = tag(3, VARINT);
          return this.int64(value);
        }
        this.buf[this.pos++] = tag(4, FIXED64);
        return this.double(value);
    }
    if (value instanceof Uint8Array) {
      this.ensure(value.length + 6);
      this.buf[this.pos++] = tag(7, LENGTH);
      this.varint(value.length);
      this.buf.set(value, this.pos);
      this.pos += value.length;
    } else if (Array.isArray(value)) {
      const array = this.begin(5, 1);
      for (const item of value as AttributeValue[]) {
        const start = this.begin(1, 1);
        this.anyValue(item);
        this.end(start, 1);
      }
      this.end(array, 1);
    } else if (typeof value === 'object' && value !== null) {
      const list = this.begin(6, 1);
      this.attributes(1, value as Attributes);
      this.end(list, 1);
    }
  }

  resource(resource: Resource): void {
    const start = this.begin(1, 2);
    this.attributes(1, resource.attributes);
    this.ensure(2);
    this.buf[this.pos++] = tag(2, VARINT);
    this.buf[this.pos++] = 0;
    this.end(start, 2);
  }

  scope(scope: InstrumentationScope & { attributes?: Attributes; droppedAttributesCount?: number }): void {
    const start = this.begin(1, 1);
    this.string(1, scope.name);
    if (scope.version) this.string(2, scope.version);
    if (scope.attributes) this.attributes(3, scope.attributes);
    if (scope.droppedAttributesCount) {
      this.ensure(6);
      this.buf[this.pos++] = tag(4, VARINT);
      this.varint(scope.droppedAttributesCount);
    }
    this.end(start, 1);
  }

  /** A varint field, written even when zero (the counts after each list, the status code), as upstream does. */
  varintField(field: number, value: number): void {
    this.ensure(6);
    this.buf[this.pos++] = tag(field, VARINT);
    this.varint(value);
  }

  /** Bytes `start` to `end` of `from`, copied as they are. */
  raw(from: Uint8Array, start: number, end: number): void {
    this.ensure(end - start);
    this.buf.set(from.subarray(start, end), this.pos);
    this.pos += end - start;
  }

  /** A copy of the request's bytes: the transport keeps them while it sends and retries. */
  take(): Uint8Array {
    const bytes = Buffer.from(this.buf.subarray(0, this.pos));
    if (this.buf.length > KEEP_SCRATCH_BYTES) this.buf = Buffer.allocUnsafe(64 * 1024);
    return bytes;
  }
}

/** The writer requests are written with: one at a time, emptied after each. */
const writer = new Writer();

/**
 * The request for items grouped by resource, then scope, in the order each first came: `writeItems` writes a
 * group's items (the scope wrapper's field 2) with the shared writer.
 */
function writeRequest<G>(
  byResource: Map<Resource, Map<InstrumentationScope, G>>,
  writeItems: (writer: Writer, group: G) => void,
): Uint8Array {
  try {
    for (const [resource, byScope] of byResource) {
      const resourceItems = writer.begin(1, 3);
      writer.resource(resource);
      for (const [scope, group] of byScope) {
        const scopeItems = writer.begin(2, 3);
        writer.scope(scope);
        writeItems(writer, group);
        if (scope.schemaUrl) writer.string(3, scope.schemaUrl);
        writer.end(scopeItems, 3);
      }
      if (resource.schemaUrl) writer.string(3, resource.schemaUrl);
      writer.end(resourceItems, 3);
    }
    return writer.take();
  } finally {
    // Also after a throw: the next request starts from an empty writer.
    writer.pos = 0;
  }
}

/** What an item needs to be encoded into a request: its resource and scope. */
export interface Telemetry {
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
}

/** Writes one item (a span, a log record) as its scope wrapper's field 2. */
export type ItemWriter<T> = (writer: Writer, item: T) => void;

/** The request for these items, grouped by resource and scope in the order they come. */
export function encodeRequest<T extends Telemetry>(items: readonly T[], write: ItemWriter<T>): Uint8Array {
  const byResource = new Map<Resource, Map<InstrumentationScope, T[]>>();
  for (const item of items) {
    let byScope = byResource.get(item.resource);
    if (!byScope) byResource.set(item.resource, (byScope = new Map()));
    let list = byScope.get(item.instrumentationScope);
    if (!list) byScope.set(item.instrumentationScope, (list = []));
    list.push(item);
  }
  return writeRequest(byResource, (w, list) => {
    for (const item of list) write(w, item);
  });
}

/** A batch already encoded: what an exporter sends as it is. `length` counts the items. */
export class EncodedBatch {
  constructor(
    readonly length: number,
    readonly bytes: Uint8Array,
  ) {}
}

/**
 * Items encoded when they finish and held as bytes until their batch is taken: a queued span or log record is a
 * few hundred bytes outside the JavaScript heap instead of an object with its attributes and context, all of which
 * would otherwise survive young-generation collections while they wait. Only the resource and scope wrappers are
 * written when a batch is taken, so the request is byte for byte what encodeRequest writes for the same items.
 */
export class EncodedQueue<T extends Telemetry> {
  private readonly arena = new Writer();
  // Per queued item, in the order they came: where its bytes end in the arena, and its resource-and-scope group.
  private readonly ends: Int32Array;
  private readonly groupOf: Int32Array;
  private readonly groups: { readonly resource: Resource; readonly scope: InstrumentationScope }[] = [];
  private readonly groupIndex = new Map<Resource, Map<InstrumentationScope, number>>();
  length = 0;

  constructor(
    readonly capacity: number,
    private readonly write: ItemWriter<T>,
  ) {
    this.ends = new Int32Array(capacity);
    this.groupOf = new Int32Array(capacity);
  }

  /** Encodes and queues `item`; false when the queue is full. An item that fails to encode throws, queuing nothing. */
  push(item: T): boolean {
    if (this.length >= this.capacity) return false;
    const arena = this.arena;
    const start = arena.pos;
    try {
      this.write(arena, item);
    } catch (error) {
      arena.pos = start;
      throw error;
    }
    this.ends[this.length] = arena.pos;
    this.groupOf[this.length] = this.group(item.resource, item.instrumentationScope);
    this.length++;
    return true;
  }

  /** The resources of the queued items. */
  resources(): Resource[] {
    return [...this.groupIndex.keys()];
  }

  /** The request for the first `count` queued items, which leave the queue. */
  take(count: number): EncodedBatch {
    const n = Math.min(count, this.length);
    // The groups those items belong to, by resource then scope, in the order each first came.
    const byResource = new Map<Resource, Map<InstrumentationScope, number>>();
    for (let i = 0; i < n; i++) {
      const { resource, scope } = this.groups[this.groupOf[i]];
      let byScope = byResource.get(resource);
      if (!byScope) byResource.set(resource, (byScope = new Map()));
      if (!byScope.has(scope)) byScope.set(scope, this.groupOf[i]);
    }
    const arena = this.arena;
    const bytes = writeRequest(byResource, (w, group) => {
      // A group's items, copied a run of neighbours at a time.
      for (let i = 0; i < n; i++) {
        if (this.groupOf[i] !== group) continue;
        const start = i === 0 ? 0 : this.ends[i - 1];
        while (i + 1 < n && this.groupOf[i + 1] === group) i++;
        w.raw(arena.buf, start, this.ends[i]);
      }
    });
    this.remove(n);
    return new EncodedBatch(n, bytes);
  }

  private group(resource: Resource, scope: InstrumentationScope): number {
    let byScope = this.groupIndex.get(resource);
    if (!byScope) this.groupIndex.set(resource, (byScope = new Map()));
    let index = byScope.get(scope);
    if (index === undefined) {
      index = this.groups.push({ resource, scope }) - 1;
      byScope.set(scope, index);
    }
    return index;
  }

  private remove(n: number): void {
    const arena = this.arena;
    if (n === this.length) {
      this.length = 0;
      arena.pos = 0;
      // Groups are forgotten with the items: a resource or scope no longer used is not kept alive by the queue.
      this.groups.length = 0;
      this.groupIndex.clear();
      if (arena.buf.length > KEEP_SCRATCH_BYTES) arena.buf = Buffer.allocUnsafe(64 * 1024);
      return;
    }
    if (n === 0) return;
    const shift = this.ends[n - 1];
    arena.buf.copyWithin(0, shift, arena.pos);
    arena.pos -= shift;
    this.ends.copyWithin(0, n, this.length);
    this.groupOf.copyWithin(0, n, this.length);
    this.length -= n;
    for (let i = 0; i < this.length; i++) this.ends[i] -= shift;
  }
}
