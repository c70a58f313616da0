// SIGTERM/SIGINT and natural exit: telemetry is flushed, then the process ends exactly as it would without otelkit.
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { useTestBed } from '../harness/test-bed';
import { type App, get, type Preload } from '../harness/app';

const bed = useTestBed();

const launch = (fixture: string, preload: Preload, env: Record<string, string> = {}): App =>
  bed.launch(fixture, { preload, env });

/** Steady traffic from a few concurrent clients until stopped; returns the ids of completed requests. */
function drive(baseUrl: string, clients = 4): { stop: () => Promise<string[]> } {
  let running = true;
  let next = 0;
  const completed: string[] = [];
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      const id = `r${next++}`;
      try {
        const res = await fetch(`${baseUrl}/hello/${id}`);
        await res.text();
        if (res.status === 200) completed.push(id);
      } catch {
        return; // the server went away
      }
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return completed;
    },
  };
}

describe.each(['SIGTERM', 'SIGINT'] as const)('%s', (signal) => {
  it('under traffic: every completed request has its span at the bed.receiver, and the exit is what Node alone gives', async () => {
    const bare = launch('express-app.cjs', 'none');
    await bare.port();
    const bareExit = await bare.stop(signal);
    expect(bareExit).toEqual({ code: null, signal });

    const app = launch('express-app.cjs', 'require');
    const traffic = drive(await app.url(''));
    await new Promise((r) => setTimeout(r, 1000));
    app.child.kill(signal);
    const completed = await traffic.stop();
    const exit = await app.exited;
    expect(exit).toEqual(bareExit);
    expect(completed.length).toBeGreaterThan(20);
    const served = new Set(bed.receiver.spans.filter((s) => s.kind === 2).map((s) => String(s.attributes['url.path'])));
    const missing = completed.filter((id) => !served.has(`/hello/${id}`));
    expect(missing).toEqual([]);
    // And the log record each of them wrote.
    const logged = new Set(bed.receiver.logs.filter((l) => l.body === 'said hello').map((l) => String(l.attributes.object_id)));
    expect(completed.filter((id) => !logged.has(id))).toEqual([]);
  });

  it('leaves the exit to an app that handles the signal itself', async () => {
    const app = launch('own-signal-handler.cjs', 'require');
    expect((await get(await app.url('/x'))).status).toBe(200);
    const exit = await app.stop(signal);
    expect(exit).toEqual({ code: 3, signal: null });
    expect(app.stdout).toContain(`app handler ${signal}`);
  });
});

describe('bounded shutdown', () => {
  let blackhole: Server;
  afterEach(async () => {
    blackhole.closeAllConnections();
    await new Promise((r) => blackhole.close(r));
  });

  it('exits within OTELKIT_SHUTDOWN_TIMEOUT + 1 s when the collector accepts but never answers', async () => {
    blackhole = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const { port } = blackhole.address() as { port: number };
    const app = launch('express-app.cjs', 'require', {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTELKIT_SHUTDOWN_TIMEOUT: '1000',
    });
    for (let i = 0; i < 5; i++) expect((await get(await app.url(`/hello/${i}`))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300)); // let an export start and hang
    const began = Date.now();
    const exit = await app.stop('SIGTERM');
    const took = Date.now() - began;
    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(took).toBeLessThan(2000);
  });
});

describe('natural end of the program', () => {
  it('with the collector down, a finished job still exits within OTELKIT_SHUTDOWN_TIMEOUT, with its own exit code', async () => {
    const dead = bed.receiver.url;
    await bed.receiver.stop();
    const began = Date.now();
    const app = launch('short-job.cjs', 'require', { OTEL_EXPORTER_OTLP_ENDPOINT: dead, OTELKIT_SHUTDOWN_TIMEOUT: '1000' });
    const exit = await app.exited;
    expect(exit).toEqual({ code: 3, signal: null });
    // Node start-up plus the 1 s bound: without the bound, export retries kept such a process alive for ~15 s.
    expect(Date.now() - began).toBeLessThan(4000);
    expect(app.stderrLines(/not fully exported within 1000 ms/)).toHaveLength(1);
  });

  it('beforeExit flushes a short script and keeps exit code 0', async () => {
    const app = launch('child-work.cjs', 'require');
    const exit = await app.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(bed.receiver.spans.map((s) => s.name)).toContain('child-work');
  });
});
