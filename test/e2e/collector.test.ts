// End to end: an app under `--require otelkit/register` → the built otelkit collector with collector/config.yaml
// → a real Elasticsearch (one cluster for the file, set up by collector/elasticsearch/setup.sh; the oldest version
// collector/README.md supports, 8.18.0, where the other files run the newest), the stand-in for
// Sentry's OTLP endpoint, and a real Prometheus scraping the collector. Asserts on what Elasticsearch's searches
// return and what the other backends hold, matched against the JSON log lines the app printed. Refusals the real
// cluster can be made to show (a flood-stage block's per-document 429, a write block's 403) are shown on it; the
// rest (a 503 for as long as a test wants, a per-document 500) on the Elasticsearch fault injector.
import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, fastExportEnv, get } from '../harness/app';
import {
  ElasticsearchServer,
  ES_OLDEST_JAVA_HOME,
  ES_OLDEST_VERSION,
  missingElasticsearch,
  putStrictOrderTotalTemplate,
  startForCollector,
  type SearchHit,
} from '../harness/elasticsearch';
import { type ElasticsearchFaultInjector, type StoredDocument } from '../harness/elasticsearch-fault-injector';
import {
  allocateCollectorPorts,
  COLLECTOR_CONFIG,
  CollectorBackends,
  CollectorProcess,
  eventually,
  FaultInjectingBackends,
  FILELOG_OVERLAY,
  missingPrerequisites,
  requirePrerequisites,
  PrometheusServer,
  type CollectorPorts,
} from './collector-harness';
import { printedLines, type PrintedLine } from '../harness/test-bed';

const SENTRY_PROJECT = '4508123';
const SENTRY_KEY = 'e2e5ca1ab1e0public0key';
const SERVICE = 'collector-e2e';
const LOGS = 'logs-*.otel-*';
const TRACES = 'traces-*.otel-*';

function printed(app: App, message: string): PrintedLine {
  const line = printedLines(app.stdout).find((l) => l.message === message);
  if (!line) throw new Error(`the app printed no "${message}" line:\n${app.stdout}`);
  return line;
}

// Elasticsearch documents in the exporter's `otel` mapping mode, as searched in the real cluster.
const hitBody = (d: SearchHit) => (d._source.body as { text?: string } | undefined)?.text;
const hitAttrs = (d: SearchHit) => (d._source.attributes ?? {}) as Record<string, unknown>;
const hitService = (d: SearchHit) => (d._source.resource as { attributes: Record<string, unknown> }).attributes['service.name'];
const term = (field: string, value: unknown) => ({ term: { [field]: value } });
const all = (...queries: object[]) => ({ bool: { filter: queries } });

// The same, as the fault injector recorded them.
const attrs = (d: StoredDocument) => (d.source.attributes ?? {}) as Record<string, unknown>;
const logDocs = (es: ElasticsearchFaultInjector) => es.documentsIn('logs-');
const burstDocs = (es: ElasticsearchFaultInjector, tag: string) => logDocs(es).filter((d) => attrs(d).burst_tag === tag);

function sequenceNumbers(docs: StoredDocument[]): number[] {
  return docs.map((d) => Number(attrs(d).seq)).sort((a, b) => a - b);
}

/** OTLP severity numbers of the levels otelkit prints. */
const SEVERITY_NUMBER: Record<string, number> = { DEBUG: 5, INFO: 9, WARNING: 13, ERROR: 17, CRITICAL: 21 };
const jsonWithBigInts = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for `count` records of a burst, gives duplicates time to show, then requires each sequence number once. */
async function expectDeliveredOnce(
  es: ElasticsearchFaultInjector,
  tag: string,
  count: number,
  timeoutMillis: number,
  what: string,
) {
  await es.waitFor(() => burstDocs(es, tag).length >= count, timeoutMillis, what);
  await sleep(1500);
  expect(sequenceNumbers(burstDocs(es, tag))).toEqual(range(count));
}

/** The same against the real cluster: `count` records of the burst in `index`, each sequence number once. */
async function expectSearchedOnce(es: ElasticsearchServer, index: string, tag: string, count: number, timeoutMillis: number) {
  await es.waitForHits(index, term('burst_tag', tag), count, timeoutMillis);
  await sleep(1500);
  const hits = await es.search(index, term('burst_tag', tag));
  expect(hits.map((h) => Number(hitAttrs(h).seq)).sort((a, b) => a - b)).toEqual(range(count));
}

function startApp(collector: CollectorProcess): App {
  return new App('collector-app.cjs', {
    env: {
      ...fastExportEnv(collector.otlpHttpUrl),
      OTEL_SERVICE_NAME: SERVICE,
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=e2e',
    },
  });
}

const missing = missingPrerequisites();
const missingWithElasticsearch = [...missing, ...missingElasticsearch(ES_OLDEST_VERSION, ES_OLDEST_JAVA_HOME)];

// One cluster for the file; suites keep apart by service name, data set and tag, never by a restart. The oldest
// supported version: config.yaml's include_source_on_error makes older ones refuse every bulk request, so each
// document found here also shows that 8.18 takes it.
const es = new ElasticsearchServer(ES_OLDEST_VERSION, ES_OLDEST_JAVA_HOME);

beforeAll(async () => {
  // The node's disk monitor lifts a flood-stage block at its next disk check when the disk is not full (every 30 s
  // by default, DiskThresholdMonitor's auto-release); checking hourly keeps the blocks below on while a test needs them.
  if (missingWithElasticsearch.length === 0) await startForCollector(es, ['cluster.info.update.interval: 1h']);
}, 240_000);

afterAll(async () => {
  await es.stop();
});

describe.runIf(missingWithElasticsearch.length === 0)(
  `collector/config.yaml end to end (Elasticsearch ${ES_OLDEST_VERSION})`,
  () => {
    const backends = new CollectorBackends(es, SENTRY_PROJECT, SENTRY_KEY);
    const prometheus = new PrometheusServer();
    let ports: CollectorPorts;
    let collector: CollectorProcess;
    let app: App;

    beforeAll(async () => {
      await backends.start();
      ports = await allocateCollectorPorts();
      collector = new CollectorProcess(ports, backends.env(ports));
      await collector.waitHealthy();
      await prometheus.start(`127.0.0.1:${ports.prometheus}`);
      app = startApp(collector);
      for (const path of ['/hello/1', '/hello/2', '/refund/7', '/login']) {
        expect((await get(await app.url(path))).status).toBeLessThan(300);
      }
    }, 60_000);

    afterAll(async () => {
      await app?.stop('SIGKILL');
      await collector?.stop();
      await prometheus.stop();
      await backends.stop();
    });

    it('the health check answers 200 with the server available', async () => {
      const res = await get(collector.healthUrl);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ status: 'Server available' });
    });

    it('log records are searchable in Elasticsearch by the trace id the app printed, with its span id', async () => {
      for (const message of ['said hello', 'refund requested', 'logged in']) {
        const line = printed(app, message);
        expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
        const hits = await es.waitForHits(LOGS, term('trace_id', line.trace_id), 1);
        expect(hits.map(hitBody), `log documents in trace ${line.trace_id}`).toEqual([message]);
        const doc = hits[0]!;
        expect(doc._source.span_id).toBe(line.span_id);
        expect(doc._index).toMatch(/^\.ds-logs-generic\.otel-default-/);
        expect(doc._source.severity_number).toBe(SEVERITY_NUMBER[line.level]);
        expect(hitService(doc)).toBe(SERVICE);
        expect(await es.search(LOGS, term('request_id', line.request_id))).toHaveLength(1);
      }
      // Two requests to /hello: two records, each in its own trace.
      const hellos = await es.search(LOGS, all(term('service.name', SERVICE), { match_phrase: { message: 'said hello' } }));
      expect(new Set(hellos.map((d) => d._source.trace_id)).size).toBe(2);
    });

    it('spans are searchable: the span each log line names, and the server span of its trace', async () => {
      for (const line of ['said hello', 'refund requested', 'logged in'].map((m) => printed(app, m))) {
        await es.waitForHits(TRACES, term('span_id', line.span_id), 1);
        const trace = await es.search(TRACES, term('trace_id', line.trace_id));
        expect(trace.some((d) => d._source.span_id === line.span_id)).toBe(true);
        expect(trace.some((d) => d._source.kind === 'Server' && !d._source.parent_span_id)).toBe(true);
        expect(trace.every((d) => /^\.ds-traces-generic\.otel-default-/.test(d._index))).toBe(true);
      }
    });

    it('Sentry receives the traces with its key, and of the logs only WARN and above', async () => {
      const { sentry } = backends;
      const lines = ['said hello', 'refund requested', 'logged in'].map((m) => printed(app, m));
      await sentry.waitFor(
        () => lines.every((l) => sentry.spans.some((s) => s.spanId === l.span_id)) && sentry.logs.length > 0,
        20_000,
        'traces and the warning in Sentry',
      );
      const refund = printed(app, 'refund requested');
      const warning = sentry.logs.find((l) => l.body === 'refund requested');
      expect(warning).toMatchObject({ traceId: refund.trace_id, spanId: refund.span_id, severityNumber: 13 });
      // The INFO records went to Elasticsearch (they are there by now) but never to Sentry.
      await es.waitForHits(LOGS, term('trace_id', printed(app, 'logged in').trace_id), 1);
      await sleep(1000);
      expect(sentry.logs.map((l) => l.body)).toEqual(['refund requested']);
      expect(sentry.logs.every((l) => (l.severityNumber ?? 0) >= 13)).toBe(true);
      // Every export used the signal paths Sentry offers and carried the project's key.
      expect(sentry.requests.length).toBeGreaterThan(0);
      for (const request of sentry.requests) {
        expect(request.path).toMatch(new RegExp(`^/api/${SENTRY_PROJECT}/integration/otlp/v1/(traces|logs)$`));
        expect(request.status).toBe(200);
        expect(request.headers['x-sentry-auth']).toBe(`sentry sentry_key=${SENTRY_KEY}`);
      }
    });

    it('the Sentry stand-in refuses a wrong key with 401 (so the check above means something)', async () => {
      const url = `${backends.sentry.otlpEndpoint}/v1/traces`;
      const headers = { 'content-type': 'application/x-protobuf', 'x-sentry-auth': 'sentry sentry_key=wrong' };
      expect((await fetch(url, { method: 'POST', headers, body: new Uint8Array() })).status).toBe(401);
      expect((await fetch(url, { method: 'POST', body: new Uint8Array() })).status).toBe(401);
    });

    it('the collector masks secrets in span attributes before any backend sees them', async () => {
      const { sentry } = backends;
      const login = printed(app, 'logged in');
      const [doc] = await es.waitForHits(TRACES, term('span_id', login.span_id), 1);
      await sentry.waitFor(() => sentry.spans.some((s) => s.spanId === login.span_id), 20_000, 'the /login span in Sentry');
      expect(hitAttrs(doc!)).toMatchObject({ 'user.password': '****', session_token: '****', 'app.login.method': 'password' });
      const span = sentry.spans.find((s) => s.spanId === login.span_id)!;
      expect(span.attributes).toMatchObject({ 'user.password': '****', session_token: '****' });
      const stored = await es.search(`${LOGS},${TRACES}`, term('service.name', SERVICE));
      expect(stored.length).toBeGreaterThan(4);
      for (const text of [JSON.stringify(stored), jsonWithBigInts(sentry.spans)]) {
        expect(text).not.toContain('span-secret');
      }
      expect(await es.search(`${LOGS},${TRACES}`, { query_string: { query: '*span-secret*' } })).toHaveLength(0);
    });

    it('Prometheus scrapes the request duration with service name and deployment environment labels', async () => {
      const samples = await eventually(
        async () => {
          const result = await prometheus.query(`http_server_request_duration_seconds_count{service_name="${SERVICE}"}`);
          return result.some((s) => s.metric.http_route === '/hello/:id' && Number(s.value[1]) >= 2) ? result : undefined;
        },
        30_000,
        'http_server_request_duration_seconds_count in Prometheus',
      );
      const hello = samples.find((s) => s.metric.http_route === '/hello/:id')!;
      expect(hello.metric).toMatchObject({ job: SERVICE, service_name: SERVICE, deployment_environment_name: 'e2e' });
      expect(Number(hello.value[1])).toBe(2);
      const buckets = await prometheus.query(`http_server_request_duration_seconds_bucket{service_name="${SERVICE}",le="+Inf"}`);
      expect(buckets.length).toBeGreaterThan(0);
    });

    it("the collector's own metrics are served on the telemetry port", async () => {
      const accepted = await eventually(
        async () => {
          const n = await collector.ownMetric('otelcol_receiver_accepted_log_records');
          return n >= 3 ? n : undefined;
        },
        20_000,
        'otelcol_receiver_accepted_log_records',
      );
      expect(accepted).toBeGreaterThanOrEqual(3);
      expect(await collector.ownMetric('otelcol_exporter_sent_spans', 'exporter="elasticsearch"')).toBeGreaterThan(0);
      expect(await collector.ownMetric('otelcol_exporter_sent_spans', 'exporter="otlp_http/sentry"')).toBeGreaterThan(0);
      expect(await collector.ownMetric('otelcol_elasticsearch_docs_processed', 'outcome="success"')).toBeGreaterThan(0);
    });
  },
);

/** One OTLP/HTTP JSON export of `count` numbered log records for the data stream logs-<dataset>.otel-default. */
async function exportBurst(
  collector: CollectorProcess,
  dataset: string,
  tag: string,
  count: number,
  extra: { key: string; value: { stringValue: string } }[] = [],
): Promise<void> {
  const nanos = String(BigInt(Date.now()) * 1_000_000n);
  const logRecords = range(count).map((seq) => ({
    timeUnixNano: nanos,
    severityNumber: 9,
    body: { stringValue: `burst ${tag} ${seq}` },
    attributes: [
      { key: 'data_stream.dataset', value: { stringValue: dataset } },
      { key: 'burst_tag', value: { stringValue: tag } },
      { key: 'seq', value: { intValue: String(seq) } },
      ...extra,
    ],
  }));
  const body = {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'collector-refusals' } }] },
        scopeLogs: [{ scope: { name: 'refusals' }, logRecords }],
      },
    ],
  };
  const res = await fetch(`${collector.otlpHttpUrl}/v1/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.text()).toBe(200);
}

/**
 * The block Elasticsearch puts on an index when the disk passes the flood-stage watermark: writes get 429. Set by
 * hand here, and lifted by hand (the cluster's disk checks, which would lift it, are hourly in this file).
 */
const FLOOD_STAGE_BLOCK = 'index.blocks.read_only_allow_delete';

/** Creates the data stream logs-<dataset>.otel-default with one record, then puts `block` on its backing indices. */
async function blocked(collector: CollectorProcess, dataset: string, block: string): Promise<string> {
  const stream = `logs-${dataset}.otel-default`;
  await exportBurst(collector, dataset, `${dataset}-first`, 1);
  await es.waitForHits(stream, term('burst_tag', `${dataset}-first`), 1);
  await es.ok('PUT', `/${stream}/_settings`, { [block]: true });
  return stream;
}

/** Waits until the collector has retried at least `count` more documents than `before`: Elasticsearch refused them. */
async function retried(collector: CollectorProcess, before: number, count: number): Promise<void> {
  await eventually(
    async () => ((await collector.ownMetric('otelcol_elasticsearch_docs_retried')) >= before + count ? true : undefined),
    20_000,
    `${count} refused documents retried`,
  );
}

describe.runIf(missingWithElasticsearch.length === 0)(
  `collector/config.yaml: Elasticsearch ${ES_OLDEST_VERSION} refusing documents`,
  () => {
    const backends = new CollectorBackends(es, SENTRY_PROJECT, SENTRY_KEY);
    let collector: CollectorProcess;

    beforeAll(async () => {
      await backends.start();
      const ports = await allocateCollectorPorts();
      collector = new CollectorProcess(ports, backends.env(ports));
      await collector.waitHealthy();
    }, 60_000);

    afterAll(async () => {
      await collector?.stop();
      await backends.stop();
    });

    it('a flood-stage block (429 per document, as when the disk fills): retried, every record arrives once when it lifts', async () => {
      const stream = await blocked(collector, 'flood', FLOOD_STAGE_BLOCK);
      const retriedBefore = await collector.ownMetric('otelcol_elasticsearch_docs_retried');
      await exportBurst(collector, 'flood', 'flood', 30);
      await retried(collector, retriedBefore, 30);
      expect(await es.search(stream, term('burst_tag', 'flood'))).toHaveLength(0);
      await es.ok('PUT', `/${stream}/_settings`, { [FLOOD_STAGE_BLOCK]: null });
      await expectSearchedOnce(es, stream, 'flood', 30, 45_000);
      expect(await collector.ownMetric('otelcol_elasticsearch_docs_processed', 'error_type="cluster_block_exception"')).toBe(0);
    }, 90_000);

    it('a write block (403 per document): not retried, each counted with its reason and logged; other streams go on', async () => {
      const stream = await blocked(collector, 'wblock', 'index.blocks.write');
      const counted = () => collector.ownMetric('otelcol_elasticsearch_docs_processed', 'error_type="cluster_block_exception"');
      const retriedBefore = await collector.ownMetric('otelcol_elasticsearch_docs_retried');
      await exportBurst(collector, 'wblock', 'wblock', 5);
      await exportBurst(collector, 'unblocked', 'unblocked', 5);
      await eventually(async () => ((await counted()) >= 5 ? true : undefined), 20_000, 'the 5 refused documents counted');
      await expectSearchedOnce(es, 'logs-unblocked.otel-default', 'unblocked', 5, 20_000);
      expect(await counted()).toBe(5);
      expect(await collector.ownMetric('otelcol_elasticsearch_docs_processed', 'outcome="failed_client"')).toBe(5);
      expect(await collector.ownMetric('otelcol_elasticsearch_docs_retried')).toBe(retriedBefore);
      expect(collector.output).toMatch(/index write \(api\)/);
      await es.ok('PUT', `/${stream}/_settings`, { 'index.blocks.write': null });
      expect(await es.search(stream, term('burst_tag', 'wblock'))).toHaveLength(0);
    }, 60_000);

    it('a mapping conflict (400): the reason Elasticsearch gives is in the log (include_source_on_error, new in 8.18)', async () => {
      await putStrictOrderTotalTemplate(es, 'strict-refusals', 'strictrefusals');
      const failed = () => collector.ownMetric('otelcol_elasticsearch_docs_processed', 'error_type="document_parsing_exception"');
      const failedBefore = await failed();
      await exportBurst(collector, 'strictrefusals', 'strict-string', 1, [
        { key: 'order.total', value: { stringValue: 'seven' } },
      ]);
      await eventually(async () => ((await failed()) > failedBefore ? true : undefined), 20_000, 'the refused document counted');
      await eventually(
        async () =>
          /failed to parse field \[attributes\.order\.total\] of type \[long\]/.test(collector.output) ? true : undefined,
        5_000,
        `the reason in the collector's log\n${collector.output}`,
      );
      expect(await failed()).toBe(failedBefore + 1);
    }, 60_000);
  },
);

// The Elasticsearch fault injector (test/harness/elasticsearch-fault-injector.ts) in place of the cluster: a 503
// on every bulk request for as long as a test wants, and a per-document 500, neither of which a real single node
// can be made to show (collector/README.md). Refusals a real node can show are tested on it above.
describe.runIf(missingWithElasticsearch.length === 0)(
  `collector/config.yaml: restarts while Elasticsearch ${ES_OLDEST_VERSION} refuses lose nothing`,
  () => {
    const backends = new CollectorBackends(es, SENTRY_PROJECT, SENTRY_KEY);
    let ports: CollectorPorts;
    let collector: CollectorProcess;
    let app: App;

    beforeAll(async () => {
      await backends.start();
      ports = await allocateCollectorPorts();
      collector = new CollectorProcess(ports, backends.env(ports));
      await collector.waitHealthy();
      app = startApp(collector);
      await app.port();
    }, 60_000);

    afterAll(async () => {
      await app?.stop('SIGKILL');
      await collector?.stop();
      await backends.stop();
    });

    async function restart(): Promise<void> {
      collector = new CollectorProcess(ports, backends.env(ports));
      await collector.waitHealthy();
    }

    it('the collector killed (SIGKILL) with records Elasticsearch refuses (429) sends them after a restart', async () => {
      const stream = await blocked(collector, 'killed', FLOOD_STAGE_BLOCK);
      const retriedBefore = await collector.ownMetric('otelcol_elasticsearch_docs_retried');
      await exportBurst(collector, 'killed', 'killed', 40);
      await retried(collector, retriedBefore, 40);
      await collector.stop('SIGKILL');
      await es.ok('PUT', `/${stream}/_settings`, { [FLOOD_STAGE_BLOCK]: null });
      expect(await es.search(stream, term('burst_tag', 'killed'))).toHaveLength(0);
      await restart();
      await expectSearchedOnce(es, stream, 'killed', 40, 45_000);
    }, 90_000);

    it('the collector stopped like an orchestrator does (SIGTERM, SIGKILL 5 s later) while Elasticsearch refuses: nothing lost', async () => {
      const stream = await blocked(collector, 'stopped', FLOOD_STAGE_BLOCK);
      const retriedBefore = await collector.ownMetric('otelcol_elasticsearch_docs_retried');
      await exportBurst(collector, 'stopped', 'stopped', 40);
      await retried(collector, retriedBefore, 40);
      // The shutdown waits for the bulk requests being retried (see config.yaml), so the kill usually comes.
      await collector.stop('SIGTERM', 5_000);
      await es.ok('PUT', `/${stream}/_settings`, { [FLOOD_STAGE_BLOCK]: null });
      expect(await es.search(stream, term('burst_tag', 'stopped'))).toHaveLength(0);
      await restart();
      await expectSearchedOnce(es, stream, 'stopped', 40, 45_000);
    }, 90_000);

    it('Sentry answering 503, the collector killed and restarted meanwhile: the warning arrives exactly once', async () => {
      const { sentry } = backends;
      sentry.respondWith = 503;
      expect((await get(await app.url('/refund/outage'))).status).toBe(202);
      await eventually(
        async () => (sentry.requests.some((r) => r.status === 503) ? true : undefined),
        20_000,
        'the collector to try Sentry and be refused',
      );
      await collector.stop('SIGKILL');
      sentry.respondWith = 200;
      await restart();
      const isWarning = (l: { body: unknown; attributes: Record<string, unknown> }) =>
        l.body === 'refund requested' && l.attributes.order_id === 'outage';
      await sentry.waitFor(() => sentry.logs.some(isWarning), 45_000, 'the warning after the outage');
      await sleep(1500);
      expect(sentry.logs.filter(isWarning)).toHaveLength(1);
    }, 90_000);
  },
);

describe.runIf(missing.length === 0)('collector/config.yaml: outages lose nothing (Elasticsearch fault injector)', () => {
  const backends = new FaultInjectingBackends(SENTRY_PROJECT, SENTRY_KEY);
  let collector: CollectorProcess;
  let app: App;

  beforeAll(async () => {
    await backends.start();
    const ports = await allocateCollectorPorts();
    collector = new CollectorProcess(ports, backends.env(ports));
    await collector.waitHealthy();
    app = startApp(collector);
    await app.port();
  }, 60_000);

  afterAll(async () => {
    await app?.stop('SIGKILL');
    await collector?.stop();
    await backends.stop();
  });

  async function burst(tag: string, count: number): Promise<void> {
    expect((await get(await app.url(`/burst/${tag}/${count}`))).status).toBe(200);
  }

  /** Waits until Elasticsearch has refused at least one more bulk request than before. */
  async function refusedOnce(before: number): Promise<void> {
    await eventually(
      async () => (backends.es.bulkRequests.filter((r) => r.status !== 200).length > before ? true : undefined),
      20_000,
      'the collector to try Elasticsearch and be refused',
    );
  }

  it('Elasticsearch answering 503 for a while: every record arrives exactly once after it recovers', async () => {
    const { es } = backends;
    const refusedBefore = es.bulkRequests.filter((r) => r.status !== 200).length;
    es.bulkStatus = 503;
    await burst('outage', 50);
    await refusedOnce(refusedBefore);
    await sleep(3000);
    expect(burstDocs(es, 'outage')).toHaveLength(0);
    es.bulkStatus = 200;
    await expectDeliveredOnce(es, 'outage', 50, 45_000, '50 records after the outage');
  }, 90_000);

  // A per-document 500 is a fault a real cluster cannot be made to show on demand, hence the fault injector. Such a
  // document is never retried (config.yaml's retry_on_status): it cannot hold a consumer, and it is counted.
  it('a document rejected with 500 inside a bulk response is not retried: counted once, the others arrive', async () => {
    const { es } = backends;
    const failedBefore = await collector.ownMetric('otelcol_elasticsearch_docs_processed', 'outcome="failed_server"');
    es.failNextDocuments(500, 1, 'logs-');
    await burst('poisoned', 20);
    await es.waitFor(() => burstDocs(es, 'poisoned').length >= 19, 30_000, '19 of 20 records');
    await sleep(2000);
    expect(burstDocs(es, 'poisoned')).toHaveLength(19);
    expect(await collector.ownMetric('otelcol_elasticsearch_docs_processed', 'outcome="failed_server"')).toBe(failedBefore + 1);
    expect(collector.output).toMatch(/failed to index document/);
  }, 60_000);
});

describe.runIf(missingWithElasticsearch.length === 0)(
  `collector/config.filelog.yaml: otelkit JSON log files (Elasticsearch ${ES_OLDEST_VERSION})`,
  () => {
    const backends = new CollectorBackends(es, SENTRY_PROJECT, SENTRY_KEY);
    let logDir = '';
    let collector: CollectorProcess;

    const lines = [
      {
        timestamp: '2026-11-23T19:01:13.948Z',
        level: 'INFO',
        logger_name: 'orders',
        message: 'said hello',
        service_name: 'orders-api',
        trace_id: '57a1beba2dcce259111fcad65fe9d8c6',
        span_id: 'afb41608f9a620df',
        request_id: 'abc-123',
      },
      {
        timestamp: '2026-11-23T19:01:14.001Z',
        level: 'WARNING',
        logger_name: 'orders',
        message: 'refund requested',
        service_name: 'orders-api',
        trace_id: '57a1beba2dcce259111fcad65fe9d8c6',
        span_id: 'afb41608f9a620df',
        request_id: 'abc-123',
        order_id: '7',
      },
      { timestamp: '2026-11-23T19:01:15.250Z', level: 'DEBUG', logger_name: 'jobs', message: 'tick', service_name: 'orders-api' },
      {
        timestamp: '2026-11-23T19:01:16.500Z',
        level: 'CRITICAL',
        logger_name: 'jobs',
        message: 'disk full',
        service_name: 'orders-api',
      },
    ];

    beforeAll(async () => {
      await backends.start();
      const ports = await allocateCollectorPorts();
      logDir = mkdtempSync(join(tmpdir(), 'otelkit-filelog-'));
      const logFile = join(logDir, 'orders-api.log');
      writeFileSync(logFile, '');
      collector = new CollectorProcess(ports, backends.env(ports, { OTELCOL_FILELOG_INCLUDE: join(logDir, '*.log') }), [
        COLLECTOR_CONFIG,
        FILELOG_OVERLAY,
      ]);
      await collector.waitHealthy();
      appendFileSync(logFile, [...lines.map((l) => JSON.stringify(l)), 'plain text, not JSON', ''].join('\n'));
    }, 60_000);

    afterAll(async () => {
      await collector?.stop();
      await backends.stop();
      if (logDir) rmSync(logDir, { recursive: true, force: true });
    });

    /** The documents read from this suite's log folder, once at least `count` are searchable. */
    const fromFiles = (count: number, also: object[] = []) =>
      es.waitForHits(LOGS, all({ prefix: { 'log.file.path': `${logDir}/` } }, ...also), count, 30_000);

    it('each line becomes a log record with its timestamp, severity, trace context, scope and service', async () => {
      const docs = await fromFiles(5);
      const hello = docs.find((d) => hitBody(d) === 'said hello')!;
      // The otel mapping mode writes @timestamp as epoch milliseconds (with nanoseconds as the fraction).
      expect(Number(hello._source['@timestamp'])).toBe(Date.parse('2026-11-23T19:01:13.948Z'));
      expect(hello._source).toMatchObject({
        severity_text: 'INFO',
        severity_number: 9,
        trace_id: '57a1beba2dcce259111fcad65fe9d8c6',
        span_id: 'afb41608f9a620df',
        scope: { name: 'orders' },
      });
      expect(hitService(hello)).toBe('orders-api');
      expect(hitAttrs(hello)).toMatchObject({ request_id: 'abc-123' });
      // Parsed into the record's own fields, not kept twice as attributes.
      for (const key of ['timestamp', 'level', 'trace_id', 'span_id', 'logger_name', 'message', 'service_name']) {
        expect(hitAttrs(hello)).not.toHaveProperty(key);
      }
      const severities = Object.fromEntries(docs.map((d) => [hitBody(d), d._source.severity_number]));
      expect(severities).toMatchObject({ 'refund requested': 13, tick: 5, 'disk full': 21 });
      expect(docs.some((d) => hitBody(d) === 'plain text, not JSON')).toBe(true);
      // Searchable as a user would look for them: by trace, request id, service and level.
      expect(await es.search(LOGS, term('trace_id', '57a1beba2dcce259111fcad65fe9d8c6'))).toHaveLength(2);
      expect(await es.search(LOGS, term('request_id', 'abc-123'))).toHaveLength(2);
      expect(
        await es.search(LOGS, all(term('service.name', 'orders-api'), { range: { severity_number: { gte: 17 } } })),
      ).toHaveLength(1);
    });

    it('WARNING and CRITICAL lines go to Sentry as well, the others do not', async () => {
      const { sentry } = backends;
      await sentry.waitFor(() => sentry.logs.length >= 2, 20_000, 'the two lines at WARN and above');
      await fromFiles(5);
      await sleep(1000);
      expect(sentry.logs.map((l) => l.body).sort()).toEqual(['disk full', 'refund requested']);
      expect(sentry.logs.find((l) => l.body === 'refund requested')).toMatchObject({
        traceId: '57a1beba2dcce259111fcad65fe9d8c6',
        spanId: 'afb41608f9a620df',
      });
    });

    it('lines of a rotating otelkit log file arrive exactly once', async () => {
      // The app writes 60 numbered lines through otelkit's rotating file (4 kB files, renamed app.log → app1.log …
      // as they fill); the collector tails *.log in the same folder.
      const app = new App('logging-app.cjs', {
        env: {
          OTEL_SDK_DISABLED: 'true',
          OTELKIT_LOG_FILE: join(logDir, 'app.log'),
          OTELKIT_LOG_FILE_MAX_SIZE: '4kb',
          OTELKIT_LOG_FILE_MAX_FILES: '50',
        },
      });
      try {
        expect((await get(await app.url('/spam/60'))).status).toBe(200);
        const filler = [{ match_phrase: { message: 'filler line for rotation' } }];
        await fromFiles(60, filler);
        await sleep(1500); // a duplicate, if the rotation made the receiver read a file twice, would arrive now
        // The file really rotated (60 lines of ~400 bytes over 4 kB files).
        expect(readdirSync(logDir).filter((f) => /^app\d*\.log$/.test(f)).length).toBeGreaterThan(3);
        const numbers = (await fromFiles(60, filler)).map((d) => Number(hitAttrs(d).i));
        expect(numbers).toHaveLength(60);
        expect(new Set(numbers).size).toBe(60);
      } finally {
        await app.stop('SIGKILL');
      }
    });
  },
);

requirePrerequisites('collector end to end', missing);
requirePrerequisites('collector end to end → real Elasticsearch', missingElasticsearch());
