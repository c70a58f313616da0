// Which keys name a secret (or a card), decided by the key's words: never by substring. See docs/redaction.md.

/**
 * Secret names, as words. A key is sensitive when its last word, or its last two words, are one of these; a
 * two-word name also matches written as one word (`api_key`, `apiKey`, `APIKey`, `apikey`). collector/config.yaml
 * implements the same list (test/unit/redaction-collector-patterns.test.ts keeps the two equal).
 */
export const SECRET_NAMES: readonly string[] = [
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'passcode',
  'secret',
  'secrets',
  'token',
  'jwt',
  'authorization',
  'cookie',
  'cookies',
  'credential',
  'credentials',
  'pin',
  'otp',
  'cvv',
  'cvv2',
  'cvc',
  'cvc2',
  'api_key',
  'private_key',
  'secret_key',
  'access_key',
  'signing_key',
  'encryption_key',
  'master_key',
  'password_confirmation',
  'card_number',
  'credit_card',
  'cc_number',
];

/**
 * Keys that name a card without naming a secret: their values are kept, except digit runs that pass Luhn, which are
 * masked as card numbers even when written bare (`"4111111111111111"`, or the number 4111111111111111).
 */
export const CARD_NAMES: readonly string[] = ['card', 'cards', 'cc', 'pan'];

const DOT = 46;
const UNDERSCORE = 95;
const DASH = 45;

const isUpper = (c: number) => c >= 65 && c <= 90;
const isLower = (c: number) => c >= 97 && c <= 122;
const isLowerOrDigit = (c: number) => isLower(c) || (c >= 48 && c <= 57);

/**
 * The key's words, lower-cased: split on `.`, `_` and `-`, and at camelCase boundaries (before an upper-case letter
 * that follows a lower-case letter or digit, and before the last capital of a run followed by a lower-case letter:
 * `APIKey` is `api key`). Digits stay with their word (`oauth2`, `sha256`); characters outside ASCII letters and
 * digits never start a word.
 */
export function keyWords(key: string): string[] {
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c === DOT || c === UNDERSCORE || c === DASH) {
      if (start >= 0) words.push(key.slice(start, i).toLowerCase());
      start = -1;
    } else if (start < 0) {
      start = i;
    } else if (isUpper(c)) {
      const previous = key.charCodeAt(i - 1);
      if (isLowerOrDigit(previous) || (isUpper(previous) && i + 1 < key.length && isLower(key.charCodeAt(i + 1)))) {
        words.push(key.slice(start, i).toLowerCase());
        start = i;
      }
    }
  }
  if (start >= 0) words.push(key.slice(start).toLowerCase());
  return words;
}

/**
 * Names matched against the end of a key, word by word: a name of n words matches when they are the key's last n
 * words; a name of several words also matches the key's last word when that is the name written as one word.
 */
// Joins a name's words: a separator, so never part of a word (a space would be: `api key` is one word).
const JOIN = '.';

export class KeyNames {
  private readonly names = new Set<string>();
  private readonly lengths: number[];

  constructor(names: Iterable<string>) {
    const lengths = new Set<number>();
    for (const name of names) {
      const words = keyWords(name);
      if (words.length === 0) continue;
      this.names.add(words.join(JOIN));
      lengths.add(words.length);
      if (words.length > 1) {
        this.names.add(words.join(''));
        lengths.add(1);
      }
    }
    this.lengths = [...lengths].sort((a, b) => a - b);
  }

  /** Whether the words (from keyWords) end with one of the names. */
  matchesWords(words: readonly string[]): boolean {
    for (const length of this.lengths) {
      if (length > words.length) break;
      const tail = length === 1 ? words[words.length - 1]! : words.slice(words.length - length).join(JOIN);
      if (this.names.has(tail)) return true;
    }
    return false;
  }
}
