// docs/conformance.md against the suite's own data: every app in the matrix, every listed difference under the
// heading of its list, and no section for a difference the table no longer has.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/app';
import { ALL_APPS } from './apps';
import { DELIBERATE, KNOWN_GAPS } from './differences';

const page = readFileSync(join(REPO_ROOT, 'docs', 'conformance.md'), 'utf8');

/** The `###` headings of one `##` section. */
function headingsOf(section: string): string[] {
  const start = page.indexOf(`\n## ${section}\n`);
  expect(start, `docs/conformance.md has a "## ${section}" section`).toBeGreaterThanOrEqual(0);
  const rest = page.slice(start + section.length + 5);
  const end = rest.search(/\n## /);
  return [...(end < 0 ? rest : rest.slice(0, end)).matchAll(/^### (.+)$/gm)].map((m) => m[1]);
}

describe('docs/conformance.md', () => {
  it('names every app of the matrix in its table', () => {
    const rows = [...page.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
    expect(rows).toEqual(ALL_APPS.map((a) => a.name));
  });

  it('explains every deliberate difference, and no other', () => {
    expect(headingsOf('Deliberate differences').sort()).toEqual(DELIBERATE.map((d) => d.title).sort());
  });

  it('lists every known gap, and no other', () => {
    expect(headingsOf('Known gaps').sort()).toEqual(KNOWN_GAPS.map((d) => d.title).sort());
  });
});
