// Runs the built otelkit collector and a real Prometheus for the end-to-end tests: free loopback ports, a
// temporary storage directory, health and readiness waits, and the setup commands to name when one is missing.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { REPO_ROOT, type Exit } from '../harness/app';
import { freePort } from '../harness/prometheus';
import { collectorElasticsearchEnv, type ElasticsearchServer } from '../harness/elasticsearch';
import { ElasticsearchFaultInjector } from '../harness/elasticsearch-fault-injector';
import { SentryStandin } from '../harness/sentry-standin';

export const COLLECTOR_BINARY = join(REPO_ROOT, 'collector', '_build', 'otelkit-collector');
export const COLLECTOR_CONFIG = join(REPO_ROOT, 'collector', 'config.yaml');
export const FILELOG_OVERLAY = join(REPO_ROOT, 'collector', 'config.filelog.yaml');
/** Debian's by default; PROMETHEUS_BIN runs the same tests against another build (scripts/install-prometheus.sh). */
export const PROMETHEUS_BINARY = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
/** The scale-out agent: a separate distribution (collector/scale-out/agent-builder-config.yaml). */
export const AGENT_BINARY = join(REPO_ROOT, 'collector', '_build', 'agent', 'otelkit-agent');
export const SCALE_OUT_DIR = join(REPO_ROOT, 'collector', 'scale-out');

export const COLLECTOR_SETUP = 'npm run collector:build (bash scripts/build-collector.sh; needs Go)';
export const PROMETHEUS_SETUP = 'apt-get update && apt-get install -y prometheus';
export const AGENT_SETUP = 'bash scripts/build-collector-agent.sh (needs Go)';
export const ALERTMANAGER_SETUP = 'apt-get update && apt-get install -y prometheus-alertmanager';

/** What is missing to run the end-to-end tests, each with the command that provides it. */
export function missingPrerequisites(needPrometheus = true, needAgent = false): string[] {
  const missing: string[] = [];
  if (!existsSync(COLLECTOR_BINARY)) missing.push(`no collector binary at ${COLLECTOR_BINARY}: run ${COLLECTOR_SETUP}`);
  if (needAgent && !existsSync(AGENT_BINARY)) missing.push(`no agent binary at ${AGENT_BINARY}: run ${AGENT_SETUP}`);
  if (needPrometheus && !existsSync(PROMETHEUS_BINARY)) missing.push(`no ${PROMETHEUS_BINARY}: run ${PROMETHEUS_SETUP}`);
  return missing;
}

/** Which of these executables (absolute paths) are missing, each with the command that provides it. */
export function missingTools(tools: Record<string, string>): string[] {
  return Object.entries(tools)
    .filter(([path]) => !existsSync(path))
    .map(([path, setup]) => `no ${path}: run ${setup}`);
}

/**
 * Registers what a suite does when its prerequisites are missing: under CI=true a failing test naming the setup
 * commands (CI must never pass by skipping), otherwise a skipped test and a notice on stderr saying so.
 */
export function requirePrerequisites(suite: string, missing: string[]): void {
  if (missing.length === 0) return;
  if (process.env.CI === 'true') {
    it(`${suite}: prerequisites`, () => {
      throw new Error(missing.join('; '));
    });
  } else {
    process.stderr.write(`\n${suite} SKIPPED: ${missing.join('; ')}\n`);
    it.skip(`${suite} skipped: ${missing.join('; ')}`, () => {});
  }
}

export { freePort };

/** Polls `probe` until it returns a value other than undefined; rejects with `what` after the timeout. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMillis: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMillis;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface CollectorPorts {
  grpc: number;
  http: number;
  prometheus: number;
  health: number;
  telemetry: number;
}

export async function allocateCollectorPorts(): Promise<CollectorPorts> {
  return {
    grpc: await freePort(),
    http: await freePort(),
    prometheus: await freePort(),
    health: await freePort(),
    telemetry: await freePort(),
  };
}

/** The environment collector/config.yaml reads, pointing every listener at loopback. */
export function collectorEnv(
  ports: CollectorPorts,
  storageDir: string,
  backends: Record<string, string>,
): Record<string, string> {
  return {
    OTELCOL_OTLP_GRPC_ENDPOINT: `127.0.0.1:${ports.grpc}`,
    OTELCOL_OTLP_HTTP_ENDPOINT: `127.0.0.1:${ports.http}`,
    OTELCOL_PROMETHEUS_ENDPOINT: `127.0.0.1:${ports.prometheus}`,
    OTELCOL_HEALTH_ENDPOINT: `127.0.0.1:${ports.health}`,
    OTELCOL_TELEMETRY_HOST: '127.0.0.1',
    OTELCOL_TELEMETRY_PORT: String(ports.telemetry),
    OTELCOL_STORAGE_DIR: storageDir,
    ...backends,
  };
}

export class CollectorProcess {
  output = '';
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;

  constructor(
    readonly ports: CollectorPorts,
    env: Record<string, string>,
    configs: string[] = [COLLECTOR_CONFIG],
    binary: string = COLLECTOR_BINARY,
  ) {
    this.child = spawn(
      binary,
      configs.map((c) => `--config=${c}`),
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      stream.setEncoding('utf8').on('data', (d: string) => (this.output += d));
    }
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  get otlpHttpUrl(): string {
    return `http://127.0.0.1:${this.ports.http}`;
  }

  get healthUrl(): string {
    return `http://127.0.0.1:${this.ports.health}/`;
  }

  /** Waits until the health check answers 200 (every pipeline started). */
  async waitHealthy(timeoutMillis = 20_000): Promise<void> {
    let exited = false;
    void this.exited.then(() => (exited = true));
    await eventually(
      async () => {
        if (exited) throw new Error(`collector exited:\n${this.output}`);
        const res = await fetch(this.healthUrl);
        return res.status === 200 ? true : undefined;
      },
      timeoutMillis,
      `collector health check at ${this.healthUrl}\n${this.output}`,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\ncollector output:\n${this.output}`);
    });
  }

  /** The collector's own metrics (service::telemetry::metrics), Prometheus text format. */
  async ownMetrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.ports.telemetry}/metrics`)).text();
  }

  /** Sum of one of the collector's own metrics (with or without a `_total` suffix) over the series whose labels
   * contain `labelFilter`. */
  async ownMetric(name: string, labelFilter = ''): Promise<number> {
    let sum = 0;
    for (const line of (await this.ownMetrics()).split('\n')) {
      if (![name, `${name}_total`].some((n) => line.startsWith(`${n}{`) || line.startsWith(`${n} `))) continue;
      if (labelFilter && !line.includes(labelFilter)) continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMillis = 20_000): Promise<Exit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMillis);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** A real Prometheus (the Debian package) scraping one target every second, with its data in a temp dir. */
export class PrometheusServer {
  output = '';
  private child: ChildProcess | undefined;
  private dir = '';
  private port = 0;

  async start(target: string, job = 'otelkit-collector'): Promise<void> {
    await this.startWithConfig(
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        `  - job_name: ${job}`,
        '    honor_labels: true',
        '    static_configs:',
        `      - targets: ['${target}']`,
        '',
      ].join('\n'),
    );
  }

  /** Starts Prometheus with this configuration (YAML text; give rule_files as absolute paths). */
  async startWithConfig(config: string): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'otelkit-prometheus-'));
    this.port = await freePort();
    const configFile = join(this.dir, 'prometheus.yml');
    writeFileSync(configFile, config);
    this.child = spawn(
      PROMETHEUS_BINARY,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      stream.setEncoding('utf8').on('data', (d: string) => (this.output += d));
    }
    await eventually(
      async () => ((await fetch(`${this.url}/-/ready`)).status === 200 ? true : undefined),
      20_000,
      `Prometheus ready\n${this.output}`,
    );
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async query(promql: string): Promise<PromSample[]> {
    const res = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.json()) as { status: string; data?: { result: PromSample[] }; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus query ${promql} failed: ${body.error}`);
    return body.data!.result;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** What every set of the collector's backends has: the Sentry OTLP stand-in, a queue directory and the environment. */
abstract class SentryAndQueueBackends {
  readonly sentry: SentryStandin;
  storageDir = '';

  constructor(
    readonly sentryProject: string,
    readonly sentryKey: string,
  ) {
    this.sentry = new SentryStandin(sentryProject, sentryKey);
  }

  /** Where the collector's elasticsearch exporter sends, and as whom. */
  protected abstract elasticsearchEnv(): Record<string, string>;

  async start(): Promise<void> {
    this.storageDir = mkdtempSync(join(tmpdir(), 'otelkit-collector-storage-'));
    await this.sentry.start();
  }

  env(ports: CollectorPorts, extra: Record<string, string> = {}): Record<string, string> {
    return collectorEnv(ports, this.storageDir, {
      ...this.elasticsearchEnv(),
      SENTRY_OTLP_ENDPOINT: this.sentry.otlpEndpoint,
      SENTRY_PUBLIC_KEY: this.sentryKey,
      OTELCOL_BATCH_TIMEOUT: '200ms',
      OTELCOL_SENTRY_DECISION_WAIT: '1s',
      ...extra,
    });
  }

  async stop(): Promise<void> {
    await this.sentry.stop();
    if (this.storageDir) rmSync(this.storageDir, { recursive: true, force: true });
  }
}

/**
 * The collector's backends: a real Elasticsearch (`es`, one per test file, started by the caller with
 * startForCollector), the stand-in for Sentry's OTLP endpoint (which no server that runs here implements) and a
 * queue directory; `env` is the collector's environment pointing at them.
 */
export class CollectorBackends extends SentryAndQueueBackends {
  constructor(
    readonly es: ElasticsearchServer,
    sentryProject = '4508123',
    sentryKey = 'e2e5ca1ab1e0public0key',
  ) {
    super(sentryProject, sentryKey);
  }

  protected elasticsearchEnv(): Record<string, string> {
    return collectorElasticsearchEnv(this.es);
  }
}

/**
 * The backends for the faults a real cluster cannot be made to show on demand (see
 * test/harness/elasticsearch-fault-injector.ts): the Elasticsearch fault injector in Elasticsearch's place, the
 * Sentry stand-in, a queue directory.
 */
export class FaultInjectingBackends extends SentryAndQueueBackends {
  readonly es = new ElasticsearchFaultInjector();

  constructor(sentryProject = '4508123', sentryKey = 'e2e5ca1ab1e0public0key') {
    super(sentryProject, sentryKey);
  }

  protected elasticsearchEnv(): Record<string, string> {
    return { ELASTICSEARCH_ENDPOINT: this.es.url };
  }

  override async start(): Promise<void> {
    await this.es.start();
    await super.start();
  }

  override async stop(): Promise<void> {
    await this.es.stop();
    await super.stop();
  }
}
