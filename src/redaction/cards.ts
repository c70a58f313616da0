// Card numbers: which digit runs are masked, by how they are written, their issuer range and the key they sit
// under (the rule is in docs/redaction.md).

// A whole token of 13–19 digits, single spaces or dashes between them: digits that are part of a longer token (the
// last groups of a UUID request id, a hex hash) are never taken for a card, however Luhn happens to fall.
const CARD_CANDIDATE = /(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])/g;

export function luhnValid(digits: string): boolean {
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

const between = (value: number, low: number, high: number) => value >= low && value <= high;

/** Whether the number has the prefix and length of a card scheme in use (Visa, Mastercard, Amex, Discover, …). */
export function knownIssuer(digits: string): boolean {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const p6 = Number(digits.slice(0, 6));
  if (digits[0] === '4') return n === 13 || n === 16 || n === 19; // Visa
  if (between(p2, 51, 55) || between(p4, 2221, 2720)) return n === 16; // Mastercard
  if (p2 === 34 || p2 === 37) return n === 15; // American Express
  if (p4 === 6011 || between(p3, 644, 649) || p2 === 65 || between(p6, 622126, 622925)) return n >= 16; // Discover
  if (p2 === 62) return n >= 16; // UnionPay
  if (between(p4, 3528, 3589)) return n >= 16; // JCB
  if (between(p3, 300, 305) || p2 === 36 || p2 === 38 || p2 === 39) return n >= 14; // Diners Club
  if (between(p4, 2200, 2204)) return n >= 16; // Mir
  if ([5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763].includes(p4)) return n >= 13; // Maestro
  return false;
}

/** Groups as cards are printed: fours (the last group shorter or not), or 4-6-5 / 4-6-4 (Amex, Diners). */
function cardLayout(candidate: string): boolean {
  const groups = candidate.split(/[ -]/).map((g) => g.length);
  if (groups.length === 3 && groups[0] === 4 && groups[1] === 6 && (groups[2] === 5 || groups[2] === 4)) return true;
  if (groups.length < 4) return false;
  return groups.every((length, i) => (i === groups.length - 1 ? length >= 1 && length <= 4 : length === 4));
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

export const maskedCard = (digits: string) => `[REDACTED CARD ****${digits.slice(-4)}]`;

/**
 * Masks the card numbers in a string, keeping the last four digits. Under a key that names a card every Luhn-valid
 * run counts. Elsewhere a run counts when it also belongs to a known issuer range and is written like a card: in
 * groups (`4111 1111 1111 1111`), or as 15 or 16 digits in a row inside longer text. A string that is nothing but
 * digits is an identifier there (a snowflake id, an order number), and runs of 17–19 digits in a row are left too.
 */
export function maskCardNumbers(text: string, cardKey = false): string {
  if (text.length < 13 || !mayHoldCard(text)) return text;
  return text.replace(CARD_CANDIDATE, (candidate: string) => {
    const digits = candidate.replace(/[ -]/g, '');
    if (!luhnValid(digits)) return candidate;
    if (cardKey) return maskedCard(digits);
    if (!knownIssuer(digits)) return candidate;
    if (digits.length !== candidate.length) return cardLayout(candidate) ? maskedCard(digits) : candidate;
    return (digits.length === 15 || digits.length === 16) && text.trim() !== candidate ? maskedCard(digits) : candidate;
  });
}

/** A number under a key that names a card: masked (as a string) when its digits are a Luhn-valid card number. */
export function maskCardNumber(value: number | bigint): number | bigint | string {
  // Beyond 2^53 a number is no longer the digits that were written: nothing to recognise.
  if (typeof value === 'number' && !Number.isSafeInteger(value)) return value;
  const digits = String(value);
  return /^\d{13,19}$/.test(digits) && luhnValid(digits) ? maskedCard(digits) : value;
}
