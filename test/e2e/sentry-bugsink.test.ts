// SENTRY_DSN end to end: errors of a real app become issues in a real Sentry-protocol server (Bugsink), linked to
// the trace the OTLP receiver got, with release, environment, user, organization and request id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { Bugsink, missingBugsink, type BugsinkEvent, type BugsinkIssue } from '../harness/bugsink';
import { useTestBed } from '../harness/test-bed';
import { FIXTURES, REPO_ROOT } from '../harness/app';
import { eventually, requirePrerequisites } from './collector-harness';

const missing = missingBugsink();
requirePrerequisites('Sentry against Bugsink', missing);

const run = promisify(execFile);

/** Runs `otelkit` as `npx otelkit` does (the package's bin), with only these variables set. */
async function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(REPO_ROOT, 'dist', 'cli.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(missing.length > 0)('Sentry error events, stored by Bugsink', () => {
  let bugsink: Bugsink;
  const bed = useTestBed();

  beforeAll(async () => {
    bugsink = await Bugsink.start();
    process.stderr.write(`Bugsink ready ${bugsink.startMillis} ms after spawning\n`);
  }, 60_000);
  afterAll(async () => {
    await bugsink?.stop();
  });

  const sentryEnv = (extra: Record<string, string> = {}) => ({
    SENTRY_DSN: bugsink.dsn,
    OTEL_RESOURCE_ATTRIBUTES: 'service.version=3.1.4,deployment.environment.name=staging',
    ...extra,
  });

  /** The issue whose value matches, once it holds `events` events; with those events' full data. */
  async function issueWith(value: RegExp, events = 1): Promise<{ issue: BugsinkIssue; events: BugsinkEvent[] }> {
    return eventually(
      async () => {
        const issue = (await bugsink.issues()).find((i) => value.test(i.calculated_value));
        if (!issue || issue.digested_event_count < events) return undefined;
        return { issue, events: await bugsink.events(issue.id) };
      },
      15_000,
      `a Bugsink issue matching ${value} with ${events} event(s)`,
    );
  }

  it('a throwing handler: one issue for its repeats, in-app frames, the OTel trace, release, environment, user, request id, redacted URL', async () => {
    const app = bed.launch('sentry-app.cjs', { env: sentryEnv({ SENTRY_RELEASE: 'billing@2026.12.1' }) });
    const requestIds: string[] = [];
    for (const id of ['A-1', 'A-2', 'A-3']) {
      const res = await fetch(await app.url(`/orders/${id}/charge?token=s3cret&page=2`), {
        headers: { 'x-request-id': `req-${id}` },
      });
      expect(res.status).toBe(500);
      requestIds.push(res.headers.get('x-request-id')!);
    }
    // Three messages differ only in the order id: Bugsink groups by type and stack (as Sentry does), not by message.
    const { issue, events } = await issueWith(/card declined/, 3);
    expect(issue.calculated_type).toBe('Error');
    expect(issue.digested_event_count).toBe(3);
    expect((await bugsink.issues()).filter((i) => /card declined/.test(i.calculated_value))).toHaveLength(1);

    await bed.receiver.waitFor(() => bed.receiver.spans.filter((s) => s.kind === 2 && s.attributes.request_id).length >= 3);
    for (const event of events) {
      const data = event.data;
      const requestId = data.tags.request_id;
      expect(requestIds).toContain(requestId);
      const server = bed.receiver.spans.find((s) => s.kind === 2 && s.attributes.request_id === requestId)!;
      expect(data.contexts.trace.trace_id).toBe(server.traceId);
      expect(data.contexts.trace.span_id).toBe(server.spanId);
      expect(data.release).toBe('billing@2026.12.1');
      expect(data.environment).toBe('staging');
      expect(data.user).toMatchObject({ id: '42', username: 'ada' });
      expect(data.request.method).toBe('GET');
      expect(data.request.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/orders\/A-\d\/charge\?token=\[REDACTED\]&page=2$/);
      expect(data.transaction).toBe('GET /orders/:id/charge');
      const frames = data.exception.values[0].stacktrace.frames as { filename: string; function: string; in_app: boolean }[];
      const own = frames.find((f) => f.function === 'chargeCard')!;
      expect(own.filename).toBe(join(FIXTURES, 'sentry-app.cjs'));
      expect(own.in_app).toBe(true);
      expect(frames.some((f) => f.filename.includes('/node_modules/') && f.in_app === false)).toBe(true);
    }
  }, 60_000);

  it("errors logged through otelkit's logger, in each form, with user and organization", async () => {
    const app = bed.launch('sentry-app.cjs', { env: sentryEnv() });
    const forms = ['message-and-error', 'error-only', 'err-field', 'error-field', 'critical'];
    for (const form of forms) expect((await fetch(await app.url(`/logged/${form}`))).status).toBe(200);
    for (const form of forms) {
      const { issue, events } = await issueWith(new RegExp(`logged with ${form}$`));
      expect(issue.calculated_type).toBe('TypeError');
      const data = events[0]!.data;
      expect(data.level).toBe(form === 'critical' ? 'fatal' : 'error');
      expect(data.release).toBe('3.1.4');
      expect(data.user).toMatchObject({ id: '7', username: 'grace' });
      expect(data.tags).toMatchObject({ organization_id: 'org-3', request_id: expect.any(String), logger: 'billing' });
      if (form !== 'error-only') expect(data.contexts.log.message).toBe(form === 'critical' ? 'ledger corrupt' : 'refund failed');
      expect(data.contexts.trace.trace_id).toMatch(/^[0-9a-f]{32}$/);
    }
  }, 60_000);

  it('an uncaught exception and an unhandled rejection are stored before the process ends', async () => {
    for (const how of ['throw', 'reject']) {
      const app = bed.launch('sentry-app.cjs', { env: sentryEnv() });
      await fetch(await app.url(`/crash?how=${how}`));
      const exit = await app.exited;
      expect(exit.code).toBe(1);
      // Read right after the exit: the event was sent while the process still ran.
      const issues = await bugsink.issues();
      const issue = issues.find((i) => i.calculated_value === (how === 'throw' ? 'thrown on purpose' : 'rejected on purpose'));
      expect(issue, `${how}: issues stored: ${issues.map((i) => i.calculated_value).join(', ')}`).toBeDefined();
      const [event] = await bugsink.events(issue!.id);
      expect(event!.data.level).toBe('fatal');
      expect(event!.data.exception.values[0].mechanism).toMatchObject({ handled: false });
    }
  }, 60_000);

  it('SENTRY_SAMPLE_RATE=0: a crash is not sent; with 1, the same crash is', async () => {
    const crashes = async () =>
      (await bugsink.issues()).find((i) => i.calculated_value === 'thrown on purpose')?.digested_event_count ?? 0;
    const crash = async (rate: string) => {
      const app = bed.launch('sentry-app.cjs', { env: sentryEnv({ SENTRY_SAMPLE_RATE: rate }) });
      await fetch(await app.url('/crash?how=throw'));
      expect((await app.exited).code).toBe(1);
    };
    const before = await crashes();
    await crash('0');
    expect(await crashes()).toBe(before);
    await crash('1');
    expect(await crashes()).toBe(before + 1);
  }, 30_000);

  it('otelkit sentry-test: accepted (and stored), a wrong key refused with the reason, an unreachable host named', async () => {
    const accepted = await runCli(['sentry-test'], { SENTRY_DSN: bugsink.dsn, SENTRY_RELEASE: 'check@1' });
    expect(accepted.code).toBe(0);
    const eventId = /accepted the test event ([0-9a-f]{32}) \(HTTP 200\)/.exec(accepted.stdout)?.[1];
    expect(eventId, accepted.stdout + accepted.stderr).toBeDefined();
    const stored = (await bugsink.allEvents()).find((e) => e.event_id.replace(/-/g, '') === eventId);
    expect(stored?.data.release).toBe('check@1');

    const wrongKey = 'f00dfeedf00dfeedf00dfeedf00dfeed';
    const refused = await runCli(['sentry-test'], { SENTRY_DSN: bugsink.dsnWithKey(wrongKey) });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused the test event .*HTTP 403: Project not found or key incorrect.*key is not valid/);
    expect(refused.stderr).not.toContain(wrongKey);

    const port = await closedPort();
    const unreachable = await runCli(['sentry-test'], { SENTRY_DSN: `http://${wrongKey}@127.0.0.1:${port}/1` });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`could not be reached at http://127.0.0.1:${port} (ECONNREFUSED)`);
  }, 60_000);

  it.each(['refuses connections', 'accepts and never answers'])(
    'with Sentry that %s, a crash still exits within the shutdown bound',
    async (how) => {
      let port: number;
      const held: Socket[] = [];
      const silent = createServer((socket) => held.push(socket));
      if (how === 'refuses connections') port = await closedPort();
      else {
        await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
        port = (silent.address() as { port: number }).port;
      }
      try {
        const app = bed.launch('sentry-app.cjs', {
          env: { SENTRY_DSN: `http://0123456789abcdef@127.0.0.1:${port}/1`, OTELKIT_SHUTDOWN_TIMEOUT: '2000' },
        });
        const url = await app.url('/crash');
        const started = Date.now();
        await fetch(url);
        const exit = await app.exited;
        expect(exit.code).toBe(1);
        expect(Date.now() - started).toBeLessThan(2000 + 1000);
        if (how !== 'refuses connections') expect(held.length).toBeGreaterThan(0);
      } finally {
        for (const socket of held) socket.destroy();
        if (silent.listening) await new Promise((resolve) => silent.close(resolve));
      }
    },
    30_000,
  );
});

describe('without a usable SENTRY_DSN', () => {
  const bed = useTestBed();
  const probe = join(FIXTURES, 'print-loaded-sentry.cjs');

  it('SENTRY_DSN unset: no Sentry module is loaded, errors and all', async () => {
    const app = bed.launch('sentry-app.cjs', { env: { NODE_OPTIONS: `--require ${probe}` } });
    expect((await fetch(await app.url('/logged/error-only'))).status).toBe(200);
    expect((await fetch(await app.url('/orders/A-1/charge'))).status).toBe(500);
    app.child.kill('SIGUSR2');
    await app.waitForOutput(/\{"sentryModules":\[\]\}/);
  });

  it('SENTRY_DSN valid: the Sentry client loads at the first error, not at start (the check above can fail)', async () => {
    const port = await closedPort();
    const app = bed.launch('sentry-app.cjs', {
      env: { SENTRY_DSN: `http://0123456789abcdef@127.0.0.1:${port}/1`, NODE_OPTIONS: `--require ${probe}` },
    });
    await app.port();
    // The start-up line names the DSN, its key masked.
    await app.waitForOutput(new RegExp(`started for service .* sentry=http://\\*\\*\\*@127\\.0\\.0\\.1:${port}/1`), 'stderr');
    expect(app.stderr).not.toContain('0123456789abcdef');
    app.child.kill('SIGUSR2');
    await app.waitForOutput(/\{"sentryModules":\[\]\}/);
    expect((await fetch(await app.url('/logged/error-only'))).status).toBe(200);
    app.child.kill('SIGUSR2');
    await app.waitForOutput(/\{"sentryModules":\[".*[\\/]dist[\\/]sentry\.js"\]\}/);
  });

  it('a malformed DSN: one warning naming SENTRY_DSN with the key masked; the app serves without Sentry', async () => {
    const app = bed.launch('sentry-app.cjs', {
      env: { SENTRY_DSN: 'https://0123456789abcdef@sentry.example/not-a-project', NODE_OPTIONS: `--require ${probe}` },
    });
    const res = await fetch(await app.url('/logged/error-only'));
    expect(res.status).toBe(200);
    const warnings = app.stderrLines(/SENTRY_DSN/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('https://***@sentry.example/not-a-project');
    expect(app.stderr).not.toContain('0123456789abcdef');
    app.child.kill('SIGUSR2');
    await app.waitForOutput(/\{"sentryModules":\[\]\}/);
  }, 30_000);
});
