// New request ids: UUID version 4 text, unique, random in every position the version and variant leave free;
// well-formed incoming ids are kept.
import { describe, expect, it } from 'vitest';
import { newRequestId, requestIdFrom } from '../../src/request/request-id';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it('are UUID v4 text, all different', () => {
    const ids = Array.from({ length: 20_000 }, newRequestId);
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('vary in every free hex digit (none stuck, each digit value seen)', () => {
    const ids = Array.from({ length: 4000 }, newRequestId);
    for (let position = 0; position < 36; position++) {
      if ([8, 13, 14, 18, 23].includes(position)) continue; // dashes, the version digit
      const seen = new Set(ids.map((id) => id[position]));
      expect(seen.size, `position ${position}`).toBe(position === 19 ? 4 : 16);
    }
  });

  it('keeps a well-formed incoming id and replaces others', () => {
    expect(requestIdFrom('abc-123.x:y_z')).toBe('abc-123.x:y_z');
    expect(requestIdFrom('bad id')).toMatch(UUID_V4);
    expect(requestIdFrom(['a', 'b'])).toMatch(UUID_V4);
    expect(requestIdFrom(undefined)).toMatch(UUID_V4);
  });
});
