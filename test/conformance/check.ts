// Holds one app's findings against the differences table: what no entry explains and which entries it should show.
import type { Difference } from './differences';

export function matches(entry: Difference, finding: string): boolean {
  return typeof entry.finding === 'string' ? entry.finding === finding : entry.finding.test(finding);
}

export interface Verdict {
  /** Findings no entry explains. */
  unlisted: string[];
  /** Entries naming this app that matched none of its findings. */
  stale: Difference[];
}

export function judge(app: string, findings: readonly string[], table: readonly Difference[]): Verdict {
  const mine = table.filter((d) => d.apps.includes(app));
  return {
    unlisted: findings.filter((f) => !mine.some((d) => matches(d, f))),
    stale: mine.filter((d) => !findings.some((f) => matches(d, f))),
  };
}
