// Collector faults while the app serves steady traffic: refused connections, going away mid-run, 503, 429 with
// Retry-After, answers that take 10 s. The app answers every request, its p99 stays within 100 ms of the
// healthy run's, memory stays bounded, diagnostics stay rate-limited, and export resumes once the fault clears.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useTestBed } from '../harness/test-bed';
import type { App } from '../harness/app';
import type { OtlpReceiver } from '../harness/otlp-receiver';

const bed = useTestBed();
const P99_BOUND_MS = 100;
const RSS_BOUND_MB = 250;

interface Traffic {
  latencies: number[];
  statuses: number[];
  /** Index of the first request sent 0.5 s after the fault cleared (batches in flight at the switch may fail). */
  settledAt: number;
}

/** ~40 requests a second for 4 s; the fault starts at 0.5 s and clears at 2.5 s. */
async function steadyTraffic(
  app: App,
  fault?: { start(): Promise<void> | void; clear(): Promise<void> | void },
): Promise<Traffic> {
  const base = await app.url('');
  const traffic: Traffic = { latencies: [], statuses: [], settledAt: -1 };
  const began = Date.now();
  let phase = 0;
  for (let i = 0; Date.now() - began < 4000; i++) {
    const elapsed = Date.now() - began;
    if (fault && phase === 0 && elapsed >= 500) {
      phase = 1;
      await fault.start();
    }
    if (fault && phase === 1 && elapsed >= 2500) {
      phase = 2;
      await fault.clear();
    }
    if (traffic.settledAt < 0 && elapsed >= 3000) traffic.settledAt = i;
    const sent = performance.now();
    const res = await fetch(`${base}/hello/${i}`);
    await res.text();
    traffic.latencies.push(performance.now() - sent);
    traffic.statuses.push(res.status);
    await new Promise((r) => setTimeout(r, 25));
  }
  return traffic;
}

const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)]!;
const rssMb = (app: App) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${app.child.pid}/status`, 'utf8'))![1]) / 1024;

async function restartOnSamePort(receiver: OtlpReceiver): Promise<void> {
  const { port } = new URL(receiver.url);
  await receiver.start(Number(port));
}

const FAULTS: Record<string, (r: OtlpReceiver) => { start(): Promise<void> | void; clear(): Promise<void> | void }> = {
  'goes away mid-run and comes back': (r) => ({ start: () => r.stop(), clear: () => restartOnSamePort(r) }),
  'answers 503': (r) => ({ start: () => void (r.respondWith = 503), clear: () => void (r.respondWith = 200) }),
  'answers 429 with Retry-After: 1': (r) => ({
    start: () => {
      r.respondWith = 429;
      r.retryAfterSeconds = 1;
    },
    clear: () => void (r.respondWith = 200),
  }),
  'answers only after 10 s': (r) => ({
    start: () => {
      r.respondWith = 503;
      r.holdMillis = 10_000;
    },
    clear: () => {
      r.respondWith = 200;
      r.holdMillis = 0;
    },
  }),
};

// Exports time out after 1 s and retry quickly, so a 4 s run sees several failed attempts per signal.
const ENV = { OTEL_EXPORTER_OTLP_TIMEOUT: '1000', OTEL_METRIC_EXPORT_INTERVAL: '300' };

describe('collector faults under steady traffic', () => {
  let healthyP99: number | undefined;

  async function healthyBaseline(): Promise<number> {
    if (healthyP99 === undefined) {
      const app = bed.launch('express-app.cjs', { env: ENV });
      healthyP99 = p99((await steadyTraffic(app)).latencies);
      await app.stop('SIGKILL');
    }
    return healthyP99;
  }

  it.each(Object.keys(FAULTS))('collector %s: every request answered, p99 bounded, export resumes', async (name) => {
    const baseline = await healthyBaseline();
    const app = bed.launch('express-app.cjs', { env: ENV });
    const traffic = await steadyTraffic(app, FAULTS[name]!(bed.receiver));
    expect(new Set(traffic.statuses)).toEqual(new Set([200]));
    expect(p99(traffic.latencies)).toBeLessThan(baseline + P99_BOUND_MS);
    expect(rssMb(app)).toBeLessThan(RSS_BOUND_MB);
    // Export resumes: every request sent once the fault had cleared reaches the receiver.
    const after = new Set(
      Array.from({ length: traffic.statuses.length - traffic.settledAt }, (_, k) => `/hello/${traffic.settledAt + k}`),
    );
    const arrived = () => new Set(bed.receiver.spans.filter((s) => s.kind === 2).map((s) => String(s.attributes['url.path'])));
    await bed.receiver
      .waitFor(() => [...after].every((p) => arrived().has(p)), 15_000, `spans of the ${after.size} requests after recovery`)
      .catch((err: Error) => {
        throw new Error(`${err.message}; missing: ${[...after].filter((p) => !arrived().has(p)).join(' ')}`);
      });
    expect(app.child.exitCode).toBeNull();
    expect(app.stderrLines(/^otelkit error:/).length).toBeLessThanOrEqual(10);
    expect(app.stderr).not.toMatch(/Unhandled|UnhandledPromiseRejection|TypeError/);
  });
});
