// The collector's blocked_key_patterns, generated from otelkit's secret names (src/redaction/key-words.ts), and the
// patterns as collector/config.yaml holds them: tests require the two to be equal and to decide like keyWords.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyWords, SECRET_NAMES } from '../../src/redaction/key-words';
import { REPO_ROOT } from './app';

const cap = (w: string) => w[0]!.toUpperCase() + w.slice(1);
const alt = (words: readonly string[]) => `(?:${words.join('|')})`;
const END = '[._-]*$';
// What may come before a word for it to start there, by how the word is written (lower-case, Capitalised,
// UPPER-CASE): the camelCase boundaries of keyWords, spelled out.
const BEFORE_LOWER = '(?:^|[._-])';
const BEFORE_CAPITALISED = '(?:^|[._A-Za-z0-9-])';
const BEFORE_UPPER = '(?:^|[._a-z0-9-])';

/**
 * RE2 patterns (also valid JavaScript regular expressions) that match a key exactly when keyWords' rule calls it
 * sensitive for SECRET_NAMES. The processor finds a pattern anywhere in the key (regexp.MatchString), so each one
 * is anchored at the end; `(?i)` is not used because case carries the camelCase word boundaries: each word is
 * listed lower-case, Capitalised and UPPER-CASE.
 */
export function collectorKeyPatterns(): string[] {
  const names = SECRET_NAMES.map((name) => keyWords(name));
  const single = names.filter((w) => w.length === 1).map((w) => w[0]!);
  const patterns = [
    `${BEFORE_LOWER}${alt(single)}${END}`,
    `${BEFORE_CAPITALISED}${alt(single.map(cap))}${END}`,
    `${BEFORE_UPPER}${alt(single.map((w) => w.toUpperCase()))}${END}`,
  ];
  // Two-word names, grouped by their last word. Without a separator between the words, every pairing of forms is a
  // word boundary or the name written as one word, except UPPER followed by lower-case (`APIkey` is `ap ikey`).
  const byLast = new Map<string, string[]>();
  for (const words of names.filter((w) => w.length === 2)) {
    byLast.set(words[1]!, [...(byLast.get(words[1]!) ?? []), words[0]!]);
  }
  for (const [last, firsts] of byLast) {
    const lastForms = alt([last, cap(last), last.toUpperCase()]);
    const firstLowerOrCap = `(?:${BEFORE_LOWER}${alt(firsts)}|${BEFORE_CAPITALISED}${alt(firsts.map(cap))})`;
    patterns.push(`${firstLowerOrCap}[._-]*${lastForms}${END}`);
    const firstUpper = `${BEFORE_UPPER}${alt(firsts.map((w) => w.toUpperCase()))}`;
    patterns.push(`${firstUpper}(?:[._-]*${alt([cap(last), last.toUpperCase()])}|[._-]+${last})${END}`);
  }
  if (names.some((w) => w.length > 2)) throw new Error('names of more than two words need a pattern shape of their own');
  return patterns;
}

/** The blocked_key_patterns list of collector/config.yaml's redaction processor, as written there. */
export function configuredKeyPatterns(): string[] {
  const text = readFileSync(join(REPO_ROOT, 'collector', 'config.yaml'), 'utf8');
  const start = text.indexOf('    blocked_key_patterns:\n');
  if (start < 0) throw new Error('no blocked_key_patterns in collector/config.yaml');
  const patterns: string[] = [];
  for (const line of text.slice(start).split('\n').slice(1)) {
    const item = /^ {6}- '(.*)'$/.exec(line);
    if (item) patterns.push(item[1]!.replace(/''/g, "'"));
    else if (!/^ {6}#/.test(line)) break;
  }
  return patterns;
}

/** The YAML lines for collector/config.yaml, to paste when the names change. */
export function keyPatternsYaml(): string {
  return collectorKeyPatterns()
    .map((p) => `      - '${p.replace(/'/g, "''")}'`)
    .join('\n');
}
