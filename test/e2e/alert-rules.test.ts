// The Prometheus alert rules and configuration in collector/prometheus, checked by Prometheus's own tool:
// `promtool check` on the rules and both scrape configurations, and `promtool test rules` on the unit tests,
// in which every alert has a series that fires and one that does not.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/app';
import { missingTools, PROMETHEUS_SETUP, requirePrerequisites } from './collector-harness';

const run = promisify(execFile);
const PROMTOOL = '/usr/bin/promtool';
const PROMETHEUS_DIR = join(REPO_ROOT, 'collector', 'prometheus');
const RULES = join(PROMETHEUS_DIR, 'rules', 'otelkit-alerts.yml');
const RULE_TESTS = join(PROMETHEUS_DIR, 'tests', 'otelkit-alerts.test.yml');

async function promtool(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(PROMTOOL, args, { cwd: PROMETHEUS_DIR });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

const missing = missingTools({ [PROMTOOL]: PROMETHEUS_SETUP });

describe.runIf(missing.length === 0)('Prometheus alert rules (promtool)', () => {
  it('the rules file is valid and holds the ten alerts', async () => {
    expect(await promtool('check', 'rules', RULES)).toContain('SUCCESS: 12 rules found');
  });

  it('prometheus.yml and app-direct-scrape.yml are valid configurations', async () => {
    expect(await promtool('check', 'config', 'prometheus.yml')).toContain('SUCCESS');
    expect(await promtool('check', 'config', 'app-direct-scrape.yml')).toContain('SUCCESS');
  });

  it('every alert has a unit test that expects it to fire and one that expects silence', () => {
    const alerts = [...readFileSync(RULES, 'utf8').matchAll(/- alert: (\w+)/g)].map((m) => m[1]!);
    const tests = readFileSync(RULE_TESTS, 'utf8');
    for (const alert of alerts) {
      const cases = tests.split('- eval_time:').filter((c) => c.includes(`alertname: ${alert}\n`));
      expect(
        cases.some((c) => /exp_alerts: \[\]/.test(c)),
        `${alert}: a case expecting no alert`,
      ).toBe(true);
      expect(
        cases.some((c) => /exp_labels:/.test(c)),
        `${alert}: a case expecting it to fire`,
      ).toBe(true);
    }
  });

  it('promtool test rules passes', async () => {
    expect(await promtool('test', 'rules', RULE_TESTS)).toContain('SUCCESS');
  });
});

requirePrerequisites('Prometheus alert rules', missing);
