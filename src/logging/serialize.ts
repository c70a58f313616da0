// Turns any value a caller logs into plain JSON data: bounded in size and depth, never throwing.

export interface SerializeLimits {
  readonly maxStringLength: number;
}

const MAX_DEPTH = 10;
const MAX_ITEMS = 1000;

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…[truncated ${text.length - max} chars]`;
}

function describeThrow(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return 'unknown';
  }
}

/** JSON-safe copy: BigInt → string, Buffer → base64 summary, Symbol/function → text, cycles and depth cut. */
export function toJsonSafe(value: unknown, limits: SerializeLimits, seen = new WeakSet<object>(), depth = 0): unknown {
  switch (typeof value) {
    case 'string':
      return truncate(value, limits.maxStringLength);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
    case 'undefined':
      return value;
    case 'bigint':
      return value.toString();
    case 'symbol':
      return value.toString();
    case 'function':
      return `[Function ${value.name || 'anonymous'}]`;
  }
  if (value === null) return null;
  const object = value as object;
  if (seen.has(object)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Object]';
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  if (Buffer.isBuffer(object) || object instanceof Uint8Array) {
    const bytes = Buffer.from(object.buffer, object.byteOffset, object.byteLength);
    return `[Buffer ${bytes.length} bytes: ${truncate(bytes.toString('base64'), Math.min(limits.maxStringLength, 256))}]`;
  }
  if (object instanceof Error) return errorSummary(object, limits, seen, depth);
  seen.add(object);
  try {
    if (Array.isArray(object) || object instanceof Set) {
      const items = [...(object as Iterable<unknown>)];
      const out = items.slice(0, MAX_ITEMS).map((item) => toJsonSafe(item, limits, seen, depth + 1));
      if (items.length > MAX_ITEMS) out.push(`…[${items.length - MAX_ITEMS} more items]`);
      return out;
    }
    if (object instanceof Map) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of object) out[String(k)] = toJsonSafe(v, limits, seen, depth + 1);
      return out;
    }
    const out: Record<string, unknown> = {};
    let count = 0;
    for (const key of Object.keys(object)) {
      if (++count > MAX_ITEMS) {
        out['…'] = `${Object.keys(object).length - MAX_ITEMS} more keys`;
        break;
      }
      let item: unknown;
      try {
        item = (object as Record<string, unknown>)[key];
      } catch (err) {
        item = `[Unreadable: ${describeThrow(err)}]`;
      }
      out[key] = toJsonSafe(item, limits, seen, depth + 1);
    }
    return out;
  } catch (err) {
    return `[Unserialisable: ${describeThrow(err)}]`;
  } finally {
    seen.delete(object);
  }
}

function errorSummary(err: Error, limits: SerializeLimits, seen: WeakSet<object>, depth: number): Record<string, unknown> {
  seen.add(err);
  try {
    return {
      type: safeRead(() => err.name) ?? 'Error',
      message: truncate(String(safeRead(() => err.message) ?? ''), limits.maxStringLength),
      ...(err.cause === undefined ? {} : { cause: toJsonSafe(err.cause, limits, seen, depth + 1) }),
    };
  } finally {
    seen.delete(err);
  }
}

export function safeRead<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
