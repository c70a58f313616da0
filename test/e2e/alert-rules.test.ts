// The Prometheus alert rules and configuration in collector/prometheus, checked by Prometheus's own tool:
// `promtool check` on the rules and both scrape configurations, and `promtool test rules` on the unit tests,
// in which every alert has a series that fires and one that does not.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
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

/** The Prometheus the compose stack runs (3.x), built by scripts/install-prometheus.sh; Debian's is 2.42. */
const PROMTOOL_3 = join(
  process.env.OTELKIT_TOOLS_DIR ?? join(homedir(), '.cache', 'otelkit-tools'),
  'prometheus-3.16.0',
  'promtool',
);
const PROMETHEUS_3_SETUP = 'bash scripts/install-prometheus.sh (needs Go)';

async function promtool(...args: string[]): Promise<string> {
  return promtoolOf(PROMTOOL, ...args);
}

async function promtoolOf(binary: string, ...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(binary, args, { cwd: PROMETHEUS_DIR });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

const missing = missingTools({ [PROMTOOL]: PROMETHEUS_SETUP, [PROMTOOL_3]: PROMETHEUS_3_SETUP });

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

  // The other rule files (service down, hosts, databases): prometheus.yml loads rules/*.yml, so each file here
  // is live and has its own unit tests, tests/<name>.test.yml, with a firing and a silent case per alert.
  const ruleFiles = readdirSync(join(PROMETHEUS_DIR, 'rules')).filter((f) => f.endsWith('.yml'));
  it('every rule file has its unit tests', () => {
    expect(ruleFiles).toEqual(
      expect.arrayContaining([
        'otelkit-alerts.yml',
        'otelkit-database-alerts.yml',
        'otelkit-host-alerts.yml',
        'otelkit-service-down-alerts.yml',
      ]),
    );
    const testFiles = readdirSync(join(PROMETHEUS_DIR, 'tests'));
    for (const file of ruleFiles) expect(testFiles).toContain(file.replace(/\.yml$/, '.test.yml'));
  });
  for (const file of ruleFiles.filter((f) => f !== 'otelkit-alerts.yml')) {
    const rules = join(PROMETHEUS_DIR, 'rules', file);
    const tests = join(PROMETHEUS_DIR, 'tests', file.replace(/\.yml$/, '.test.yml'));
    it(`${file}: valid, every alert fires in one case and stays silent in another, promtool test rules passes`, async () => {
      expect(await promtool('check', 'rules', rules)).toContain('SUCCESS');
      const alerts = [...readFileSync(rules, 'utf8').matchAll(/- alert: (\w+)/g)].map((m) => m[1]!);
      expect(alerts.length).toBeGreaterThan(0);
      const cases = readFileSync(tests, 'utf8').split('- eval_time:');
      for (const alert of alerts) {
        const own = cases.filter((c) => c.includes(`alertname: ${alert}\n`));
        expect(
          own.some((c) => /exp_alerts: \[\]/.test(c)),
          `${alert}: a case expecting no alert`,
        ).toBe(true);
        expect(
          own.some((c) => /exp_labels:/.test(c)),
          `${alert}: a case expecting it to fire`,
        ).toBe(true);
      }
      expect(await promtool('test', 'rules', tests)).toContain('SUCCESS');
    });
  }

  // Prometheus 3 selects ranges left-open and changed other details: the same rules and tests must hold there too.
  it('every rule file and the shipped configuration pass with Prometheus 3 as well', async () => {
    expect(await promtoolOf(PROMTOOL_3, 'check', 'config', 'prometheus.yml')).toContain('SUCCESS');
    for (const file of ruleFiles) {
      const tests = join(PROMETHEUS_DIR, 'tests', file.replace(/\.yml$/, '.test.yml'));
      expect(await promtoolOf(PROMTOOL_3, 'test', 'rules', tests), file).toContain('SUCCESS');
    }
  });
});

requirePrerequisites('Prometheus alert rules', missing);
