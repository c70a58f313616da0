// Masking of sensitive values: by key (password, token, authorization, … plus configured keys) and
// credit-card-like numbers anywhere in a string.
import { foldKey } from '../config/resolve';

export const REDACTED = '[REDACTED]';

// A whole token of 13–19 digits, spaces or dashes between them: digits that are part of a longer token (the
// last groups of a UUID request id, a hex hash) are never taken for a card, however Luhn happens to fall.
const CARD_CANDIDATE = /(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])/g;

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Whether the text has 13 digits in a row, single spaces or dashes between them allowed: every match of
 * CARD_CANDIDATE does. A scan is cheaper than the expression on the strings most values are (ids, paths).
 */
function mayHoldCard(text: string): boolean {
  let digits = 0;
  let afterSeparator = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits >= 13) return true;
      afterSeparator = false;
    } else if ((c === 32 || c === 45) && digits > 0 && !afterSeparator) {
      afterSeparator = true;
    } else {
      digits = 0;
      afterSeparator = false;
    }
  }
  return false;
}

/** Replaces every Luhn-valid card number in the text, keeping the last four digits. */
export function maskCardNumbers(text: string): string {
  if (text.length < 13 || !mayHoldCard(text)) return text;
  return text.replace(CARD_CANDIDATE, (candidate) => {
    const digits = candidate.replace(/[ -]/g, '');
    return luhnValid(digits) ? `[REDACTED CARD ****${digits.slice(-4)}]` : candidate;
  });
}

export class Redactor {
  private readonly keys: readonly string[];
  private readonly verdicts = new Map<string, boolean>();

  constructor(keys: readonly string[]) {
    this.keys = keys;
  }

  /** Case-insensitive substring match, `-` and `_` alike: `X-Api-Key` and `user_password` are sensitive. */
  isSensitiveKey(key: string): boolean {
    let verdict = this.verdicts.get(key);
    if (verdict === undefined) {
      const folded = foldKey(key);
      verdict = this.keys.some((k) => folded.includes(k));
      // Keys are few and repeat; bound the cache anyway in case an app logs generated keys.
      if (this.verdicts.size < 10_000) this.verdicts.set(key, verdict);
    }
    return verdict;
  }

  /** A string value under a non-sensitive key: only card numbers are masked. */
  redactString(value: string): string {
    return maskCardNumbers(value);
  }

  /**
   * Masks nested plain objects and arrays (sensitive keys, card numbers in strings). Returns the same reference
   * when nothing changed, so callers can skip the write; copies otherwise, never mutating the caller's data.
   */
  redactValue(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.redactString(value);
    if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
    if (Array.isArray(value)) return this.redactArray(value, depth);
    return isPlainObject(value) ? this.redactObject(value, depth) : value;
  }

  // Arrays and objects in methods of their own: a closure here would cost every call, strings included.
  private redactArray(value: unknown[], depth: number): unknown[] {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const redacted = this.redactValue(item, depth + 1);
      if (redacted !== item) (copy ??= [...value])[i] = redacted;
    }
    return copy ?? value;
  }

  private redactObject(value: Record<string, unknown>, depth: number): Record<string, unknown> {
    let copy: Record<string, unknown> | undefined;
    for (const [key, item] of Object.entries(value)) {
      const redacted = this.isSensitiveKey(key) ? REDACTED : this.redactValue(item, depth + 1);
      if (redacted !== item) (copy ??= { ...value })[key] = redacted;
    }
    return copy ?? value;
  }

  /** `a=1&token=abc` or a full URL: values of sensitive query parameters are masked. */
  redactQuery(text: string): string {
    if (!text.includes('=')) return text;
    return text.replace(/(^|[?&;])([^=&#;?]+)=([^&#;]*)/g, (whole, sep: string, key: string) =>
      this.isSensitiveKey(safeDecode(key)) ? `${sep}${key}=${REDACTED}` : whole,
    );
  }

  /** Redacts one key/value pair as it would be redacted inside an object. */
  redactEntry(key: string, value: unknown): unknown {
    return this.isSensitiveKey(key) ? REDACTED : this.redactValue(value);
  }
}

const MAX_DEPTH = 8;

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
