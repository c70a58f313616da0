// Spawns a fixture app the way users run it (`--require`, `--import` or NODE_OPTIONS) and watches its output.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');

export type Preload = 'require' | 'import' | 'node-options' | 'require+import' | 'none';

export interface AppOptions {
  preload?: Preload;
  env?: Record<string, string | undefined>;
  args?: string[];
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Settings that make telemetry arrive in test time rather than in production batch intervals. */
export function fastExportEnv(receiverUrl: string): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_BLRP_SCHEDULE_DELAY: '100',
    OTEL_METRIC_EXPORT_INTERVAL: '500',
    OTEL_SERVICE_NAME: 'fixture-service',
  };
}

function preloadArgs(preload: Preload): string[] {
  switch (preload) {
    case 'require':
      return ['--require', 'otelkit/register'];
    case 'import':
      return ['--import', 'otelkit/register'];
    case 'require+import':
      return ['--require', 'otelkit/register', '--import', 'otelkit/register'];
    default:
      return [];
  }
}

export class App {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  private listeners = new Set<() => void>();

  constructor(fixture: string, options: AppOptions = {}) {
    const preload = options.preload ?? 'require';
    // Only what the test sets reaches the child: no OTEL_* leaks in from the environment running the tests.
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
    if (preload === 'node-options') env.NODE_OPTIONS = '--require otelkit/register';
    for (const [key, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[key] = value;
    this.child = spawn(process.execPath, [...preloadArgs(preload), join(FIXTURES, fixture), ...(options.args ?? [])], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d;
      this.notify();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
      this.notify();
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
    void this.exited.then(() => this.notify());
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }

  /** Waits for output matching the pattern; fails with the app's output if it exits or times out first. */
  async waitForOutput(
    pattern: RegExp,
    stream: 'stdout' | 'stderr' = 'stdout',
    timeoutMillis = 15_000,
  ): Promise<RegExpMatchArray> {
    let exited = false;
    void this.exited.then(() => (exited = true));
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this[stream].match(pattern);
        if (match) {
          done();
          resolve(match);
        } else if (exited || this.child.exitCode !== null || this.child.signalCode !== null) {
          done();
          reject(new Error(`app exited before printing ${pattern}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${pattern}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`));
      }, timeoutMillis);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Fixtures print `{"listening":PORT}` once they serve. */
  async port(): Promise<number> {
    const match = await this.waitForOutput(/\{"listening":(\d+)\}/);
    return Number(match[1]);
  }

  async url(path = '/'): Promise<string> {
    return `http://127.0.0.1:${await this.port()}${path}`;
  }

  stderrLines(pattern: RegExp): string[] {
    return this.stderr.split('\n').filter((line) => pattern.test(line));
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMillis = 15_000): Promise<Exit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMillis);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.text() };
}
