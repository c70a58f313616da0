// A real Elasticsearch (Maven Central's integ-test-zip, installed by scripts/install-elasticsearch.sh) on loopback
// for the end-to-end tests: an unprivileged user, security on with basic auth, free ports, a temporary data dir,
// and a small client for the REST API.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './prometheus';

export const ES_VERSION = process.env.OTELKIT_ES_VERSION ?? '8.19.21';
const TOOLS = process.env.OTELKIT_TOOLS_DIR ?? join(homedir(), '.cache', 'otelkit-tools');
export const esHome = (version: string) => join(TOOLS, 'elasticsearch', version, `elasticsearch-${version}`);
export const ES_HOME = esHome(ES_VERSION);
export const ES_SETUP = 'bash scripts/install-elasticsearch.sh (needs Maven and a JDK)';
/** 8.19 needs Java 21 or later; the temurin 25 JDK is the one on the test machines that qualifies. */
export const ES_JAVA_HOME = process.env.OTELKIT_ES_JAVA_HOME ?? '/usr/lib/jvm/temurin-25-jdk-amd64';
/**
 * The oldest version collector/README.md supports (8.18 brought `include_source_on_error`, which config.yaml sets).
 * 8.18.0 is the only 8.18 release of the integ-test zip on Maven Central; it runs on Java 17 (on Java 25 its
 * entitlement self-test fails at start-up).
 */
export const ES_OLDEST_VERSION = '8.18.0';
export const ES_OLDEST_JAVA_HOME = process.env.OTELKIT_ES_OLDEST_JAVA_HOME ?? '/usr/lib/jvm/java-17-openjdk-amd64';
/** The built-in superuser; its password comes from the keystore's bootstrap.password. */
export const ES_SUPERUSER = 'elastic';
export const ES_PASSWORD = 'otelkit-test-password';
/** Elasticsearch refuses to run as root; the harness starts it as this user when the tests run as root. */
const RUN_AS = { uid: 65534, gid: 65534 }; // nobody:nogroup

/** What is missing to start Elasticsearch, each with the command that provides it. */
export function missingElasticsearch(version = ES_VERSION, javaHome = ES_JAVA_HOME): string[] {
  const missing: string[] = [];
  const home = esHome(version);
  if (!existsSync(join(home, 'bin', 'elasticsearch'))) missing.push(`no Elasticsearch at ${home}: run ${ES_SETUP}`);
  if (!existsSync(join(javaHome, 'bin', 'java'))) missing.push(`no JDK at ${javaHome} for Elasticsearch ${version}`);
  return missing;
}

export interface EsResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export interface SearchHit {
  _index: string;
  _id: string;
  _source: Record<string, unknown>;
}

export class ElasticsearchServer {
  output = '';
  /** Milliseconds from spawn until the cluster answered yellow. */
  startMillis = 0;
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private dir = '';
  private port = 0;

  constructor(
    readonly version = ES_VERSION,
    readonly javaHome = ES_JAVA_HOME,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /**
   * Starts a single-node cluster. The installed home lies under root's home directory, which the unprivileged
   * user cannot enter, so it is hard-linked (no copy of the data) into the temporary directory the node owns.
   * `fileUsers` become file-realm users (the zip has no analysis-common, so the security index that API-created
   * users live in cannot be created); `fileRoles` is the text of roles.yml for them; `settings` are further lines of
   * elasticsearch.yml.
   */
  async start(
    options: { fileUsers?: { name: string; password: string; roles: string[] }[]; fileRoles?: string; settings?: string[] } = {},
  ) {
    const began = Date.now();
    this.dir = mkdtempSync(join(tmpdir(), 'otelkit-es-'));
    const home = join(this.dir, 'home');
    const config = join(this.dir, 'config');
    execFileSync('cp', ['-al', esHome(this.version), home]);
    cpSync(join(esHome(this.version), 'config'), config, { recursive: true });
    for (const sub of ['data', 'logs', 'tmp']) mkdirSync(join(this.dir, sub));
    // Some versions' JVM options write logs/gc.log under the home directory, which the node's user cannot write.
    rmSync(join(home, 'logs'), { recursive: true, force: true });
    symlinkSync(join(this.dir, 'logs'), join(home, 'logs'));
    this.port = await freePort();
    const transportPort = await freePort();
    writeFileSync(
      join(config, 'elasticsearch.yml'),
      [
        'cluster.name: otelkit-test',
        'node.name: otelkit-test-node',
        `path.data: ${join(this.dir, 'data')}`,
        `path.logs: ${join(this.dir, 'logs')}`,
        'network.host: 127.0.0.1',
        `http.port: ${this.port}`,
        `transport.port: ${transportPort}`,
        'discovery.type: single-node',
        'xpack.security.enabled: true',
        'xpack.security.http.ssl.enabled: false',
        'xpack.security.transport.ssl.enabled: false',
        // Other tests fill the shared disk; the node must not turn indices read-only under them.
        'cluster.routing.allocation.disk.threshold_enabled: false',
        'action.destructive_requires_name: false',
        ...(options.settings ?? []),
        '',
      ].join('\n'),
    );
    if (options.fileRoles) writeFileSync(join(config, 'roles.yml'), options.fileRoles);
    const runAsRoot = process.getuid?.() === 0;
    if (runAsRoot) this.chownTree([this.dir, config, join(this.dir, 'data'), join(this.dir, 'logs'), join(this.dir, 'tmp')]);
    chmodSync(this.dir, 0o755);
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ES_JAVA_HOME: this.javaHome,
      ES_PATH_CONF: config,
      ES_TMPDIR: join(this.dir, 'tmp'),
      ES_JAVA_OPTS: '-Xms512m -Xmx512m',
      HOME: this.dir,
    };
    const asUser = (cmd: string, args: string[], input?: string) =>
      execFileSync(join(home, 'bin', cmd), args, {
        env,
        input,
        stdio: ['pipe', 'pipe', 'pipe'],
        ...(runAsRoot ? RUN_AS : {}),
      });
    asUser('elasticsearch-keystore', ['create', '-s']);
    asUser('elasticsearch-keystore', ['add', '-x', '-s', 'bootstrap.password'], ES_PASSWORD);
    for (const user of options.fileUsers ?? []) {
      asUser('elasticsearch-users', ['useradd', user.name, '-p', user.password, '-r', user.roles.join(',')]);
    }
    // Its own process group, so that stop() reaches the launcher and the server JVM it forks.
    this.child = spawn(join(home, 'bin', 'elasticsearch'), [], {
      env,
      cwd: this.dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(runAsRoot ? RUN_AS : {}),
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      stream.setEncoding('utf8').on('data', (d: string) => (this.output = (this.output + d).slice(-20_000)));
    }
    const child = this.child;
    this.exited = new Promise((resolve) => child.on('exit', () => resolve()));
    let gone = false;
    void this.exited.then(() => (gone = true));
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (gone) throw new Error(`Elasticsearch exited while starting:\n${this.output}`);
      try {
        const res = await this.request('GET', '/_cluster/health?wait_for_status=yellow&timeout=1s');
        if (res.status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`Elasticsearch did not start in 120 s:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    this.startMillis = Date.now() - began;
  }

  private chownTree(paths: string[]): void {
    for (const p of paths) chownSync(p, RUN_AS.uid, RUN_AS.gid);
    execFileSync('chown', ['-R', `${RUN_AS.uid}:${RUN_AS.gid}`, ...paths.slice(1)]);
  }

  /** One REST call as `user` (default the superuser); JSON in and out, or NDJSON when body is a string. */
  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    auth: { user: string; password: string } = { user: ES_SUPERUSER, password: ES_PASSWORD },
  ): Promise<EsResponse<T>> {
    const headers: Record<string, string> = {
      authorization: `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`,
    };
    let payload: string | undefined;
    if (typeof body === 'string') {
      headers['content-type'] = 'application/x-ndjson';
      payload = body;
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(`${this.url}${path}`, { method, headers, body: payload });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // plain-text answers (_cat APIs) stay text
    }
    return { status: res.status, body: parsed as T };
  }

  /** Like request(), but throws unless the status is 2xx. */
  async ok<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request<T>(method, path, body);
    if (res.status < 200 || res.status > 299) {
      throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    }
    return res.body;
  }

  /** Refreshes `index` and runs a search; an index that does not exist yet gives no hits. */
  async search(index: string, query: Record<string, unknown>, size = 1000): Promise<SearchHit[]> {
    await this.request('POST', `/${index}/_refresh?ignore_unavailable=true&allow_no_indices=true`);
    const res = await this.request<{ hits?: { hits: SearchHit[] } }>(
      'POST',
      `/${index}/_search?ignore_unavailable=true&allow_no_indices=true`,
      { size, query },
    );
    if (res.status === 404) return [];
    if (res.status !== 200) throw new Error(`search ${index} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.hits!.hits;
  }

  /** Polls search() until it returns at least `count` hits. */
  async waitForHits(index: string, query: Record<string, unknown>, count: number, timeoutMillis = 30_000): Promise<SearchHit[]> {
    const deadline = Date.now() + timeoutMillis;
    let hits: SearchHit[] = [];
    let lastError = '';
    for (;;) {
      try {
        hits = await this.search(index, query);
        if (hits.length >= count) return hits;
      } catch (err) {
        // A data stream the first document just created answers 503 until its shard has started.
        lastError = String(err);
      }
      if (Date.now() > deadline) {
        const indices = await this.request('GET', '/_cat/indices?expand_wildcards=all&h=index,docs.count');
        throw new Error(
          `timed out waiting for ${count} hits in ${index} for ${JSON.stringify(query)}: ${hits.length} found ${lastError}; indices:\n${String(indices.body)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Stops the node (SIGTERM to its process group, SIGKILL after 20 s) and removes its directory. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 20_000);
      await this.exited;
      clearTimeout(timer);
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

export const SETUP_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'collector', 'elasticsearch', 'setup.sh');

/** Runs collector/elasticsearch/setup.sh (sh + curl, as users run it) against this cluster, without Kibana. */
export function runSetupJob(
  es: ElasticsearchServer,
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      'sh',
      [SETUP_SCRIPT],
      { env: { PATH: process.env.PATH ?? '', ELASTICSEARCH_URL: es.url, ELASTIC_PASSWORD: ES_PASSWORD, KIBANA_URL: '', ...env } },
      (err, stdout, stderr) =>
        err ? reject(new Error(`setup.sh failed: ${err.message}\n${stdout}\n${stderr}`)) : resolve({ stdout, stderr }),
    );
  });
}

/** The collector's least-privilege role (collector/elasticsearch/collector-role.json) as a file-realm roles.yml. */
export const COLLECTOR_ROLE_FILE = join(dirname(SETUP_SCRIPT), 'collector-role.json');
export function collectorRolesYml(roleName: string): string {
  const role = JSON.parse(readFileSync(COLLECTOR_ROLE_FILE, 'utf8')) as Record<string, unknown>;
  // JSON is YAML: the role's definition goes in as it is.
  return `${roleName}: ${JSON.stringify(role)}\n`;
}

/** The collector's file-realm user in the end-to-end tests, with the role setup.sh gives the collector. */
export const COLLECTOR_USER = 'otelkit-collector';
export const COLLECTOR_PASSWORD = 'collector-test-password';

/**
 * Starts `es` the way the collector meets Elasticsearch in production: security on, the collector's
 * least-privilege user, and the index templates setup.sh installs. One per test file: a start takes 10 to 70 s.
 */
export async function startForCollector(es: ElasticsearchServer, settings: string[] = []): Promise<void> {
  await es.start({
    fileUsers: [{ name: COLLECTOR_USER, password: COLLECTOR_PASSWORD, roles: ['otelkit_collector'] }],
    fileRoles: collectorRolesYml('otelkit_collector'),
    settings,
  });
  process.stderr.write(`Elasticsearch ${es.version} started in ${es.startMillis} ms\n`);
  await runSetupJob(es);
}

/** The collector's environment for writing to `es` as the collector's user. */
export function collectorElasticsearchEnv(es: ElasticsearchServer, password = COLLECTOR_PASSWORD): Record<string, string> {
  return { ELASTICSEARCH_ENDPOINT: es.url, ELASTICSEARCH_USERNAME: COLLECTOR_USER, ELASTICSEARCH_PASSWORD: password };
}

/**
 * A logs data stream template whose mapping insists that `order.total` is a number (a field-level
 * `ignore_malformed: false` overrides the index setting), as a user's own stricter template would: a string value
 * there is refused with a 400 (document_parsing_exception).
 */
export async function putStrictOrderTotalTemplate(es: ElasticsearchServer, name: string, dataset: string): Promise<void> {
  await es.ok('PUT', `/_index_template/${name}`, {
    index_patterns: [`logs-${dataset}.otel-*`],
    priority: 200,
    data_stream: {},
    composed_of: ['otelkit-otel@settings', 'otelkit-otel@mappings', 'otelkit-logs-otel@mappings'],
    template: {
      mappings: {
        properties: {
          attributes: {
            type: 'passthrough',
            priority: 20,
            dynamic: true,
            properties: { 'order.total': { type: 'long', ignore_malformed: false } },
          },
        },
      },
    },
  });
}
