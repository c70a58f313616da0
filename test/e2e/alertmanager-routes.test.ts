// The Alertmanager configuration in collector/alertmanager: the template rendered from environment variables
// the way the compose stack does it (render-config.sh), checked by `amtool check-config`, and its routing tree
// tested with `amtool config routes test` for each severity.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/app';
import { ALERTMANAGER_SETUP, missingTools, requirePrerequisites } from './collector-harness';

const run = promisify(execFile);
const AMTOOL = '/usr/bin/amtool';
const ALERTMANAGER_DIR = join(REPO_ROOT, 'collector', 'alertmanager');

/** Values like the ones in .env.example; the password has characters that would break a naive substitution. */
const ENV = {
  ALERTMANAGER_SMTP_SMARTHOST: 'smtp.example.com:587',
  ALERTMANAGER_SMTP_FROM: 'alerts@example.com',
  ALERTMANAGER_SMTP_USERNAME: 'alerts@example.com',
  ALERTMANAGER_SMTP_PASSWORD: 'p&ss/w\\rd',
  ALERTMANAGER_EMAIL_TO: 'oncall@example.com',
  ALERTMANAGER_SLACK_WEBHOOK_URL: 'https://hooks.slack.example/services/T000/B000/XXXX',
  ALERTMANAGER_SLACK_CHANNEL: '#alerts',
  ALERTMANAGER_WEBHOOK_URL: 'http://incident-bridge.example:8080/alertmanager',
};

async function amtool(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(AMTOOL, args);
    return stdout.trim();
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`amtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

const missing = missingTools({ [AMTOOL]: ALERTMANAGER_SETUP });

describe.runIf(missing.length === 0)('Alertmanager routing (amtool)', () => {
  let dir = '';
  let config = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otelkit-alertmanager-'));
    config = join(dir, 'alertmanager.yml');
    await run('sh', [join(ALERTMANAGER_DIR, 'render-config.sh'), join(ALERTMANAGER_DIR, 'alertmanager.yml.tmpl'), config], {
      env: { PATH: process.env.PATH ?? '', ...ENV },
    });
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the rendered configuration carries every secret verbatim and passes amtool check-config', async () => {
    const rendered = readFileSync(config, 'utf8');
    expect(rendered).not.toMatch(/\$\{/);
    for (const value of Object.values(ENV)) expect(rendered).toContain(value);
    expect(await amtool('check-config', config)).toContain('SUCCESS');
  });

  const cases: [string, string[], string][] = [
    [
      'critical alerts page by email, Slack and webhook',
      ['severity=critical', 'alertname=HighErrorRate', 'service_name=checkout'],
      'critical',
    ],
    [
      'warnings go to Slack and the webhook',
      ['severity=warning', 'alertname=HighLatencyP95', 'service_name=checkout'],
      'warning',
    ],
    ['other severities go to the webhook only', ['severity=info', 'alertname=Watchdog'], 'webhook'],
    ['alerts without a severity go to the webhook only', ['alertname=Unlabelled'], 'webhook'],
  ];
  for (const [name, labels, receiver] of cases) {
    it(`routes: ${name}`, async () => {
      const out = await amtool(
        'config',
        'routes',
        'test',
        `--config.file=${config}`,
        `--verify.receivers=${receiver}`,
        ...labels,
      );
      expect(out).toBe(receiver);
    });
  }

  it('the critical receiver has all three integrations; the warning one Slack and webhook', () => {
    const rendered = readFileSync(config, 'utf8');
    const receiver = (name: string) => rendered.slice(rendered.indexOf(`- name: ${name}`)).split(/\n  - name: /)[0]!;
    expect(receiver('critical')).toMatch(/email_configs[\s\S]*slack_configs[\s\S]*webhook_configs/);
    expect(receiver('warning')).not.toContain('email_configs');
    expect(receiver('warning')).toMatch(/slack_configs[\s\S]*webhook_configs/);
  });
});

requirePrerequisites('Alertmanager routing', missing);
