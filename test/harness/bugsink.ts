// Runs a real Bugsink (a self-hosted server speaking Sentry's envelope protocol) on loopback for the Sentry tests:
// SQLite in a temporary directory, one team and project, the project's DSN, and its REST API to read back what it stored.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './prometheus';

const run = promisify(execFile);

export const BUGSINK_BIN = join(
  process.env.OTELKIT_TOOLS_DIR ?? join(homedir(), '.cache', 'otelkit-tools'),
  'bugsink',
  'venv',
  'bin',
);
export const BUGSINK_SETUP = 'bash scripts/install-bugsink.sh';

export function missingBugsink(): string[] {
  return existsSync(join(BUGSINK_BIN, 'gunicorn')) ? [] : [`no Bugsink at ${BUGSINK_BIN}: run ${BUGSINK_SETUP}`];
}

// Bugsink's "local" configuration template (bugsink-create-conf --template=local) with the rest set here:
// - SNAPPEA TASK_ALWAYS_EAGER (the template's): an event is digested inside the ingest request, so once the sender
//   has its 200 the issue and event are readable: no background worker to start or wait for;
// - both SQLite databases in the temporary directory; no phone-home (no internet in tests).
const SETTINGS = (dir: string) => `
DATABASES["default"]["NAME"] = ${JSON.stringify(join(dir, 'db.sqlite3'))}
DATABASES["snappea"]["NAME"] = ${JSON.stringify(join(dir, 'snappea.sqlite3'))}
BUGSINK["PHONEHOME"] = False
`;

const DATABASES = ['db.sqlite3', 'snappea.sqlite3'];

// On migrated databases: a team, a project (its DSN) and an API token, in one Django start.
const SETUP = `
import json
from teams.models import Team
from projects.models import Project
from bsmain.models import AuthToken
project = Project.objects.create(team=Team.objects.create(name="otelkit"), name="app")
print("SETUP " + json.dumps({"dsn": project.dsn, "project": project.id, "token": AuthToken.create_full_access().token}))
`;

export interface BugsinkIssue {
  readonly id: string;
  readonly calculated_type: string;
  readonly calculated_value: string;
  readonly digested_event_count: number;
  readonly stored_event_count: number;
  readonly transaction: string;
}

export interface BugsinkEvent {
  readonly id: string;
  readonly event_id: string;
  readonly issue: string;
  /** The event as the SDK sent it (after Bugsink's normalisation). */
  readonly data: Record<string, any>;
}

export class Bugsink {
  /** The project's DSN, exactly as Bugsink shows it to users. */
  readonly dsn: string;
  readonly url: string;
  /** Milliseconds from spawning the server to its first ready answer (setup excluded). */
  readonly startMillis: number;

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly token: string,
    private readonly project: number,
    info: { dsn: string; url: string; startMillis: number },
  ) {
    this.dsn = info.dsn;
    this.url = info.url;
    this.startMillis = info.startMillis;
  }

  static async start(): Promise<Bugsink> {
    const dir = mkdtempSync(join(tmpdir(), 'otelkit-bugsink-'));
    try {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const env = { PATH: process.env.PATH ?? '', HOME: dir, DJANGO_SETTINGS_MODULE: 'bugsink_conf' };
      const conf = join(dir, 'bugsink_conf.py');
      await run(
        join(BUGSINK_BIN, 'bugsink-create-conf'),
        ['--template=local', '--host=127.0.0.1', `--port=${port}`, `--output-file=${conf}`],
        { env },
      );
      writeFileSync(conf, SETTINGS(dir), { flag: 'a' });
      await copyMigratedDatabases(dir, env);
      const { stdout } = await run(join(BUGSINK_BIN, 'bugsink-manage'), ['shell', '--no-imports', '-c', SETUP], {
        cwd: dir,
        env,
      });
      const line = stdout.split('\n').find((l) => l.startsWith('SETUP '));
      if (!line) throw new Error(`Bugsink setup printed no DSN:\n${stdout}`);
      const setup = JSON.parse(line.slice('SETUP '.length)) as { dsn: string; project: number; token: string };

      const spawned = Date.now();
      const child = spawn(
        join(BUGSINK_BIN, 'gunicorn'),
        ['--chdir', dir, '--bind', `127.0.0.1:${port}`, '--workers', '1', '--threads', '4', 'bugsink.wsgi'],
        { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let log = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-20_000)));
      const server = new Bugsink(child, dir, setup.token, setup.project, { dsn: setup.dsn, url, startMillis: 0 });
      try {
        await waitUntilReady(url, child, () => log);
      } catch (err) {
        await server.stop();
        throw err;
      }
      return Object.assign(server, { startMillis: Date.now() - spawned });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** The DSN with another public key: a project Bugsink does not know that key for. */
  dsnWithKey(key: string): string {
    const url = new URL(this.dsn);
    url.username = key;
    return url.href;
  }

  private async api<T>(path: string): Promise<T> {
    const res = await fetch(`${this.url}/api/canonical/0/${path}`, { headers: { authorization: `Bearer ${this.token}` } });
    if (!res.ok) throw new Error(`Bugsink API ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  async issues(): Promise<BugsinkIssue[]> {
    return (await this.api<{ results: BugsinkIssue[] }>(`issues/?project=${this.project}`)).results;
  }

  /** Every stored event of an issue, with its full data. */
  async events(issueId: string): Promise<BugsinkEvent[]> {
    const list = await this.api<{ results: { id: string }[] }>(`events/?issue=${issueId}`);
    return Promise.all(list.results.map((e) => this.api<BugsinkEvent>(`events/${e.id}/`)));
  }

  /** Every stored event of the project, with its full data. */
  async allEvents(): Promise<BugsinkEvent[]> {
    const issues = await this.issues();
    return (await Promise.all(issues.map((i) => this.events(i.id)))).flat();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Migrating both databases costs seconds of CPU: it is done once per Bugsink version into a template directory,
 * whose files each server then starts from.
 */
async function copyMigratedDatabases(dir: string, env: Record<string, string>): Promise<void> {
  const version = existsSync(join(BUGSINK_BIN, '..', '..', 'version'))
    ? readFileSync(join(BUGSINK_BIN, '..', '..', 'version'), 'utf8').trim()
    : 'unknown';
  const template = join(tmpdir(), `otelkit-bugsink-${version}-migrated`);
  if (!existsSync(join(template, 'done'))) {
    const { stdout } = await run(
      join(BUGSINK_BIN, 'bugsink-manage'),
      [
        'shell',
        '--no-imports',
        '-c',
        'from django.core.management import call_command; call_command("migrate", verbosity=0); call_command("migrate", database="snappea", verbosity=0)',
      ],
      { cwd: dir, env },
    );
    const fresh = mkdtempSync(`${template}-`);
    for (const db of DATABASES) copyFileSync(join(dir, db), join(fresh, db));
    writeFileSync(join(fresh, 'done'), stdout);
    try {
      renameSync(fresh, template);
    } catch {
      // Another test file made it first: theirs serves as well.
      rmSync(fresh, { recursive: true, force: true });
    }
    return;
  }
  for (const db of DATABASES) copyFileSync(join(template, db), join(dir, db));
}

async function waitUntilReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`Bugsink exited while starting:\n${log()}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`Bugsink not ready at ${url} after 30 s:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
