// A real Prometheus (the Debian package) on loopback with a temporary data dir, scraping given targets every
// second, and a small client for its HTTP query API.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const PROMETHEUS_SETUP = 'apt-get update && apt-get install -y prometheus';

/** Under CI a missing Prometheus is a failure; elsewhere the suite says which setup command is missing. */
export function prometheusAvailable(): boolean {
  if (existsSync(PROMETHEUS_BIN)) return true;
  if (process.env.CI) throw new Error(`Prometheus not found at ${PROMETHEUS_BIN}: run \`${PROMETHEUS_SETUP}\``);
  return false;
}

function canListen(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

// Test files run in parallel processes: a port handed to one is reserved (a file created exclusively) so that
// another cannot be given it before the first binds it (seen as "address already in use" from a collector).
// A reservation lapses after ten minutes, longer than any test holds a port.
const RESERVATIONS = join(tmpdir(), 'otelkit-test-ports');
const RESERVATION_MILLIS = 10 * 60_000;

function reserve(port: number): boolean {
  const file = join(RESERVATIONS, String(port));
  mkdirSync(RESERVATIONS, { recursive: true });
  try {
    closeSync(openSync(file, 'wx'));
    return true;
  } catch {
    try {
      if (Date.now() - statSync(file).mtimeMs < RESERVATION_MILLIS) return false;
      unlinkSync(file);
      closeSync(openSync(file, 'wx'));
      return true;
    } catch {
      return false;
    }
  }
}

/** The first port of the kernel's ephemeral range (outgoing connections take their local port from it). */
function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

/**
 * A port for a server a test starts later (a collector, Prometheus). Taken below the ephemeral range: a port
 * from listen(0) is free when checked, but any outgoing connection may take it as its local port before the
 * server binds it (seen as "address already in use" from the collector).
 */
export async function freePort(): Promise<number> {
  const low = Math.min(ephemeralLow(), 32768);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 10000 + Math.floor(Math.random() * (low - 10000));
    if (reserve(port) && (await canListen(port))) return port;
  }
  throw new Error(`no free port found between 10000 and ${low}`);
}

export interface ScrapeTarget {
  readonly job: string;
  readonly address: string; // host:port
  readonly path?: string;
}

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export class Prometheus {
  private child: ChildProcess | undefined;
  private dir = '';
  url = '';
  log = '';

  async start(targets: readonly ScrapeTarget[], extraConfig = ''): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'otelkit-prometheus-'));
    const scrapeConfigs = targets
      .map(
        (t) =>
          `  - job_name: ${t.job}\n    metrics_path: ${t.path ?? '/metrics'}\n    static_configs:\n      - targets: ['${t.address}']`,
      )
      .join('\n');
    const config = `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n${extraConfig}scrape_configs:\n${scrapeConfigs}\n`;
    writeFileSync(join(this.dir, 'prometheus.yml'), config);
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.child = spawn(
      PROMETHEUS_BIN,
      [
        `--config.file=${join(this.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-lifecycle',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.log += d));
    await this.until(
      async () => (await fetch(`${this.url}/-/ready`).catch(() => undefined))?.ok === true,
      20_000,
      'Prometheus ready',
    );
  }

  async query(expr: string): Promise<Sample[]> {
    const res = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; error?: string; data?: { result: Sample[] } };
    if (body.status !== 'success') throw new Error(`PromQL failed: ${expr}: ${body.error}`);
    return body.data!.result;
  }

  /** Polls the query until it returns at least one series. */
  async waitForSeries(expr: string, timeoutMillis = 20_000): Promise<Sample[]> {
    let result: Sample[] = [];
    await this.until(async () => (result = await this.query(expr)).length > 0, timeoutMillis, `series for ${expr}`);
    return result;
  }

  async until(check: () => Promise<boolean>, timeoutMillis: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMillis;
    while (Date.now() < deadline) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting for ${what}\n${this.log.slice(-2000)}`);
  }

  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      const exited = new Promise((r) => this.child!.once('exit', r));
      this.child.kill('SIGTERM');
      await exited;
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
