// End to end against a real Elasticsearch (test/harness/elasticsearch.ts): an app under `--require
// otelkit/register` → the built collector (collector/config.yaml, writing as the least-privilege collector role)
// → Elasticsearch set up by collector/elasticsearch/setup.sh. Asserts on what searches return: logs and spans by
// trace id, request id, service and level; type conflicts kept; rejected documents counted; wrong credentials.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, fastExportEnv, get, REPO_ROOT } from '../harness/app';
import {
  collectorRolesYml,
  ElasticsearchServer,
  ES_PASSWORD,
  ES_VERSION,
  missingElasticsearch,
  putStrictOrderTotalTemplate,
  runSetupJob,
  type SearchHit,
} from '../harness/elasticsearch';
import { SentryStandin } from '../harness/sentry-standin';
import {
  allocateCollectorPorts,
  COLLECTOR_CONFIG,
  collectorEnv,
  CollectorProcess,
  eventually,
  missingPrerequisites,
  requirePrerequisites,
  type CollectorPorts,
} from './collector-harness';
import { printedLines } from '../harness/test-bed';

// Sentry's OTLP endpoint is the one backend with no real server here (see test/harness/sentry-standin.ts); the
// collector's config requires one.
const SENTRY_PROJECT = '4508123';
const SENTRY_KEY = 'e2e5ca1ab1e0public0key';
const SERVICE = 'es-e2e';
const COLLECTOR_USER = 'otelkit-collector';
const COLLECTOR_PASSWORD = 'collector-test-password';
const LOGS = 'logs-*.otel-*';
const TRACES = 'traces-*.otel-*';

const attrs = (hit: SearchHit) => (hit._source.attributes ?? {}) as Record<string, unknown>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const term = (field: string, value: unknown) => ({ term: { [field]: value } });
const all = (...queries: object[]) => ({ bool: { filter: queries } });

const missing = [...missingPrerequisites(false), ...missingElasticsearch()];

// One cluster for the file (it takes 15 to 60 s to start on a busy machine); each suite has its own collector.
const es = new ElasticsearchServer();

beforeAll(async () => {
  if (missing.length > 0) return;
  await es.start({
    fileUsers: [{ name: COLLECTOR_USER, password: COLLECTOR_PASSWORD, roles: ['otelkit_collector'] }],
    fileRoles: collectorRolesYml('otelkit_collector'),
  });
  process.stderr.write(`Elasticsearch ${ES_VERSION} started in ${es.startMillis} ms\n`);
  await runSetupJob(es);
}, 240_000);

afterAll(async () => {
  await es.stop();
});

class Stack {
  readonly es = es;
  readonly sentry = new SentryStandin(SENTRY_PROJECT, SENTRY_KEY);
  storageDir = '';
  ports!: CollectorPorts;
  collector: CollectorProcess | undefined;

  async start(): Promise<void> {
    this.storageDir = mkdtempSync(join(tmpdir(), 'otelkit-es-e2e-storage-'));
    await this.sentry.start();
    this.ports = await allocateCollectorPorts();
  }

  async startCollector(password = COLLECTOR_PASSWORD, configs = [COLLECTOR_CONFIG], extra: Record<string, string> = {}) {
    this.collector = new CollectorProcess(
      this.ports,
      collectorEnv(this.ports, this.storageDir, {
        ELASTICSEARCH_ENDPOINT: this.es.url,
        ELASTICSEARCH_USERNAME: COLLECTOR_USER,
        ELASTICSEARCH_PASSWORD: password,
        SENTRY_OTLP_ENDPOINT: this.sentry.otlpEndpoint,
        SENTRY_PUBLIC_KEY: SENTRY_KEY,
        OTELCOL_BATCH_TIMEOUT: '200ms',
        ...extra,
      }),
      configs,
    );
    await this.collector.waitHealthy();
    return this.collector;
  }

  async stop(): Promise<void> {
    await this.collector?.stop();
    await this.sentry.stop();
    if (this.storageDir) rmSync(this.storageDir, { recursive: true, force: true });
  }
}

function startApp(collector: CollectorProcess): App {
  return new App('elasticsearch-app.cjs', {
    env: {
      ...fastExportEnv(collector.otlpHttpUrl),
      OTEL_SERVICE_NAME: SERVICE,
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=e2e',
    },
  });
}

describe.runIf(missing.length === 0)(`collector → real Elasticsearch ${ES_VERSION}`, () => {
  const stack = new Stack();
  let collector: CollectorProcess;
  let app: App;

  beforeAll(async () => {
    await stack.start();
    collector = await stack.startCollector();
    app = startApp(collector);
    for (const path of ['/orders/1', '/orders/2', '/fail']) await get(await app.url(path));
  }, 240_000);

  afterAll(async () => {
    await app?.stop('SIGKILL');
    await stack.stop();
  });

  it('log records are searchable by trace id, request id, service and level', async () => {
    const { es } = stack;
    const viewed = printedLines(app.stdout).find((l) => l.message === 'order viewed' && l.object_id === '2')!;
    expect(viewed.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(viewed.request_id).toBeTruthy();
    const [byTrace] = await es.waitForHits(LOGS, term('trace_id', viewed.trace_id), 1);
    expect(byTrace!._source.span_id).toBe(viewed.span_id);
    expect((byTrace!._source.body as { text: string }).text).toBe('order viewed');
    // Attributes and resource attributes are passthrough objects: searchable under their own names too.
    for (const query of [term('attributes.request_id', viewed.request_id), term('request_id', viewed.request_id)]) {
      const hits = await es.search(LOGS, query);
      expect(hits.map((h) => h._id)).toEqual([byTrace!._id]);
    }
    const ofService = await es.search(LOGS, term('service.name', SERVICE));
    expect(ofService.length).toBeGreaterThanOrEqual(3);
    expect(await es.search(LOGS, term('resource.attributes.service.name', SERVICE))).toHaveLength(ofService.length);
    // severity_text is the winston level name (`error`); the printed line says ERROR.
    const level = (field: string) => ({ term: { [field]: { value: 'ERROR', case_insensitive: true } } });
    const errors = await es.waitForHits(LOGS, all(term('service.name', SERVICE), level('severity_text')), 1);
    expect(errors.map((h) => (h._source.body as { text: string }).text)).toEqual(['order failed']);
    expect(await es.search(LOGS, all(level('log.level'), { range: { severity_number: { gte: 17 } } }))).toHaveLength(1);
    expect(attrs(errors[0]!)['exception.type']).toBe('Error');
  }, 60_000);

  it('spans are searchable by trace id, request id and service', async () => {
    const { es } = stack;
    const viewed = printedLines(app.stdout).find((l) => l.message === 'order viewed' && l.object_id === '1')!;
    const spans = await es.waitForHits(TRACES, term('trace_id', viewed.trace_id), 1);
    const server = spans.find((s) => s._source.kind === 'Server')!;
    expect(server, JSON.stringify(spans.map((s) => s._source.name))).toBeDefined();
    expect(server._source.name).toBe('GET /orders/:id');
    const byRequest = await es.search(TRACES, all(term('request_id', viewed.request_id), term('kind', 'Server')));
    expect(byRequest.map((h) => h._id)).toEqual([server._id]);
    expect((await es.search(TRACES, term('service.name', SERVICE))).length).toBeGreaterThanOrEqual(3);
  });

  it('secrets on span attributes are masked by the collector: no search finds them', async () => {
    await get(await app.url('/login'));
    const login = printedLines(app.stdout).find((l) => l.message === 'logged in')!;
    const [span] = await es.waitForHits(TRACES, term('span_id', login.span_id), 1);
    expect(attrs(span!)).toMatchObject({ 'user.password': '****', 'app.login.method': 'password' });
    expect(await es.search('logs-*.otel-*,traces-*.otel-*', { query_string: { query: '*hunter2*' } })).toHaveLength(0);
    expect(await es.search(TRACES, term('user.password', 'hunter2-span-secret'))).toHaveLength(0);
  });

  it('audit and system records land in data streams of their own, application logs stay in the generic one', async () => {
    const base = await app.url('');
    expect((await fetch(`${base}/orders/9`, { method: 'DELETE' })).status).toBe(204);
    await get(`${base}/system`);
    const [audited] = await es.waitForHits('logs-otelkit.audit.otel-*', term('object_id', '9'), 1);
    expect((audited!._source.body as { text: string }).text).toBe('order deleted');
    expect(audited!._index).toMatch(/^\.ds-logs-otelkit\.audit\.otel-default-/);
    // The same schema as getLogger's records: request context, trace context, the caller's fields.
    expect(attrs(audited!)).toMatchObject({ event_type: 'order.delete', user_id: '42', username: 'ada', 'log.stream': 'audit' });
    expect(audited!._source.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const [system] = await es.waitForHits('logs-otelkit.system.otel-*', term('log.stream', 'system'), 1);
    expect((system!._source.body as { text: string }).text).toBe('disk almost full');
    const app9 = await es.waitForHits('logs-generic.otel-default', term('object_id', '9'), 1);
    expect(app9.map((h) => (h._source.body as { text: string }).text)).toEqual(['order removed from cache']);
    // The audit stream's own template (setup.sh) won over the application logs' one, which lost (overlapping).
    const simulated = await es.ok<{ overlapping: { name: string }[] }>(
      'POST',
      '/_index_template/_simulate_index/logs-otelkit.audit.otel-default',
    );
    expect(simulated.overlapping.map((t) => t.name)).toEqual(['otelkit-logs-otel']);
  });

  it('an attribute sent as a number, then as a string, keeps both log records and both spans (ignore_malformed)', async () => {
    const { es } = stack;
    await get(await app.url('/total/conflict?value=42'));
    const [firstLog] = await es.waitForHits(LOGS, term('total_tag', 'conflict'), 1);
    await es.waitForHits(TRACES, term('attributes.total_tag', 'conflict'), 1);
    expect(attrs(firstLog!)['order.total']).toBe(42);
    await get(await app.url('/total/conflict?value=forty-two'));
    for (const index of [LOGS, TRACES]) {
      const hits = await es.waitForHits(index, term('total_tag', 'conflict'), 2);
      expect(hits.map((h) => attrs(h)['order.total']).sort()).toEqual([42, 'forty-two']);
      // The string stays in the document, unindexed, and the document says so; the number stays searchable.
      const ignored = await es.search(index, all(term('total_tag', 'conflict'), { exists: { field: '_ignored' } }));
      expect(ignored.map((h) => attrs(h)['order.total'])).toEqual(['forty-two']);
      expect(await es.search(index, all(term('total_tag', 'conflict'), { range: { 'order.total': { gte: 40 } } }))).toHaveLength(
        1,
      );
    }
    const mapping = await es.ok<Record<string, { mappings: { properties: Record<string, any> } }>>('GET', `/${LOGS}/_mapping`);
    const types = Object.values(mapping).map((m) => m.mappings.properties.attributes.properties['order.total']?.type);
    expect(types).toContain('long');
    expect(await collector.ownMetric('otelcol_elasticsearch_docs_processed', 'outcome="failed_client"')).toBe(0);
  });

  it('a document the cluster still rejects is counted on otelcol_elasticsearch_docs_processed, with its reason logged', async () => {
    const { es } = stack;
    await putStrictOrderTotalTemplate(es, 'strict-orders', 'strict');
    const failedBefore = await collector.ownMetric('otelcol_elasticsearch_docs_processed', 'outcome="failed_client"');
    await get(await app.url('/total/strict?value=7&dataset=strict'));
    await es.waitForHits('logs-strict.otel-default', term('total_tag', 'strict'), 1);
    await get(await app.url('/total/strict?value=seven-secret&dataset=strict'));
    await eventually(
      async () =>
        (await collector.ownMetric('otelcol_elasticsearch_docs_processed', 'outcome="failed_client"')) > failedBefore
          ? true
          : undefined,
      20_000,
      'the rejected document on otelcol_elasticsearch_docs_processed{outcome="failed_client"}',
    );
    const metrics = await collector.ownMetrics();
    // The series the ElasticsearchDocumentsRejected alert (collector/prometheus/rules) counts, under that name.
    const rule = readFileSync(join(REPO_ROOT, 'collector', 'prometheus', 'rules', 'otelkit-alerts.yml'), 'utf8');
    expect(rule).toContain('increase(otelcol_elasticsearch_docs_processed{outcome!~"success|failure_store"}[10m])');
    expect(metrics).toMatch(
      /^otelcol_elasticsearch_docs_processed\{[^}]*error_type="document_parsing_exception"[^}]*outcome="failed_client"/m,
    );
    expect(await collector.ownMetric('otelcol_elasticsearch_docs_processed', 'outcome="failed_client"')).toBe(failedBefore + 1);
    // The reason names the field and its mapping; with include_source_on_error: false the rest of the document
    // stays out of the log (Elasticsearch still previews the refused value itself).
    await eventually(
      async () => (collector.output.includes('attributes.order.total') ? true : undefined),
      5_000,
      'the reason in the log',
    );
    const line = collector.output.split('\n').find((l) => l.includes('document_parsing_exception'))!;
    expect(line).toMatch(/failed to parse field \[attributes\.order\.total\] of type \[long\]/);
    expect(line).not.toContain(SERVICE);
    expect(line).not.toContain('order total');
    // Not retried: one attempt, and the consumer went on to the next records.
    await get(await app.url('/total/after-strict?value=8'));
    await es.waitForHits(LOGS, term('total_tag', 'after-strict'), 1);
    expect(await collector.ownMetric('otelcol_elasticsearch_docs_retried')).toBe(0);
  }, 60_000);
});

describe.runIf(missing.length === 0)(`collector → real Elasticsearch ${ES_VERSION}: wrong credentials`, () => {
  const stack = new Stack();
  let app: App | undefined;

  beforeAll(async () => {
    await stack.start();
  }, 240_000);

  afterAll(async () => {
    await app?.stop('SIGKILL');
    await stack.stop();
  });

  it('a wrong password: nothing dropped, the records wait on disk; stopped and restarted with the right one, each arrives once', async () => {
    const { es } = stack;
    let collector = await stack.startCollector('wrong-password');
    app = startApp(collector);
    expect((await get(await app.url('/burst/auth/30'))).status).toBe(200);
    // The exporter retries the refused bulk request (401 is in retry_on_status) and logs nothing at info
    // level while it does: the records sit in the persistent queue, neither sent nor failed.
    await eventually(
      async () => ((await collector.ownMetric('otelcol_exporter_queue_size', 'exporter="elasticsearch"')) > 0 ? true : undefined),
      20_000,
      'records queued for Elasticsearch',
    );
    await sleep(3000);
    expect(await collector.ownMetric('otelcol_exporter_send_failed_log_records', 'exporter="elasticsearch"')).toBe(0);
    // What ElasticsearchExportStalled (collector/prometheus/rules) sees: a queue, and nothing sent.
    expect(await collector.ownMetric('otelcol_exporter_sent_log_records', 'exporter="elasticsearch"')).toBe(0);
    expect(collector.output).not.toContain('Dropping data');
    expect(await es.search(LOGS, term('burst_tag', 'auth'))).toHaveLength(0);
    // Stopped the way an orchestrator does (SIGTERM, SIGKILL 5 s later) while the exporter still retries.
    await collector.stop('SIGTERM', 5_000);
    collector = await stack.startCollector(COLLECTOR_PASSWORD);
    const hits = await es.waitForHits(LOGS, term('burst_tag', 'auth'), 30, 45_000);
    await sleep(1500);
    const again = await es.search(LOGS, term('burst_tag', 'auth'));
    expect(again.map((h) => Number(attrs(h).seq)).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(hits.length).toBe(30);
  }, 150_000);
});

describe.runIf(missing.length === 0)('collector/config.dated-index.yaml: daily <prefix>-logs-YYYY.MM.DD indices', () => {
  const stack = new Stack();
  let app: App | undefined;

  beforeAll(async () => {
    await stack.start();
  }, 60_000);

  afterAll(async () => {
    await app?.stop('SIGKILL');
    await stack.stop();
  });

  it('every log record also lands in pyerp-logs-<today>, which the pyerp-logs-* data view pattern finds', async () => {
    const setup = await runSetupJob(es, { OTELKIT_DATED_INDEX_PREFIX: 'pyerp' });
    expect(setup.stdout).toContain('daily indices pyerp-logs-YYYY.MM.DD');
    const collector = await stack.startCollector(
      COLLECTOR_PASSWORD,
      [COLLECTOR_CONFIG, join(REPO_ROOT, 'collector', 'config.dated-index.yaml')],
      { OTELKIT_DATED_INDEX_PREFIX: 'pyerp' },
    );
    app = startApp(collector);
    expect((await get(await app.url('/burst/dated/5'))).status).toBe(200);
    const hits = await es.waitForHits('pyerp-logs-*', term('burst_tag', 'dated'), 5);
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '.');
    expect([...new Set(hits.map((h) => h._index))]).toEqual([
      expect.stringMatching(new RegExp(`^\\.ds-pyerp-logs-${today.replace(/\./g, '\\.')}-`)),
    ]);
    const resolved = await es.ok<{ data_streams: { name: string }[] }>('GET', '/_resolve/index/pyerp-logs-*');
    expect(resolved.data_streams.map((d) => d.name)).toEqual([`pyerp-logs-${today}`]);
    // The data streams are still written too.
    await es.waitForHits('logs-generic.otel-default', term('burst_tag', 'dated'), 5);
    expect(collector.output).not.toContain('index_not_found_exception');
  }, 90_000);
});

describe.runIf(missing.length === 0)('collector/elasticsearch/size-cap.sh: the total size ceiling', () => {
  const sizeCap = join(REPO_ROOT, 'collector', 'elasticsearch', 'size-cap.sh');
  const INDICES = '.ds-logs-sizecap*';

  function runSizeCap(limit: string): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        'sh',
        [sizeCap],
        {
          env: {
            PATH: process.env.PATH ?? '',
            ELASTICSEARCH_URL: es.url,
            ELASTIC_PASSWORD: ES_PASSWORD,
            OTELKIT_SIZE_LIMIT: limit,
            OTELKIT_SIZE_INDICES: INDICES,
          },
        },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stdout}${stderr}`)) : resolve(stdout)),
      );
    });
  }

  async function write(stream: string, count: number, tag: string): Promise<void> {
    const lines = Array.from({ length: count }, (_, i) => [
      { create: { _index: stream } },
      { '@timestamp': new Date().toISOString(), body: { text: `${tag} ${i} ${'x'.repeat(200)}` }, attributes: { tag } },
    ]).flat();
    const res = await es.ok<{ errors: boolean }>(
      'POST',
      '/_bulk?refresh=true',
      lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
    );
    expect(res.errors).toBe(false);
  }

  /** Backing indices oldest first, with their store size in bytes. */
  async function backing(): Promise<{ index: string; bytes: number }[]> {
    await es.ok('POST', `/${INDICES}/_flush?expand_wildcards=all`);
    const text = (
      await es.request('GET', `/_cat/indices/${INDICES}?h=index,store.size&bytes=b&s=creation.date:asc&expand_wildcards=all`)
    ).body as unknown as string;
    return text
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.trim().split(/\s+/))
      .map(([index, bytes]) => ({ index: index!, bytes: Number(bytes) }));
  }

  it('deletes backing indices oldest first until the total fits, and rolls a write index over before deleting it', async () => {
    // Oldest: a large index; then small ones across two data streams, the newest two being write indices.
    await write('logs-sizecap.otel-default', 400, 'old');
    await es.ok('POST', '/logs-sizecap.otel-default/_rollover');
    await write('logs-sizecap.otel-default', 5, 'middle');
    await write('logs-sizecap2.otel-default', 5, 'other');
    const before = await backing();
    expect(before).toHaveLength(3);
    const total = before.reduce((s, i) => s + i.bytes, 0);
    expect(before[0]!.bytes).toBeGreaterThan(total / 2);
    // A limit only the oldest index's deletion satisfies.
    const out = await runSizeCap(String(Math.floor(total - before[0]!.bytes / 2)));
    expect(out).toContain(`deleted ${before[0]!.index}`);
    expect((await backing()).map((i) => i.index)).toEqual(before.slice(1).map((i) => i.index));
    // A limit nothing fits: every listed index goes, write indices after a rollover, so writing goes on.
    await runSizeCap('1');
    const after = await backing();
    expect(after.map((i) => i.index).filter((i) => before.some((b) => b.index === i))).toEqual([]);
    expect(after).toHaveLength(2); // the fresh write index of each data stream
    await write('logs-sizecap.otel-default', 1, 'after');
    expect(await es.search('logs-sizecap.otel-default', term('attributes.tag', 'after'))).toHaveLength(1);
  }, 60_000);
});

requirePrerequisites('collector → real Elasticsearch', missing);
