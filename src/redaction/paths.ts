// Explicit redaction paths (OTELKIT_REDACT_PATHS), in pino's syntax: `user.ssn`, `payment.card.*`, `users[*].email`,
// `headers["x-tenant"]`. A path names keys from the record's top level (a log line's fields, a span's attributes).

/** One key per segment; `*` stands for any key. */
export type RedactPath = readonly string[];

const WILDCARD = '*';
/** So that a position fits the packing of PathState. */
const MAX_PATH_SEGMENTS = 255;

/**
 * Parses one path; undefined when it is not one. Arrays are transparent (an element is where its array is), so
 * `[*]` adds nothing; indexes (`[0]`) are not supported. A segment with dots matches the same keys as its parts:
 * `"user.ssn"` names the nested `{ user: { ssn } }` and the flat attribute `user.ssn` alike.
 */
export function parseRedactPath(text: string): RedactPath | undefined {
  const segments: string[] = [];
  let i = 0;
  let expectKey = true;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '.') {
      if (expectKey) return undefined;
      expectKey = true;
      i++;
    } else if (c === '[') {
      if (text.startsWith('[*]', i)) {
        if (segments.length === 0) return undefined;
        i += 3;
      } else if (text[i + 1] === '"' || text[i + 1] === "'") {
        const close = text.indexOf(`${text[i + 1]}]`, i + 2);
        if (close < 0) return undefined;
        const parts = text.slice(i + 2, close).split('.');
        if (parts.some((part) => part === '')) return undefined;
        segments.push(...parts);
        i = close + 2;
      } else {
        return undefined;
      }
      expectKey = false;
    } else {
      if (!expectKey) return undefined;
      let end = i;
      while (end < text.length && !'.[]"\''.includes(text[end]!)) end++;
      if (end === i) return undefined;
      segments.push(text.slice(i, end).trim());
      i = end;
      expectKey = false;
    }
  }
  if (expectKey || segments.length === 0 || segments.length > MAX_PATH_SEGMENTS || segments.some((s) => s === '')) {
    return undefined;
  }
  return segments;
}

/**
 * Where a walk through a record stands against the paths: pairs of (path index, segments matched so far), packed
 * as index * 256 + position. Undefined: no path can match below here.
 */
export type PathState = readonly number[] | undefined;

export class PathMatcher {
  readonly root: PathState;

  constructor(private readonly paths: readonly RedactPath[]) {
    this.root = paths.length === 0 ? undefined : paths.map((_path, index) => index * 256);
  }

  /** Matches one key under `state`: `true` when a path ends at (or above) it, else the state for its children. */
  step(state: readonly number[], key: string): true | PathState {
    const parts = key.includes('.') ? key.split('.') : [key];
    let next: number[] | undefined;
    for (const packed of state) {
      const path = this.paths[packed >> 8]!;
      let position = packed & 255;
      let matched = true;
      for (const part of parts) {
        const segment = path[position];
        if (segment !== WILDCARD && segment !== part) {
          matched = false;
          break;
        }
        if (++position === path.length) return true;
      }
      if (matched) (next ??= []).push((packed & ~255) | position);
    }
    return next;
  }
}
