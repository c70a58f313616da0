// The Kibana saved objects in collector/kibana/otelkit.ndjson (data views, saved searches, the logs dashboard)
// against a real Elasticsearch (test/harness/elasticsearch.ts, set up by collector/elasticsearch/setup.sh) that
// an app under `--require otelkit/register` → the collector (collector/config.yaml) wrote to. Kibana itself does
// not run here, so each object is checked the way Kibana would use it: every data view's pattern resolves to the
// data streams written and its time field is a date; every field a saved search shows, sorts or queries on is
// mapped and searchable (field_caps); and each saved search's KQL query, run as the equivalent Elasticsearch
// query, returns the documents it is meant to find.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, fastExportEnv, REPO_ROOT } from '../harness/app';
import { ElasticsearchServer, ES_PASSWORD, ES_SUPERUSER, missingElasticsearch, runSetupJob } from '../harness/elasticsearch';
import { SentryStandin } from '../harness/sentry-standin';
import {
  allocateCollectorPorts,
  collectorEnv,
  CollectorProcess,
  missingPrerequisites,
  requirePrerequisites,
} from './collector-harness';

const SAVED_OBJECTS = join(REPO_ROOT, 'collector', 'kibana', 'otelkit.ndjson');
const SENTRY_PROJECT = '4508123';
const SENTRY_KEY = 'e2e5ca1ab1e0public0key';

interface SavedObject {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  references?: { id: string; type: string; name: string }[];
}

const objects = readFileSync(SAVED_OBJECTS, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as SavedObject);
const byId = new Map(objects.map((o) => [o.id, o]));

/** Field names in a KQL query: `name:` or `name >`, `name <` and the like. */
function kqlFields(query: string): string[] {
  return [...query.matchAll(/([A-Za-z_@][\w.@]*)\s*(?::|>=|<=|>|<)/g)].map((m) => m[1]!);
}

/** The data view a saved search reads, and the fields it references. */
function searchFields(search: SavedObject): { dataView: SavedObject; fields: string[] } {
  const source = JSON.parse((search.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON) as {
    query: { query: string; language: string };
  };
  const ref = search.references!.find((r) => r.type === 'index-pattern')!;
  const dataView = byId.get(ref.id)!;
  const sort = (search.attributes.sort as [string, string][]).map(([field]) => field);
  expect(source.query.language).toBe('kuery');
  return { dataView, fields: [...(search.attributes.columns as string[]), ...sort, ...kqlFields(source.query.query)] };
}

/**
 * The saved searches' KQL as an Elasticsearch query_string query: `field : "value"`, `field >= n` and the like,
 * joined by `and` / `or`. Anything else throws, so a saved search using more of KQL gets a translation here.
 */
function kqlToQueryString(kql: string): string {
  const clause = /^\s*([A-Za-z_@][\w.@]*)\s*(:|>=|<=|>|<)\s*("[^"]*"|[\w.-]+)\s*$/;
  return kql
    .split(/\s+(and|or)\s+/i)
    .map((part, i) => {
      if (i % 2 === 1) return part.toUpperCase();
      const m = clause.exec(part);
      if (!m) throw new Error(`KQL clause not translated: ${part}`);
      const [, field, op, value] = m;
      return op === ':' ? `${field}:${value}` : `${field}:${op}${value}`;
    })
    .join(' ');
}

const missing = [...missingPrerequisites(false), ...missingElasticsearch()];

describe.runIf(missing.length === 0)('Kibana saved objects against a real Elasticsearch the collector wrote to', () => {
  const es = new ElasticsearchServer();
  const sentry = new SentryStandin(SENTRY_PROJECT, SENTRY_KEY); // Sentry's OTLP endpoint has no real server here
  let storageDir = '';
  let collector: CollectorProcess;
  let app: App;
  let orderRequestId = '';

  beforeAll(async () => {
    storageDir = mkdtempSync(join(tmpdir(), 'otelkit-kibana-storage-'));
    await es.start();
    await runSetupJob(es);
    await sentry.start();
    const ports = await allocateCollectorPorts();
    collector = new CollectorProcess(
      ports,
      collectorEnv(ports, storageDir, {
        ELASTICSEARCH_ENDPOINT: es.url,
        ELASTICSEARCH_USERNAME: ES_SUPERUSER,
        ELASTICSEARCH_PASSWORD: ES_PASSWORD,
        SENTRY_OTLP_ENDPOINT: sentry.otlpEndpoint,
        SENTRY_PUBLIC_KEY: SENTRY_KEY,
        OTELCOL_BATCH_TIMEOUT: '200ms',
      }),
    );
    await collector.waitHealthy();
    app = new App('logging-app.cjs', {
      env: {
        ...fastExportEnv(collector.otlpHttpUrl),
        OTEL_SERVICE_NAME: 'kibana-e2e',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=e2e',
      },
    });
    const base = await app.url('');
    // An ERROR record (/fail), ordinary records, and a request slower than the slow-request search's 2 s.
    const [order] = await Promise.all([fetch(`${base}/orders/1`), fetch(`${base}/fail`), fetch(`${base}/orders/2?delay=2100`)]);
    orderRequestId = ((await order!.json()) as { requestId: string }).requestId;
    await es.waitForHits('logs-*.otel-*', { range: { severity_number: { gte: 17 } } }, 1, 60_000);
    await es.waitForHits('traces-*.otel-*', { range: { duration: { gt: 2e9 } } }, 1, 60_000);
    await es.waitForHits('logs-*.otel-*', { term: { 'attributes.request_id': orderRequestId } }, 1, 60_000);
  }, 240_000);

  afterAll(async () => {
    await app?.stop();
    await collector?.stop();
    await es.stop();
    await sentry.stop();
    if (storageDir) rmSync(storageDir, { recursive: true, force: true });
  });

  /** field_caps over a data view's pattern: each field's types and whether it can be searched. */
  async function fieldCaps(pattern: string): Promise<Record<string, Record<string, { searchable: boolean }>>> {
    const body = await es.ok<{ fields: Record<string, Record<string, { searchable: boolean }>> }>(
      'GET',
      `/${pattern}/_field_caps?fields=*`,
    );
    return body.fields;
  }

  /** The documents a saved search finds: its KQL query over its data view's pattern. */
  async function run(search: SavedObject, replace: Record<string, string> = {}) {
    const source = JSON.parse((search.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON) as {
      query: { query: string };
    };
    let kql = source.query.query;
    for (const [from, to] of Object.entries(replace)) kql = kql.replace(from, to);
    const { dataView } = searchFields(search);
    return es.search(dataView.attributes.title as string, { query_string: { query: kqlToQueryString(kql) } });
  }
  it('ships data views for logs and traces, three saved searches and a logs dashboard', () => {
    expect(
      objects
        .filter((o) => o.type === 'index-pattern')
        .map((o) => o.id)
        .sort(),
    ).toEqual(['otelkit-logs', 'otelkit-traces']);
    expect(
      objects
        .filter((o) => o.type === 'search')
        .map((o) => o.id)
        .sort(),
    ).toEqual(['otelkit-errors-last-hour', 'otelkit-one-request', 'otelkit-slow-requests']);
    expect(objects.filter((o) => o.type === 'dashboard').map((o) => o.id)).toEqual(['otelkit-logs-dashboard']);
  });

  for (const id of ['otelkit-logs', 'otelkit-traces']) {
    it(`data view ${id}: its pattern resolves to the data streams written, and its time field is a date`, async () => {
      const dataView = byId.get(id)!;
      const resolved = await es.ok<{ data_streams: { name: string }[] }>(
        'GET',
        `/_resolve/index/${String(dataView.attributes.title)}`,
      );
      expect(resolved.data_streams.map((d) => d.name)).toContain(
        id === 'otelkit-logs' ? 'logs-generic.otel-default' : 'traces-generic.otel-default',
      );
      const caps = await fieldCaps(dataView.attributes.title as string);
      expect(Object.keys(caps[dataView.attributes.timeFieldName as string] ?? {})).toEqual(['date']);
    });
  }

  for (const id of ['otelkit-errors-last-hour', 'otelkit-one-request', 'otelkit-slow-requests']) {
    it(`saved search ${id}: every column, sort and query field is mapped and searchable`, async () => {
      const { dataView, fields } = searchFields(byId.get(id)!);
      const caps = await fieldCaps(dataView.attributes.title as string);
      for (const field of fields) {
        const types = Object.values(caps[field] ?? {});
        expect(types.length, `${id} references ${field}, which is not mapped`).toBeGreaterThan(0);
        expect(
          types.every((t) => t.searchable),
          `${id}: ${field} searchable`,
        ).toBe(true);
      }
    });
  }

  it('saved search otelkit-errors-last-hour finds the ERROR record and nothing below it', async () => {
    const hits = await run(byId.get('otelkit-errors-last-hour')!);
    expect(hits.map((h) => (h._source.body as { text: string }).text)).toEqual(['order failed']);
  });

  it("saved search otelkit-one-request, given a request id, finds exactly that request's log records", async () => {
    const hits = await run(byId.get('otelkit-one-request')!, { 'REPLACE-WITH-REQUEST-ID': orderRequestId });
    expect(hits.length).toBeGreaterThan(0);
    for (const hit of hits) expect((hit._source.attributes as Record<string, unknown>).request_id).toBe(orderRequestId);
    expect(hits.map((h) => (h._source.body as { text: string }).text)).toContain('order viewed');
  });

  it('saved search otelkit-slow-requests finds the server span slower than 2 s, not the fast ones', async () => {
    const hits = await run(byId.get('otelkit-slow-requests')!);
    expect(hits.map((h) => h._source.name)).toEqual(['GET /orders/:id']);
    expect(Number(hits[0]!._source.duration)).toBeGreaterThan(2e9);
  });

  it('the dashboard embeds the saved searches it references, and each reference resolves', () => {
    const dashboard = byId.get('otelkit-logs-dashboard')!;
    const panels = JSON.parse(dashboard.attributes.panelsJSON as string) as { panelRefName: string }[];
    expect(panels.length).toBeGreaterThanOrEqual(3);
    for (const panel of panels) {
      const ref = dashboard.references!.find((r) => r.name === panel.panelRefName);
      expect(ref, `reference ${panel.panelRefName}`).toBeDefined();
      expect(byId.get(ref!.id)?.type).toBe(ref!.type);
    }
  });
});

requirePrerequisites('Kibana saved objects', missing);
