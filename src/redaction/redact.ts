// Masking of sensitive values in log records and span attributes: by the key's words (key-words.ts), by explicit
// paths (paths.ts) and card numbers (cards.ts). The rule is written down in docs/redaction.md.
import { CARD_NAMES, KeyNames, SECRET_NAMES, keyWords } from './key-words';
import { maskCardNumber, maskCardNumbers } from './cards';
import { PathMatcher, parseRedactPath, type PathState, type RedactPath } from './paths';

export { maskCardNumbers } from './cards';
export { keyWords, SECRET_NAMES } from './key-words';
export { parseRedactPath } from './paths';

export const REDACTED = '[REDACTED]';

const SENSITIVE = 1;
const CARD = 2;
// Keys are few and repeat; the bound is for apps that log generated keys.
const MAX_CACHED_KEYS = 10_000;
const MAX_DEPTH = 8;

export class Redactor {
  private readonly secrets: KeyNames;
  private readonly cards = new KeyNames(CARD_NAMES);
  private readonly paths: PathMatcher;
  private readonly verdicts = new Map<string, number>();

  /**
   * @param extraKeys secret names added to SECRET_NAMES (OTELKIT_REDACT_KEYS), matched word by word like them.
   * @param paths explicit paths (OTELKIT_REDACT_PATHS), already parsed, or as text (entries that do not parse are
   *   ignored here; the config module warns about them).
   */
  constructor(extraKeys: readonly string[] = [], paths: readonly (RedactPath | string)[] = []) {
    this.secrets = new KeyNames([...SECRET_NAMES, ...extraKeys]);
    const parsed = paths.map((p) => (typeof p === 'string' ? parseRedactPath(p) : p));
    this.paths = new PathMatcher(parsed.filter((p): p is RedactPath => p !== undefined));
  }

  private verdict(key: string): number {
    let verdict = this.verdicts.get(key);
    if (verdict === undefined) {
      const words = keyWords(key);
      verdict = this.secrets.matchesWords(words) ? SENSITIVE : this.cards.matchesWords(words) ? CARD : 0;
      if (this.verdicts.size < MAX_CACHED_KEYS) this.verdicts.set(key, verdict);
    }
    return verdict;
  }

  /** Whether the key names a secret: its last word, or its last two words, are a secret name. */
  isSensitiveKey(key: string): boolean {
    return this.verdict(key) === SENSITIVE;
  }

  /**
   * The value as it may be shown under this top-level key (a log field, a span or log record attribute, a header):
   * `[REDACTED]` when the key or a path says so, whatever the type; otherwise the same value, its nested objects and
   * arrays redacted by the same rules and card numbers masked in strings. Returns the same reference when nothing
   * changed, so callers can skip the write; copies otherwise, never mutating the caller's data.
   */
  redactValue(key: string, value: unknown): unknown {
    const root = this.paths.root;
    // Most values are strings, numbers and booleans under ordinary keys: decided here, without the walk.
    if (root === undefined && typeof value !== 'object') {
      const verdict = this.verdict(key);
      if (verdict === SENSITIVE) return REDACTED;
      if (typeof value === 'string') return maskCardNumbers(value, verdict === CARD);
      return verdict === CARD ? this.value(value, undefined, 0, true) : value;
    }
    return this.entry(key, value, root, 0);
  }

  /** Free text (a log message, an exception message, a stack trace): card numbers only. */
  redactString(text: string): string {
    return maskCardNumbers(text);
  }

  /** `a=1&token=abc` or a full URL: values of sensitive query parameters are masked. */
  redactQuery(text: string): string {
    if (!text.includes('=')) return text;
    return text.replace(/(^|[?&;])([^=&#;?]+)=([^&#;]*)/g, (whole, sep: string, key: string) =>
      this.isSensitiveKey(safeDecode(key)) ? `${sep}${key}=${REDACTED}` : whole,
    );
  }

  private entry(key: string, value: unknown, state: PathState, depth: number): unknown {
    let below: PathState;
    if (state !== undefined) {
      const step = this.paths.step(state, key);
      if (step === true) return REDACTED;
      below = step;
    }
    const verdict = this.verdict(key);
    if (verdict === SENSITIVE) return REDACTED;
    return this.value(value, below, depth, verdict === CARD);
  }

  private value(value: unknown, state: PathState, depth: number, cardKey: boolean): unknown {
    switch (typeof value) {
      case 'string':
        return maskCardNumbers(value, cardKey);
      case 'number':
      case 'bigint':
        return cardKey ? maskCardNumber(value) : value;
      case 'object':
        if (value === null || depth > MAX_DEPTH) return value;
        if (Array.isArray(value)) return this.array(value, state, depth, cardKey);
        return isPlainObject(value) ? this.object(value, state, depth) : value;
      default:
        return value;
    }
  }

  // Arrays and objects in methods of their own: a closure here would cost every call, strings included.
  private array(value: unknown[], state: PathState, depth: number, cardKey: boolean): unknown[] {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const redacted = this.value(item, state, depth + 1, cardKey);
      if (redacted !== item) (copy ??= [...value])[i] = redacted;
    }
    return copy ?? value;
  }

  private object(value: Record<string, unknown>, state: PathState, depth: number): Record<string, unknown> {
    let copy: Record<string, unknown> | undefined;
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      const item = value[key];
      const redacted = this.entry(key, item, state, depth + 1);
      if (redacted !== item) (copy ??= { ...value })[key] = redacted;
    }
    return copy ?? value;
  }
}

/** The default rule (SECRET_NAMES, no extra names or paths), for callers without a configured Redactor. */
const defaults = new Redactor();

/** Whether the key names a secret by the default names; the configured Redactor adds OTELKIT_REDACT_KEYS. */
export function isSensitiveKey(key: string): boolean {
  return defaults.isSensitiveKey(key);
}

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
