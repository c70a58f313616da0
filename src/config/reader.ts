// Typed getters over an env snapshot: each one validates, records one warning per bad variable, and falls back.
import type { Env, EnvVarKey } from './env';
import { maskSecrets } from '../mask';

/** An option passed to start() in code, by its path (`instrumentations.http.requestHook`). */
export type OptionPath = `instrumentations.${string}`;

export interface ConfigWarning {
  readonly variable: EnvVarKey | OptionPath;
  /** The offending value, with secrets masked and length bounded; safe to print. */
  readonly value: string;
  readonly problem: string;
  readonly fallback: string;
}

const SHOWN_VALUE_MAX = 120;

export function displayValue(variable: EnvVarKey, raw: string): string {
  const masked = maskSecrets(variable, raw);
  const bounded = masked.length > SHOWN_VALUE_MAX ? `${masked.slice(0, SHOWN_VALUE_MAX)}…` : masked;
  // JSON quoting makes control characters, CR/LF and unicode tricks visible instead of acting on the terminal.
  return JSON.stringify(bounded);
}

export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
}

export class EnvReader {
  readonly warnings: ConfigWarning[] = [];
  private readonly warned = new Set<EnvVarKey | OptionPath>();

  constructor(private readonly env: Env) {}

  /** The trimmed value, or undefined when unset or blank (blank means "use the default" in the OTel spec). */
  raw(key: EnvVarKey): string | undefined {
    const value = this.env[key]?.trim();
    return value ? value : undefined;
  }

  warn(key: EnvVarKey, problem: string, fallback: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warnings.push({ variable: key, value: displayValue(key, this.env[key] ?? ''), problem, fallback });
  }

  /** An option passed in code: its value is never shown (it may be a function, or hold a secret). */
  warnOption(path: OptionPath, problem: string, fallback: string): void {
    if (this.warned.has(path)) return;
    this.warned.add(path);
    this.warnings.push({ variable: path, value: '', problem, fallback });
  }

  string(key: EnvVarKey): string | undefined {
    return this.raw(key);
  }

  boolean(key: EnvVarKey, fallback: boolean): boolean {
    const value = this.raw(key)?.toLowerCase();
    if (value === undefined) return fallback;
    if (value === 'true') return true;
    if (value === 'false') return false;
    this.warn(key, 'is not "true" or "false"', String(fallback));
    return fallback;
  }

  number(key: EnvVarKey, fallback: number, rule: NumberRule = {}): number {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const parsed = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value) ? Number(value) : NaN;
    const kind = rule.integer ? 'a whole number' : 'a number';
    const range = describeRange(rule);
    if (!Number.isFinite(parsed) || (rule.integer && !Number.isInteger(parsed))) {
      this.warn(key, `is not ${kind}${range}`, String(fallback));
      return fallback;
    }
    if ((rule.min !== undefined && parsed < rule.min) || (rule.max !== undefined && parsed > rule.max)) {
      this.warn(key, `is out of range${range}`, String(fallback));
      return fallback;
    }
    return parsed;
  }

  oneOf<T extends string>(key: EnvVarKey, allowed: readonly T[], fallback: T): T {
    const value = this.raw(key)?.toLowerCase();
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.warn(key, `is not one of ${allowed.join(', ')}`, fallback);
    return fallback;
  }

  /**
   * A comma-separated list of known names. Unknown entries are dropped with one warning; when nothing
   * valid remains the fallback list is used.
   */
  list<T extends string>(key: EnvVarKey, allowed: readonly T[], fallback: readonly T[]): readonly T[] {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const items = value
      .split(',')
      .map((item) => item.trim().toLowerCase())
      .filter(Boolean);
    const known = items.filter((item): item is T => (allowed as readonly string[]).includes(item));
    const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item));
    const result = [...new Set(known)];
    if (unknown.length > 0 || result.length === 0) {
      const usedFallback = result.length === 0;
      this.warn(
        key,
        `has unknown entries (${unknown.map((u) => JSON.stringify(maskSecrets(key, u).slice(0, 40))).join(', ') || 'none given'}); known: ${allowed.join(', ')}`,
        usedFallback ? fallback.join(',') || '(none)' : result.join(','),
      );
      return usedFallback ? fallback : result;
    }
    return result;
  }

  /** An absolute http(s) URL; anything else falls back with a warning. */
  url(key: EnvVarKey): URL | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      this.warn(key, 'is not an absolute http:// or https:// URL', 'the default endpoint');
      return undefined;
    }
    return url;
  }

  /** `key=value,key2=value2` with percent-encoded values (W3C baggage style), as OTLP headers and resource attributes use. */
  keyValues(key: EnvVarKey, validKey: RegExp): Record<string, string> {
    const value = this.raw(key);
    const result: Record<string, string> = {};
    if (value === undefined) return result;
    let bad = 0;
    for (const entry of value.split(',')) {
      if (!entry.trim()) continue;
      const eq = entry.indexOf('=');
      const name = eq > 0 ? entry.slice(0, eq).trim() : '';
      const decoded = eq > 0 ? safeDecode(entry.slice(eq + 1).trim()) : undefined;
      if (!name || !validKey.test(name) || decoded === undefined || /[\r\n\0]/.test(decoded)) {
        bad++;
        continue;
      }
      result[name] = decoded;
    }
    if (bad > 0) {
      this.warn(
        key,
        `has ${bad} malformed entr${bad === 1 ? 'y' : 'ies'} (expected key=value,key2=value2)`,
        'the well-formed entries only',
      );
    }
    return result;
  }
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function describeRange(rule: NumberRule): string {
  if (rule.min !== undefined && rule.max !== undefined) return ` from ${rule.min} to ${rule.max}`;
  if (rule.min !== undefined) return ` of at least ${rule.min}`;
  if (rule.max !== undefined) return ` of at most ${rule.max}`;
  return '';
}
