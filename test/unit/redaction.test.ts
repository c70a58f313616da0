// Redaction table: sensitive keys (nested, arrays, header-style names, custom keys), card numbers, query strings.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Redactor, maskCardNumbers } from '../../src/redaction/redact';
import { resolveConfig } from '../../src/config/resolve';
import { snapshotEnv } from '../../src/config/env';

const keys = resolveConfig(snapshotEnv({ OTELKIT_REDACT_KEYS: 'ssn, X-Internal-Ref' }), {}, {}).config.redactKeys;
const redactor = new Redactor(keys);
const R = '[REDACTED]';

describe('Redactor.redactValue', () => {
  it.each<[string, unknown, unknown]>([
    ['password', { password: 'p' }, { password: R }],
    ['passwd', { passwd: 'p' }, { passwd: R }],
    ['upper case key', { PASSWORD: 'p' }, { PASSWORD: R }],
    ['suffix match', { db_password: 'p' }, { db_password: R }],
    ['secret', { client_secret: 's' }, { client_secret: R }],
    ['token', { access_token: 't', refreshToken: 'r' }, { access_token: R, refreshToken: R }],
    ['api_key', { api_key: 'k' }, { api_key: R }],
    ['apikey', { apiKey: 'k' }, { apiKey: R }],
    ['dash-style header', { 'x-api-key': 'k' }, { 'x-api-key': R }],
    ['authorization header', { Authorization: 'Bearer abc' }, { Authorization: R }],
    ['cookie', { cookie: 'sid=1' }, { cookie: R }],
    ['set-cookie array', { 'set-cookie': ['a=1', 'b=2'] }, { 'set-cookie': R }],
    ['nested object', { user: { name: 'ada', password: 'p' } }, { user: { name: 'ada', password: R } }],
    ['deeply nested', { a: { b: { c: { token: 't' } } } }, { a: { b: { c: { token: R } } } }],
    ['array of objects', { users: [{ password: 'a' }, { name: 'b' }] }, { users: [{ password: R }, { name: 'b' }] }],
    ['custom key', { ssn: '123-45-6789' }, { ssn: R }],
    ['custom dash key', { x_internal_ref: 'r' }, { x_internal_ref: R }],
    ['card number in a value', { note: 'paid with 4111 1111 1111 1111' }, { note: 'paid with [REDACTED CARD ****1111]' }],
    ['dashed card number', { card: '5500-0000-0000-0004' }, { card: '[REDACTED CARD ****0004]' }],
    ['card inside an array', { cards: ['378282246310005'] }, { cards: ['[REDACTED CARD ****0005]'] }],
    ['not a card (fails Luhn)', { order: '4111111111111112' }, { order: '4111111111111112' }],
    // "8458-679339054026" alone is 16 Luhn-valid digits: a UUID must come through whole.
    [
      'a UUID whose last groups pass Luhn is untouched',
      { request_id: 'b856cfee-a69b-4e01-8458-679339054026' },
      { request_id: 'b856cfee-a69b-4e01-8458-679339054026' },
    ],
    ['digits inside a longer token untouched', { ref: 'inv4111111111111111' }, { ref: 'inv4111111111111111' }],
    ['phone-like short number untouched', { phone: '+1 555 123 4567' }, { phone: '+1 555 123 4567' }],
    ['harmless keys untouched', { user_id: 42, author: 'x', session_id: 's' }, { user_id: 42, author: 'x', session_id: 's' }],
    ['substring match errs on the safe side', { tokenizer: 'bpe' }, { tokenizer: R }],
  ])('%s', (_name, input, expected) => {
    expect(redactor.redactValue(input)).toEqual(expected);
  });

  it('never mutates the input and returns the same reference when nothing changed', () => {
    const input = { user: { password: 'p' }, ok: { a: 1 } };
    const out = redactor.redactValue(input) as typeof input;
    expect(input.user.password).toBe('p');
    expect(out.ok).toBe(input.ok);
    const clean = { a: 1, b: ['x'] };
    expect(redactor.redactValue(clean)).toBe(clean);
  });
});

describe('Redactor.redactQuery and card masking', () => {
  it.each([
    ['token=abc&page=2', 'token=[REDACTED]&page=2'],
    ['https://h/p?api_key=k&x=1', 'https://h/p?api_key=[REDACTED]&x=1'],
    ['a=1&PassWord=secret', 'a=1&PassWord=[REDACTED]'],
    ['q=search+term', 'q=search+term'],
  ])('%s', (input, expected) => {
    expect(redactor.redactQuery(input)).toBe(expected);
  });

  it('masks every card in a long text and leaves other digits', () => {
    expect(maskCardNumbers('order 12345, card 4111111111111111, ref 2024')).toBe(
      'order 12345, card [REDACTED CARD ****1111], ref 2024',
    );
  });

  it('masks what the card expression alone masks, for any text (the digit scan before it only skips work)', () => {
    // The expression without the scan, as the reference.
    const reference = (text: string) =>
      text.replace(/(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])/g, (candidate) => {
        const digits = candidate.replace(/[ -]/g, '');
        const luhn = [...digits].reverse().reduce((sum, ch, i) => {
          const d = Number(ch) * (i % 2 === 1 ? 2 : 1);
          return sum + (d > 9 ? d - 9 : d);
        }, 0);
        return luhn % 10 === 0 ? `[REDACTED CARD ****${digits.slice(-4)}]` : candidate;
      });
    const piece = fc.oneof(
      fc.constantFrom('4111 1111 1111 1111', '5500-0000-0000-0004', '378282246310005', '4111111111111112', ' ', '-', 'a', '_'),
      fc.stringMatching(/^[0-9 -]{1,20}$/),
      fc.uuid(),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }), (pieces) => {
        const text = pieces.join('');
        expect(maskCardNumbers(text)).toBe(reference(text));
      }),
      { numRuns: 2000 },
    );
  });
});
