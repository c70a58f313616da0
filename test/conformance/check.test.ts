// The differences table's rules: an unlisted finding fails, and so does an entry whose finding no longer occurs.
import { describe, expect, it } from 'vitest';
import { judge } from './check';
import { DELIBERATE, KNOWN_GAPS, type Difference } from './differences';
import { ALL_APPS } from './apps';

const entry = (finding: string | RegExp, apps = ['a', 'b']): Difference => ({ title: 't', apps, finding, reason: 'r' });

describe('the differences table', () => {
  it('explains a finding by the whole line or a pattern, and only in the apps it names', () => {
    const table = [entry('metric x: only otelkit'), entry(/attribute y only upstream$/, ['a'])];
    expect(judge('a', ['metric x: only otelkit', 'span z: attribute y only upstream'], table)).toEqual({
      unlisted: [],
      stale: [],
    });
    expect(judge('b', ['metric x: only otelkit', 'span z: attribute y only upstream'], table).unlisted).toEqual([
      'span z: attribute y only upstream',
    ]);
    expect(judge('a', ['metric x: only otelkit, and more'], table).unlisted).toEqual(['metric x: only otelkit, and more']);
  });

  it('reports an entry whose difference did not occur in one of its apps', () => {
    const gone = entry('metric x: only otelkit');
    expect(judge('b', [], [gone]).stale).toEqual([gone]);
    expect(judge('c', [], [gone]).stale).toEqual([]);
  });

  it('names only apps of the matrix, each entry with a reason', () => {
    const names = new Set(ALL_APPS.map((a) => a.name));
    for (const d of [...DELIBERATE, ...KNOWN_GAPS]) {
      expect(
        d.apps.filter((a) => !names.has(a)),
        d.title,
      ).toEqual([]);
      expect(d.apps.length, d.title).toBeGreaterThan(0);
      expect(d.reason.length, d.title).toBeGreaterThan(20);
    }
  });
});
