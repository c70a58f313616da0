// Redaction: the key rule (the shared table in test/fixtures/redaction-keys.json), types kept, card numbers in
// context, OTELKIT_REDACT_KEYS and OTELKIT_REDACT_PATHS, query strings; properties over generated keys and values.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Redactor, isSensitiveKey, keyWords, maskCardNumbers, REDACTED, SECRET_NAMES } from '../../src/redaction/redact';
import { CARD_NAMES } from '../../src/redaction/key-words';
import { luhnValid } from '../../src/redaction/cards';
import { resolveConfig } from '../../src/config/resolve';
import { snapshotEnv } from '../../src/config/env';

const table = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'redaction-keys.json'), 'utf8')) as {
  sensitive: string[];
  notSensitive: string[];
};
const redactor = new Redactor();
const R = REDACTED;
const VALUES: unknown[] = ['s3cr3t', 1234, 0, 12.5, true, false, null, ['a', 'b'], { nested: 'x' }, 42n];

describe('the key rule (test/fixtures/redaction-keys.json, the table the collector test uses too)', () => {
  it.each(table.sensitive)('%s is sensitive: every type of value is masked', (key) => {
    expect(isSensitiveKey(key)).toBe(true);
    for (const value of VALUES) expect(redactor.redactValue(key, value)).toBe(R);
  });

  it.each(table.notSensitive)('%s is not sensitive: every value comes through as it was, type included', (key) => {
    expect(isSensitiveKey(key)).toBe(false);
    for (const value of VALUES) expect(redactor.redactValue(key, value)).toBe(value);
  });
});

describe('keyWords', () => {
  it.each<[string, string[]]>([
    ['gen_ai.usage.input_tokens', ['gen', 'ai', 'usage', 'input', 'tokens']],
    ['x-api-key', ['x', 'api', 'key']],
    ['refreshToken', ['refresh', 'token']],
    ['APIKey', ['api', 'key']],
    ['XMLHttpRequest', ['xml', 'http', 'request']],
    ['oauth2Token', ['oauth2', 'token']],
    ['sha256_hash', ['sha256', 'hash']],
    ['__private__key__', ['private', 'key']],
    ['', []],
    ['._-', []],
  ])('%s', (key, words) => {
    expect(keyWords(key)).toEqual(words);
  });
});

describe('log fields as the issue reported them', () => {
  it('token counts, a secretary and a passwordless flag come through byte for byte', () => {
    const fields = {
      'gen_ai.usage.input_tokens': 42,
      secretary: 'Ada',
      tokens_used: 7,
      passwordless: true,
      token_count: 3,
      password_reset_at: '2026-12-06T10:00:00.000Z',
    };
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) out[key] = redactor.redactValue(key, value);
    expect(JSON.stringify(out)).toBe(JSON.stringify(fields));
  });

  it('a numeric PIN is masked, and so is everything under a sensitive key', () => {
    expect(redactor.redactValue('pin', 1234)).toBe(R);
    expect(redactor.redactValue('credentials', { username: 'ada', password: 'p' })).toBe(R);
    expect(redactor.redactValue('cookies', ['a=1', 'b=2'])).toBe(R);
  });

  it('nested objects and arrays under other keys are walked with the same rule', () => {
    expect(redactor.redactValue('user', { name: 'ada', password: 'p', tokens: 3 })).toEqual({
      name: 'ada',
      password: R,
      tokens: 3,
    });
    expect(redactor.redactValue('users', [{ apiKey: 'k' }, { name: 'b' }])).toEqual([{ apiKey: R }, { name: 'b' }]);
    expect(redactor.redactValue('a', { b: { c: { session_token: 't' } } })).toEqual({ b: { c: { session_token: R } } });
  });

  it('never mutates the input and returns the same reference when nothing changed', () => {
    const input = { user: { password: 'p' }, ok: { a: 1 } };
    const out = redactor.redactValue('x', input) as typeof input;
    expect(input.user.password).toBe('p');
    expect(out.ok).toBe(input.ok);
    const clean = { a: 1, b: ['x'] };
    expect(redactor.redactValue('x', clean)).toBe(clean);
  });
});

/** A random 19-digit id, as snowflake ids are (any leading digit, not only today's 1). */
const nineteenDigits = fc
  .tuple(fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 18, maxLength: 18 }))
  .map(([first, rest]) => `${first}${rest.join('')}`);

describe('card numbers', () => {
  it.each<[string, string, unknown, unknown]>([
    ['grouped in text', 'note', 'paid with 4111 1111 1111 1111', 'paid with [REDACTED CARD ****1111]'],
    ['dashed', 'note', '5500-0000-0000-0004', '[REDACTED CARD ****0004]'],
    ['Amex 4-6-5', 'note', '3782 822463 10005', '[REDACTED CARD ****0005]'],
    ['16 digits in a row inside text', 'message', 'card 4111111111111111 declined', 'card [REDACTED CARD ****1111] declined'],
    ['under a card key, bare', 'card', '4111111111111111', '[REDACTED CARD ****1111]'],
    ['under a card key, a number', 'card', 4111111111111111, '[REDACTED CARD ****1111]'],
    ['under a card key, in an array', 'cards', ['378282246310005'], ['[REDACTED CARD ****0005]']],
    ['card key, not Luhn-valid: kept', 'card', '4111111111111112', '4111111111111112'],
    ['card key, other content kept', 'card', { brand: 'visa', last4: '1111' }, { brand: 'visa', last4: '1111' }],
    ['e-mail cc list kept', 'cc', ['bob@example.com'], ['bob@example.com']],
    ['a bare 16-digit id is an id', 'order_id', '4111111111111111', '4111111111111111'],
    ['fails Luhn', 'note', 'card 4111111111111112 declined', 'card 4111111111111112 declined'],
    ['Luhn-valid, no issuer range', 'note', 'ref 1000000000000009 done', 'ref 1000000000000009 done'],
    ['grouped like a phone number', 'note', 'call 4111 111 111 111 1', 'call 4111 111 111 111 1'],
    ['a number under another key', 'amount', 4111111111111111, 4111111111111111],
    [
      'a UUID whose last groups pass Luhn',
      'request_id',
      'b856cfee-a69b-4e01-8458-679339054026',
      'b856cfee-a69b-4e01-8458-679339054026',
    ],
    ['digits inside a longer token', 'ref', 'inv4111111111111111', 'inv4111111111111111'],
    ['a phone number', 'phone', '+1 555 123 4567', '+1 555 123 4567'],
  ])('%s', (_name, key, value, expected) => {
    expect(redactor.redactValue(key, value)).toEqual(expected);
  });

  it('1000 random 19-digit ids: none masked, bare under id/order_id/note or inside text', () => {
    const ids = fc.sample(nineteenDigits, { numRuns: 1000, seed: 30 });
    // About a tenth pass Luhn: the old rule masked those.
    expect(ids.filter(luhnValid).length).toBeGreaterThan(50);
    for (const id of ids) {
      for (const key of ['id', 'order_id', 'note']) expect(redactor.redactValue(key, id)).toBe(id);
      expect(redactor.redactString(`order ${id} shipped`)).toBe(`order ${id} shipped`);
    }
  });

  it('any 19-digit id, any key that names no card: untouched (property)', () => {
    fc.assert(
      fc.property(nineteenDigits, fc.constantFrom('id', 'order_id', 'user.id', 'snowflake', 'message'), (id, key) => {
        expect(redactor.redactValue(key, id)).toBe(id);
        expect(redactor.redactValue(key, `id=${id}`)).toBe(`id=${id}`);
      }),
      { numRuns: 3000 },
    );
  });

  it('every grouped Luhn-valid Visa number in text is masked, keeping the last four digits (property)', () => {
    const visa = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 14, maxLength: 14 }).map((rest) => {
      const body = `4${rest.join('')}`;
      for (let check = 0; check < 10; check++) if (luhnValid(`${body}${check}`)) return `${body}${check}`;
      throw new Error('unreachable');
    });
    fc.assert(
      fc.property(visa, fc.constantFrom(' ', '-'), (digits, sep) => {
        const grouped = digits.match(/.{4}/g)!.join(sep);
        expect(maskCardNumbers(`paid with ${grouped}.`)).toBe(`paid with [REDACTED CARD ****${digits.slice(-4)}].`);
      }),
    );
  });
});

describe('OTELKIT_REDACT_KEYS and OTELKIT_REDACT_PATHS', () => {
  const { config, warnings } = resolveConfig(
    snapshotEnv({
      OTELKIT_REDACT_KEYS: 'ssn, X-Internal-Ref, taxId',
      OTELKIT_REDACT_PATHS: 'user.email, payment.card.*, orders[*].address, headers["x-tenant"], *.hint',
    }),
    {},
    {},
  );
  const custom = new Redactor(config.redactKeys, config.redactPaths);

  it('parse without warnings', () => {
    expect(warnings).toEqual([]);
  });

  it.each<[string, boolean]>([
    ['ssn', true],
    ['user.ssn', true],
    ['customerSSN', true],
    ['ssn_verified', false],
    ['x_internal_ref', true],
    ['app.xInternalRef', true],
    ['internal_ref', false],
    ['tax_id', true],
    ['TAX_ID', true],
    ['password', true],
  ])('extra names match word by word: %s → %s', (key, sensitive) => {
    expect(custom.isSensitiveKey(key)).toBe(sensitive);
  });

  it('paths mask exactly what they name, nested or as flat attribute keys, whatever the type', () => {
    expect(custom.redactValue('user', { email: 'a@b.c', name: 'ada' })).toEqual({ email: R, name: 'ada' });
    expect(custom.redactValue('user.email', 'a@b.c')).toBe(R);
    expect(custom.redactValue('email', 'a@b.c')).toBe('a@b.c');
    expect(custom.redactValue('customer', { user: { email: 'a@b.c' } })).toEqual({ user: { email: 'a@b.c' } });
    expect(custom.redactValue('payment', { card: { brand: 'visa', exp: 1228 }, amount: 3 })).toEqual({
      card: { brand: R, exp: R },
      amount: 3,
    });
    expect(custom.redactValue('payment.card.exp', 1228)).toBe(R);
    expect(custom.redactValue('orders', [{ address: 'x', id: 1 }, { address: { city: 'y' } }])).toEqual([
      { address: R, id: 1 },
      { address: R },
    ]);
    expect(custom.redactValue('headers', { 'x-tenant': 't1', 'x-other': 'o' })).toEqual({ 'x-tenant': R, 'x-other': 'o' });
    expect(custom.redactValue('login', { hint: 'first pet', user: { hint: 'kept' } })).toEqual({
      hint: R,
      user: { hint: 'kept' },
    });
    // A path that ends above a key masks everything below it.
    expect(custom.redactValue('user.email.domain', 'b.c')).toBe(R);
  });

  it('bad entries warn once each variable, naming them, and the rest still apply', () => {
    const bad = resolveConfig(
      snapshotEnv({ OTELKIT_REDACT_KEYS: 'ssn,a b,--', OTELKIT_REDACT_PATHS: 'user.ssn,a..b,x[0],,[*].y' }),
      {},
      {},
    );
    expect(bad.warnings.map((w) => w.variable)).toEqual(['OTELKIT_REDACT_KEYS', 'OTELKIT_REDACT_PATHS']);
    expect(bad.warnings[0]!.problem).toContain('"a b"');
    expect(bad.warnings[0]!.problem).toContain('"--"');
    expect(bad.warnings[0]!.fallback).toBe('ssn');
    expect(bad.warnings[1]!.problem).toContain('"a..b"');
    expect(bad.warnings[1]!.problem).toContain('"x[0]"');
    expect(bad.warnings[1]!.problem).toContain('"[*].y"');
    expect(bad.warnings[1]!.fallback).toBe('user.ssn');
    expect(bad.config.redactKeys).toEqual(['ssn']);
    expect(bad.config.redactPaths).toEqual([['user', 'ssn']]);
  });
});

describe('query strings', () => {
  it.each([
    ['token=abc&page=2', 'token=[REDACTED]&page=2'],
    ['https://h/p?api_key=k&x=1', 'https://h/p?api_key=[REDACTED]&x=1'],
    ['a=1&PASSWORD=secret', 'a=1&PASSWORD=[REDACTED]'],
    ['max_tokens=100&q=search+term', 'max_tokens=100&q=search+term'],
  ])('%s', (input, expected) => {
    expect(redactor.redactQuery(input)).toBe(expected);
  });
});

// Words a generated key is made of: the secret names' own words among ordinary ones, so that they show up in front.
const SECRET_WORDS = [...new Set(SECRET_NAMES.flatMap((name) => keyWords(name)))];
const ORDINARY_WORDS = ['count', 'used', 'at', 'id', 'name', 'tokens', 'reset', 'hash', 'type', 'less', 'usage', 'input'];
const PAIR_FIRST_WORDS = new Set(SECRET_NAMES.map((n) => keyWords(n)).flatMap((w) => (w.length === 2 ? [w[0]!] : [])));
const PAIR_LAST_WORDS = new Set(SECRET_NAMES.map((n) => keyWords(n)).flatMap((w) => (w.length === 2 ? [w[1]!] : [])));
const ONE_WORD_NAMES = new Set([...SECRET_NAMES, ...CARD_NAMES].map((n) => keyWords(n).join('')));

const spell = (w: string, form: number) => (form === 0 ? w : form === 1 ? w[0]!.toUpperCase() + w.slice(1) : w.toUpperCase());
// A generated word stays one word however it is spelled: upper-case after a digit starts a new word (`A0CVV` is
// `a0` and `cvv`), so a word that splits would hide another last word in the key.
const oneWord = fc
  .stringMatching(/^[a-z][a-z0-9]{0,7}$/)
  .filter((w) => [0, 1, 2].every((f) => keyWords(spell(w, f)).length === 1));
const word = fc.oneof(fc.constantFrom(...SECRET_WORDS, ...ORDINARY_WORDS), oneWord);
/** A last word that names nothing: no secret or card name, and no pair's last word (`key` after `api`). */
const innocentLast = word.filter((w) => !ONE_WORD_NAMES.has(w) && !PAIR_LAST_WORDS.has(w) && !PAIR_FIRST_WORDS.has(w));

/** Joins words into a key with separators or camelCase, each word lower, Capitalised or UPPER as camelCase allows. */
const keyOf = (words: fc.Arbitrary<string[]>) =>
  fc
    .tuple(words, fc.array(fc.constantFrom('.', '_', '-', 'camel'), { minLength: 8, maxLength: 8 }), fc.nat())
    .map(([ws, seps, caseSeed]) => {
      let key = '';
      ws.forEach((w, i) => {
        const sep = i === 0 ? '' : seps[i % seps.length]!;
        // camelCase needs a Capitalised word after a lower-case one to make a boundary.
        if (sep === 'camel') key += spell(w, 1);
        else key += sep + spell(w, caseSeed % 3 === 2 && sep !== '' ? 2 : i === 0 ? (caseSeed % 2 ? 0 : 1) : 0);
      });
      return { key, words: ws };
    })
    // Only keys that read back as the words they were made of: a camelCase join after an UPPER word can merge two
    // (`CREDENTIAL` + `S` is `CREDENTIALS`), which would put another last word in the key.
    .filter(({ key, words }) => keyWords(key).join('.') === words.map((w) => w.toLowerCase()).join('.'))
    .map(({ key }) => key);

const leaf = fc.oneof(
  fc.string({ unit: 'grapheme' }).filter((s) => !/\d[\d -]{11,}\d/.test(s)),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
);
const innocentKey = keyOf(fc.tuple(fc.array(word, { maxLength: 3 }), innocentLast).map(([front, last]) => [...front, last]));
const { value: innocentValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(innocentKey, tie('value'), { maxKeys: 4 }),
  ),
}));

describe('properties', () => {
  it('a key that is not sensitive keeps its value byte for byte, and its type, at any depth', () => {
    fc.assert(
      fc.property(innocentKey, innocentValue, (key, value) => {
        expect(isSensitiveKey(key)).toBe(false);
        const out = redactor.redactValue(key, value);
        expect(out).toBe(value);
        expect(JSON.stringify(out)).toBe(JSON.stringify(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('a key that ends with a secret name is masked, whatever comes before it and whatever its value', () => {
    const secretKey = keyOf(
      fc
        .tuple(fc.array(word, { maxLength: 3 }), fc.constantFrom(...SECRET_NAMES))
        .map(([front, name]) => [...front, ...keyWords(name)]),
    );
    fc.assert(
      fc.property(secretKey, fc.jsonValue(), (key, value) => {
        expect(redactor.redactValue(key, value)).toBe(R);
      }),
      { numRuns: 2000 },
    );
  });
});
