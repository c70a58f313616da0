// One test per app: both sides run at once, their telemetry is compared, and every difference must be listed.
import { expect, it } from 'vitest';
import type { ConformanceApp } from './apps';
import { judge } from './check';
import { compareCaptures } from './compare';
import { DELIBERATE, KNOWN_GAPS } from './differences';
import { runSide, type Capture } from './run';

export function conformanceTests(apps: readonly ConformanceApp[], env: () => Record<string, string> = () => ({})): void {
  it.each(apps.map((a) => [a.name, a] as const))('%s: otelkit against the upstream register', async (_name, app) => {
    const [otelkit, upstream] = await Promise.all([runSide(app, 'otelkit', env()), runSide(app, 'upstream', env())]);
    // Both sides answered every request with a server span and exported metrics: an empty comparison proves nothing.
    for (const side of [otelkit, upstream]) {
      expect(side.spans.filter((s) => s.kind === 2 && !s.parentSpanId).length, `${side.side}: request traces`).toBe(
        app.requests.length,
      );
      expect(
        side.metrics.map((m) => m.name),
        `${side.side}: metrics`,
      ).toContain('http.server.request.duration');
    }
    const findings = compareCaptures(app, otelkit, upstream);
    if (process.env.CONFORMANCE_PRINT) {
      const scopes = (c: Capture) => {
        const n = new Map<string, number>();
        for (const s of c.spans) n.set(s.scope, (n.get(s.scope) ?? 0) + 1);
        return [...n].map(([scope, count]) => `${scope} ${count}`).join(', ');
      };
      const sides = `otelkit spans: ${scopes(otelkit)}\nupstream spans: ${scopes(upstream)}`;
      process.stdout.write(`\n== ${app.name}\n${sides}\n${findings.join('\n')}\n`);
    }
    const { unlisted, stale } = judge(app.name, findings, [...DELIBERATE, ...KNOWN_GAPS]);
    expect({ unlisted, stale: stale.map((d) => String(d.finding)) }, `differences of ${app.name}`).toEqual({
      unlisted: [],
      stale: [],
    });
  });
}
