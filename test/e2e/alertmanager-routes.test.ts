// The Alertmanager configuration in collector/alertmanager: the template rendered from environment variables
// the way the compose stack does it (render-config.sh), checked by `amtool check-config`, its routing tree tested
// with `amtool config routes test` for each severity, and the escalation and inhibition run by a real Alertmanager
// (delays shortened) that notifies a local webhook. Alertmanager and amtool come from scripts/install-alertmanager.sh:
// Debian's 0.25 does not know the Teams receivers.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/app';
import { eventually, freePort, missingTools, requirePrerequisites } from './collector-harness';

const run = promisify(execFile);
const TOOLS = join(process.env.OTELKIT_TOOLS_DIR ?? join(homedir(), '.cache', 'otelkit-tools'), 'alertmanager-0.31.1');
const AMTOOL = join(TOOLS, 'amtool');
const ALERTMANAGER = join(TOOLS, 'alertmanager');
const ALERTMANAGER_SETUP = 'bash scripts/install-alertmanager.sh (needs Go)';
const ALERTMANAGER_DIR = join(REPO_ROOT, 'collector', 'alertmanager');

/** Values like the ones in .env.example; the password has characters that would break a naive substitution. */
const ENV = {
  ALERTMANAGER_SMTP_SMARTHOST: 'smtp.example.com:587',
  ALERTMANAGER_SMTP_FROM: 'alerts@example.com',
  ALERTMANAGER_SMTP_USERNAME: 'alerts@example.com',
  ALERTMANAGER_SMTP_PASSWORD: 'p&ss/w\\rd',
  ALERTMANAGER_EMAIL_TO: 'team-leads@example.com',
  ALERTMANAGER_MANAGERS_EMAIL_TO: 'managers@example.com',
  ALERTMANAGER_ESCALATION_EMAIL_TO: 'heads-of@example.com',
  ALERTMANAGER_SLACK_WEBHOOK_URL: 'https://hooks.slack.example/services/T000/B000/XXXX',
  ALERTMANAGER_SLACK_CHANNEL: '#alerts',
  ALERTMANAGER_TEAMS_WEBHOOK_URL: 'https://prod-01.westeurope.logic.example/workflows/leads/triggers/manual/run?sig=a%26b',
  ALERTMANAGER_MANAGERS_TEAMS_WEBHOOK_URL: 'https://prod-01.westeurope.logic.example/workflows/managers/triggers/manual/run',
  ALERTMANAGER_WEBHOOK_URL: 'http://incident-bridge.example:8080/alertmanager',
};

async function render(env: Record<string, string>, out: string): Promise<void> {
  await run('sh', [join(ALERTMANAGER_DIR, 'render-config.sh'), join(ALERTMANAGER_DIR, 'alertmanager.yml.tmpl'), out], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
}

async function amtool(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(AMTOOL, args);
    return stdout.trim();
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`amtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

const missing = missingTools({ [AMTOOL]: ALERTMANAGER_SETUP, [ALERTMANAGER]: ALERTMANAGER_SETUP });

describe.runIf(missing.length === 0)('Alertmanager routing (amtool)', () => {
  let dir = '';
  let config = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otelkit-alertmanager-'));
    config = join(dir, 'alertmanager.yml');
    await render(ENV, config);
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
      'critical alerts page the team leads, and go to both escalation levels (each after its delay)',
      ['severity=critical', 'alertname=HighErrorRate', 'service_name=checkout'],
      'critical,escalation-managers,escalation-next-level',
    ],
    [
      'critical host alerts escalate the same way',
      ['severity=critical', 'alertname=HostDiskAlmostFull', 'component=host', 'instance=db-1'],
      'critical,escalation-managers,escalation-next-level',
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

  it('the team leads get email, Slack, Teams and webhook; managers email, Teams and webhook; warnings no email', () => {
    const rendered = readFileSync(config, 'utf8');
    const receiver = (name: string) => rendered.slice(rendered.indexOf(`- name: ${name}`)).split(/\n  - name: /)[0]!;
    expect(receiver('critical')).toMatch(/email_configs[\s\S]*slack_configs[\s\S]*msteamsv2_configs[\s\S]*webhook_configs/);
    expect(receiver('critical')).toContain(ENV.ALERTMANAGER_EMAIL_TO);
    expect(receiver('escalation-managers')).toMatch(/email_configs[\s\S]*msteamsv2_configs[\s\S]*webhook_configs/);
    expect(receiver('escalation-managers')).toContain(ENV.ALERTMANAGER_MANAGERS_EMAIL_TO);
    expect(receiver('escalation-next-level')).toContain(ENV.ALERTMANAGER_ESCALATION_EMAIL_TO);
    expect(receiver('warning')).not.toContain('email_configs');
    expect(receiver('warning')).toMatch(/slack_configs[\s\S]*msteamsv2_configs[\s\S]*webhook_configs/);
  });
});

interface Notification {
  path: string;
  at: number;
  body: { receiver?: string; status?: string; alerts?: { labels: Record<string, string> }[] };
}

/** The shipped delays shortened, so that the escalation runs in seconds: 15 min → 4 s, 30 min → 8 s. */
const MANAGERS_DELAY_MILLIS = 4_000;
const NEXT_LEVEL_DELAY_MILLIS = 8_000;
function shortened(config: string): string {
  const replaced = config
    .replace(/group_wait: 30s/, 'group_wait: 500ms')
    .replaceAll(/group_(wait|interval): 15m/g, 'group_$1: 4s')
    .replaceAll(/group_(wait|interval): 30m/g, 'group_$1: 8s');
  expect(replaced.match(/: [48]s\n/g)).toHaveLength(4);
  return replaced;
}

describe.runIf(missing.length === 0)('escalation and inhibition in a running Alertmanager', () => {
  const notifications: Notification[] = [];
  let receiver: Server;
  let alertmanager: ChildProcess;
  let output = '';
  let dir = '';
  let url = '';
  let posted = 0;

  const alert = (labels: Record<string, string>, endsInMillis?: number) => ({
    labels,
    annotations: { summary: `${labels.alertname} ${labels.service_name ?? labels.instance}`, description: 'check it' },
    startsAt: new Date().toISOString(),
    ...(endsInMillis ? { endsAt: new Date(Date.now() + endsInMillis).toISOString() } : {}),
  });
  const webhooksFor = (service: string) =>
    notifications.filter((n) => n.path === '/webhook' && n.body.alerts?.some((a) => a.labels.service_name === service));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otelkit-alertmanager-run-'));
    receiver = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => (body += d));
      req.on('end', () => {
        let parsed: Notification['body'] = {};
        try {
          parsed = JSON.parse(body) as Notification['body'];
        } catch {
          // Slack and Teams bodies are JSON too; anything else is kept as an empty record of the call.
        }
        notifications.push({ path: req.url ?? '', at: Date.now(), body: parsed });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const local = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
    const closedPort = await freePort(); // nothing listens: the mails fail, the other integrations still send
    const config = join(dir, 'alertmanager.yml');
    await render(
      {
        ...ENV,
        ALERTMANAGER_SMTP_SMARTHOST: `127.0.0.1:${closedPort}`,
        ALERTMANAGER_SLACK_WEBHOOK_URL: `${local}/slack`,
        ALERTMANAGER_TEAMS_WEBHOOK_URL: `${local}/teams-leads`,
        ALERTMANAGER_MANAGERS_TEAMS_WEBHOOK_URL: `${local}/teams-managers`,
        ALERTMANAGER_WEBHOOK_URL: `${local}/webhook`,
      },
      config,
    );
    writeFileSync(config, shortened(readFileSync(config, 'utf8')));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    alertmanager = spawn(
      ALERTMANAGER,
      [
        `--config.file=${config}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    for (const stream of [alertmanager.stdout!, alertmanager.stderr!]) {
      stream.setEncoding('utf8').on('data', (d: string) => (output += d));
    }
    await eventually(
      async () => ((await fetch(`${url}/-/ready`).catch(() => undefined))?.ok ? true : undefined),
      15_000,
      `Alertmanager ready\n${output}`,
    );

    posted = Date.now();
    const res = await fetch(`${url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        // Not acknowledged: escalates to both levels.
        alert({ alertname: 'HighErrorRate', severity: 'critical', service_name: 'checkout' }),
        // Acknowledged (silenced) once the team leads were paged: no escalation.
        alert({ alertname: 'HighErrorRate', severity: 'critical', service_name: 'billing' }),
        // Resolved within the first delay: no escalation.
        alert({ alertname: 'HighErrorRate', severity: 'critical', service_name: 'search' }, 2_000),
        // Inhibition: the critical checkout alert mutes checkout's warning, not catalog's.
        alert({ alertname: 'HighLatencyP95', severity: 'warning', service_name: 'checkout' }),
        alert({ alertname: 'HighLatencyP95', severity: 'warning', service_name: 'catalog' }),
        // A host's critical alert mutes that host's warnings only.
        alert({ alertname: 'HostDiskAlmostFull', severity: 'critical', component: 'host', instance: 'db-1' }),
        alert({ alertname: 'HostCpuHigh', severity: 'warning', component: 'host', instance: 'db-1' }),
        alert({ alertname: 'HostCpuHigh', severity: 'warning', component: 'host', instance: 'web-1' }),
      ]),
    });
    expect(res.status).toBe(200);

    // billing: a team lead acknowledges (silences) it as soon as it was paged, within the first delay.
    await eventually(
      async () => (webhooksFor('billing').some((n) => n.body.receiver === 'critical') ? true : undefined),
      5_000,
      'the team leads paged for billing',
    );
    const silenced = await fetch(`${url}/api/v2/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: [{ name: 'service_name', value: 'billing', isRegex: false, isEqual: true }],
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        createdBy: 'team-lead',
        comment: 'acknowledged: looking into it',
      }),
    });
    expect(silenced.status).toBe(200);
    expect(Date.now() - posted).toBeLessThan(MANAGERS_DELAY_MILLIS);
  }, 30_000);

  afterAll(async () => {
    if (alertmanager && alertmanager.exitCode === null) {
      const exited = new Promise((r) => alertmanager.once('exit', r));
      alertmanager.kill('SIGTERM');
      await exited;
    }
    await new Promise((r) => receiver?.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a critical alert pages the team leads at once, the managers after the first delay, the next level after the second', async () => {
    const checkout = await eventually(
      async () => {
        const received = webhooksFor('checkout');
        return received.some((n) => n.body.receiver === 'escalation-next-level') ? received : undefined;
      },
      20_000,
      `all three levels for checkout\n${output.slice(-2000)}`,
    );
    const first = (name: string) => checkout.find((n) => n.body.receiver === name)!.at - posted;
    expect(first('critical')).toBeLessThan(MANAGERS_DELAY_MILLIS);
    expect(first('escalation-managers')).toBeGreaterThanOrEqual(MANAGERS_DELAY_MILLIS - 500);
    expect(first('escalation-managers')).toBeLessThan(NEXT_LEVEL_DELAY_MILLIS);
    expect(first('escalation-next-level')).toBeGreaterThanOrEqual(NEXT_LEVEL_DELAY_MILLIS - 500);
    // The team leads' Slack and Teams channels, and the managers' Teams channel, were called too.
    const paths = new Set(notifications.map((n) => n.path));
    for (const path of ['/slack', '/teams-leads', '/teams-managers']) expect(paths).toContain(path);
  }, 30_000);

  it('an alert acknowledged with a silence before the first delay is not escalated', async () => {
    // Past both delays (the checkout escalation above proves they elapsed in this Alertmanager).
    await new Promise((r) => setTimeout(r, Math.max(0, posted + NEXT_LEVEL_DELAY_MILLIS + 2_000 - Date.now())));
    expect(webhooksFor('billing').map((n) => n.body.receiver)).toEqual(['critical']);
  }, 30_000);

  it('an alert that resolves before the first delay reaches the team leads only', async () => {
    await new Promise((r) => setTimeout(r, Math.max(0, posted + NEXT_LEVEL_DELAY_MILLIS + 2_000 - Date.now())));
    const receivers = new Set(webhooksFor('search').map((n) => n.body.receiver));
    expect([...receivers]).toEqual(['critical']);
  }, 30_000);

  it("a critical alert mutes the warnings of its own service or host, not others'", async () => {
    const res = await fetch(`${url}/api/v2/alerts`);
    const alerts = (await res.json()) as { labels: Record<string, string>; status: { inhibitedBy: string[] } }[];
    const inhibited = (alertname: string, key: string, value: string) =>
      alerts.find((a) => a.labels.alertname === alertname && a.labels[key] === value)!.status.inhibitedBy.length > 0;
    expect(inhibited('HighLatencyP95', 'service_name', 'checkout')).toBe(true);
    expect(inhibited('HighLatencyP95', 'service_name', 'catalog')).toBe(false);
    expect(inhibited('HostCpuHigh', 'instance', 'db-1')).toBe(true);
    expect(inhibited('HostCpuHigh', 'instance', 'web-1')).toBe(false);
  });
});

requirePrerequisites('Alertmanager routing', missing);
