// Runs one conformance app under one side (otelkit or the pinned upstream register) against its own OTLP receiver,
// sends the app's requests, stops it the way each side needs and hands back everything that arrived.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { App, REPO_ROOT, fastExportEnv } from '../harness/app';
import { OtlpReceiver, type ReceivedLog, type ReceivedMetric, type ReceivedSpan } from '../harness/otlp-receiver';
import type { ConformanceApp, Side } from './apps';

const require = createRequire(import.meta.url);

export const APPS_DIR = join(REPO_ROOT, 'test', 'conformance', 'apps');

/** How each side is preloaded, as its own documentation says to (upstream: `--require` plus its ESM loader). */
function nodeOptions(side: Side, esm: boolean): string {
  if (side === 'otelkit') {
    return esm ? `--import ${join(REPO_ROOT, 'dist', 'register.mjs')}` : `--require ${join(REPO_ROOT, 'dist', 'register.js')}`;
  }
  const register = `--require ${require.resolve('@opentelemetry/auto-instrumentations-node/register')}`;
  if (!esm) return register;
  const hook = require.resolve('@opentelemetry/instrumentation/hook.mjs');
  return `--experimental-loader=${hook} ${register}`;
}

export interface Capture {
  side: Side;
  spans: ReceivedSpan[];
  metrics: ReceivedMetric[];
  logs: ReceivedLog[];
  stdout: string;
  stderr: string;
  /** What each request answered, in order: the two sides must answer alike before telemetry is compared. */
  responses: { label: string; status: number; body: string }[];
}

export const RESOURCE_DETECTORS = 'env,host,os,process,serviceinstance,container';

const QUIET_MILLIS = 600;
const FLUSH_CAP_MILLIS = 8_000;

/** Resolves once an export arrived after `since` and nothing more came for QUIET_MILLIS (or at the cap). */
function quiet(receiver: OtlpReceiver, since: number): Promise<void> {
  return new Promise((resolve) => {
    let exportsSince = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      clearTimeout(cap);
      stop();
      resolve();
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => (exportsSince > 0 ? finish() : arm()), QUIET_MILLIS);
    };
    const stop = receiver.onExport(() => {
      if (Date.now() >= since) exportsSince++;
      arm();
    });
    const cap = setTimeout(finish, FLUSH_CAP_MILLIS);
    arm();
  });
}

export async function runSide(app: ConformanceApp, side: Side, env: Record<string, string> = {}): Promise<Capture> {
  const receiver = new OtlpReceiver();
  await receiver.start();
  const esm = app.fixture.endsWith('.mjs');
  const proc = new App(join('..', 'conformance', 'apps', app.fixture), {
    preload: 'none',
    env: {
      ...fastExportEnv(receiver.url),
      OTEL_SERVICE_NAME: `conformance-${app.name}`,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      // otelkit's default list. Upstream's default adds the cloud detectors, whose probes of metadata addresses would
      // show up as client request metrics that depend on the machine's network (docs/conformance.md).
      OTEL_NODE_RESOURCE_DETECTORS: RESOURCE_DETECTORS,
      NODE_OPTIONS: nodeOptions(side, esm),
      ...app.env,
      ...env,
    },
  });
  try {
    const base = `http://127.0.0.1:${await proc.port()}`;
    const responses: Capture['responses'] = [];
    for (const request of app.requests) {
      const [method, path] = request.split(' ');
      const res = await fetch(base + path, { method });
      responses.push({ label: request, status: res.status, body: await res.text() });
    }
    // Let spans that end after the response (the server span ends on close) reach a batch before the signal.
    await new Promise((resolve) => setTimeout(resolve, 300));
    // otelkit exits once flushed; the upstream register flushes on SIGTERM but never exits, so it is killed after.
    if (side === 'otelkit') await proc.stop('SIGTERM', FLUSH_CAP_MILLIS);
    else {
      const flushed = quiet(receiver, Date.now());
      proc.child.kill('SIGTERM');
      await flushed;
    }
    return {
      side,
      spans: [...receiver.spans],
      metrics: [...receiver.metrics],
      logs: [...receiver.logs],
      stdout: proc.stdout,
      stderr: proc.stderr,
      responses,
    };
  } finally {
    await proc.stop('SIGKILL');
    await receiver.stop();
  }
}
