// PostgreSQL and Redis on loopback (scripts/local-services.mjs) with postgres_exporter in front of PostgreSQL: the
// database side of the monitoring stack, for the end-to-end tests that feed a real Prometheus.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { createClient } from 'redis';
import { missingServices, SETUP_COMMAND, startServices, type LocalServices } from '../../scripts/local-services.mjs';
import { eventually, freePort } from './collector-harness';

export const POSTGRES_EXPORTER = '/usr/bin/prometheus-postgres-exporter';
export const POSTGRES_EXPORTER_SETUP = 'bash scripts/install-postgres-exporter.sh';
/** The maxmemory the tests give Redis, so that the memory alert has a ceiling to compare with. */
export const REDIS_MAXMEMORY = 64 * 1024 * 1024;

/** What is missing to run the databases, each with the command that provides it. */
export function missingDatabases(): string[] {
  const missing = missingServices().map((s) => `no ${s}: run ${SETUP_COMMAND}`);
  if (!existsSync(POSTGRES_EXPORTER)) missing.push(`no ${POSTGRES_EXPORTER}: run ${POSTGRES_EXPORTER_SETUP}`);
  return missing;
}

export class Databases {
  private services: LocalServices | undefined;
  private exporter: ChildProcess | undefined;
  private held: pg.Client[] = [];
  exporterAddress = '';
  redisAddress = '';
  exporterOutput = '';

  get databaseUrl(): string {
    return this.services!.databaseUrl;
  }

  /** Starts both servers and the exporter; Redis gets a maxmemory and a few keys. */
  async start(): Promise<void> {
    this.services = await startServices();
    this.redisAddress = new URL(this.services.redisUrl).host;
    const redis = createClient({ url: this.services.redisUrl });
    await redis.connect();
    await redis.configSet('maxmemory', String(REDIS_MAXMEMORY));
    for (let i = 0; i < 100; i++) await redis.set(`ticket:${i}`, 'x'.repeat(1000));
    await redis.quit();

    const port = await freePort();
    this.exporterAddress = `127.0.0.1:${port}`;
    this.exporter = spawn(POSTGRES_EXPORTER, [`--web.listen-address=${this.exporterAddress}`], {
      env: { PATH: process.env.PATH ?? '', DATA_SOURCE_NAME: `${this.databaseUrl}?sslmode=disable` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.exporter.stdout!, this.exporter.stderr!]) {
      stream.setEncoding('utf8').on('data', (d: string) => (this.exporterOutput += d));
    }
    await eventually(
      async () => ((await fetch(`http://${this.exporterAddress}/metrics`)).ok ? true : undefined),
      10_000,
      `postgres_exporter at ${this.exporterAddress}\n${this.exporterOutput}`,
    );
  }

  /** Opens connections that stay idle until stop(), as an application's pool does. */
  async holdConnections(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const client = new pg.Client({ connectionString: this.databaseUrl });
      await client.connect();
      this.held.push(client);
    }
  }

  /** Runs a statement that takes `seconds` on a connection of its own (a slow query). */
  async slowQuery(seconds: number): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      await client.query('SELECT pg_sleep($1)', [seconds]);
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.held.map((c) => c.end().catch(() => undefined)));
    if (this.exporter && this.exporter.exitCode === null) {
      const exited = new Promise((r) => this.exporter!.once('exit', r));
      this.exporter.kill('SIGTERM');
      await exited;
    }
    await this.services?.stop();
  }
}
