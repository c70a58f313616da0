// Builds the otelkit collector image (scripts/build-collector-image.sh, buildah) and runs containers of it with
// podman for the end-to-end tests: runc and the containers.conf of scripts/install-containers.sh, ports published
// on 127.0.0.1, host loopback reachable from inside, and a TCP relay that plays a backend outage.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './app';
import { freePort } from './prometheus';

const TOOLS = process.env.OTELKIT_TOOLS_DIR ?? join(homedir(), '.cache', 'otelkit-tools');
export const CONTAINERS_CONF = join(TOOLS, 'containers', 'containers.conf');
export const CONTAINERS_SETUP = 'bash scripts/install-containers.sh';
export const PODMAN = '/usr/bin/podman';
export const BUILDAH = '/usr/bin/buildah';
export const RUNC = '/usr/bin/runc';

/** What is missing to build and run images, each with the command that provides it. */
export function missingContainerTools(): string[] {
  return [PODMAN, BUILDAH, RUNC, CONTAINERS_CONF]
    .filter((path) => !existsSync(path))
    .map((path) => `no ${path}: run ${CONTAINERS_SETUP}`);
}

/**
 * How a container reaches the host's loopback services (Elasticsearch, Sentry's stand-in): slirp4netns with
 * allow_host_loopback maps 10.0.2.2 to the host's 127.0.0.1, and `-p 127.0.0.1:…` publishes ports to the host only.
 * A bridge network (podman's default) reaches the host only on addresses the servers do not listen on.
 */
export const HOST_FROM_CONTAINER = '10.0.2.2';
const NETWORK = 'slirp4netns:allow_host_loopback=true';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a podman (or any) command with the test machines' containers.conf; never rejects, the caller checks. */
export function run(command: string, args: string[], timeoutMillis = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: REPO_ROOT,
        env: { ...process.env, CONTAINERS_CONF },
        timeout: timeoutMillis,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

export async function podman(args: string[], timeoutMillis?: number): Promise<string> {
  const result = await run(PODMAN, args, timeoutMillis);
  if (result.code !== 0) throw new Error(`podman ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout.trim();
}

/** Builds (or finds up to date) the collector or agent image; its name. */
export async function buildCollectorImage(variant: 'collector' | 'agent' = 'collector'): Promise<string> {
  const args = variant === 'agent' ? ['agent'] : [];
  const result = await run('bash', [join(REPO_ROOT, 'scripts', 'build-collector-image.sh'), ...args], 900_000);
  if (result.code !== 0) throw new Error(`build-collector-image.sh exited ${result.code}:\n${result.stderr}`);
  return result.stdout.trim();
}

export const uniqueName = (what: string) => `otelkit-test-${what}-${process.pid}-${randomBytes(3).toString('hex')}`;

export interface ContainerPorts {
  grpc: number;
  http: number;
  prometheus: number;
  telemetry: number;
  health: number;
}

/** One collector (or agent) container: the image's own command and ports, published on free host loopback ports. */
export class CollectorContainer {
  readonly name = uniqueName('collector');
  ports!: ContainerPorts;

  constructor(
    readonly image: string,
    /** A named volume for the queue directory, or none (the agent keeps no queue on disk). */
    readonly volume: string | undefined,
    private readonly env: Record<string, string>,
    private readonly extraArgs: string[] = [],
  ) {}

  async start(): Promise<void> {
    this.ports = {
      grpc: await freePort(),
      http: await freePort(),
      prometheus: await freePort(),
      telemetry: await freePort(),
      health: await freePort(),
    };
    const publish = (host: number, inside: number) => ['-p', `127.0.0.1:${host}:${inside}`];
    await podman([
      'run',
      '--detach',
      '--name',
      this.name,
      '--runtime',
      'runc',
      '--network',
      NETWORK,
      ...publish(this.ports.grpc, 4317),
      ...publish(this.ports.http, 4318),
      ...publish(this.ports.telemetry, 8888),
      ...publish(this.ports.prometheus, 8889),
      ...publish(this.ports.health, 13133),
      ...(this.volume ? ['--volume', `${this.volume}:/var/lib/otelcol/otelkit`] : []),
      ...Object.entries(this.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
      ...this.extraArgs,
      this.image,
    ]);
  }

  get otlpHttpUrl(): string {
    return `http://127.0.0.1:${this.ports.http}`;
  }

  get healthUrl(): string {
    return `http://127.0.0.1:${this.ports.health}/`;
  }

  async logs(): Promise<string> {
    const result = await run(PODMAN, ['logs', this.name]);
    return result.stdout + result.stderr;
  }

  async state(): Promise<{ Status: string; ExitCode: number; Running: boolean; Health?: { Status: string } }> {
    return JSON.parse(await podman(['inspect', '--format', '{{json .State}}', this.name])) as {
      Status: string;
      ExitCode: number;
      Running: boolean;
      Health?: { Status: string };
    };
  }

  /** Polls the published health port until it answers 200; fails early with the logs if the container exits. */
  async waitHealthy(timeoutMillis = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMillis;
    for (;;) {
      const ok = await fetch(this.healthUrl)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return;
      const state = await this.state();
      if (!state.Running) throw new Error(`container ${this.name} is ${state.Status}:\n${await this.logs()}`);
      if (Date.now() > deadline) {
        throw new Error(`container ${this.name} not healthy in ${timeoutMillis} ms:\n${await this.logs()}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** The image's HEALTHCHECK run inside the container (podman cannot schedule it here: no systemd). */
  async healthcheck(): Promise<Run> {
    return run(PODMAN, ['healthcheck', 'run', this.name], 60_000);
  }

  /** The collector's own metrics (service::telemetry), summed over the series containing `labelFilter`. */
  async ownMetric(name: string, labelFilter = ''): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${this.ports.telemetry}/metrics`)).text();
    let sum = 0;
    for (const line of text.split('\n')) {
      if (![name, `${name}_total`].some((n) => line.startsWith(`${n}{`) || line.startsWith(`${n} `))) continue;
      if (labelFilter && !line.includes(labelFilter)) continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }

  async remove(): Promise<void> {
    await run(PODMAN, ['rm', '--force', '--time', '0', this.name]);
  }
}

/**
 * A TCP relay on host loopback in front of a real backend. close() is the backend going away as the collector
 * sees it (connections refused, open ones cut); open() brings it back on the same port.
 */
export class Relay {
  port = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly targetPort: number) {}

  async open(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const server = createServer((client) => {
      const upstream = createConnection(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
