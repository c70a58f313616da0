// The Kibana saved objects in collector/kibana/otelkit.ndjson (data views, saved searches, the logs dashboard)
// against the documents the collector writes: an app under `--require otelkit/register` → the collector
// (collector/config.yaml) → the Elasticsearch stand-in. Every field an object references (time field, columns,
// sort, fields in its KQL query) must exist in the log or span documents the stand-in received, and every data
// view's pattern must match the data streams they were written to.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, fastExportEnv, REPO_ROOT } from '../harness/app';
import { ElasticsearchStandin, type StoredDocument } from '../harness/elasticsearch-standin';
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

/** Every path to a value in a document, with keys that contain dots (attribute names) joined the same way. */
function fieldPaths(value: unknown, prefix = '', into = new Set<string>()): Set<string> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) fieldPaths(child, prefix ? `${prefix}.${key}` : key, into);
  } else if (prefix) {
    into.add(prefix);
  }
  return into;
}

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

/** A Kibana index pattern (`logs-*.otel-*`) as a regular expression over data stream names. */
const patternMatches = (pattern: string, index: string) =>
  pattern.split(',').some((p) => new RegExp(`^${p.trim().replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`).test(index));

const missing = missingPrerequisites(false);

describe.runIf(missing.length === 0)('Kibana saved objects against the documents the collector writes', () => {
  const es = new ElasticsearchStandin();
  const sentry = new SentryStandin(SENTRY_PROJECT, SENTRY_KEY);
  let storageDir = '';
  let collector: CollectorProcess;
  let app: App;

  beforeAll(async () => {
    storageDir = mkdtempSync(join(tmpdir(), 'otelkit-kibana-storage-'));
    await es.start();
    await sentry.start();
    const ports = await allocateCollectorPorts();
    collector = new CollectorProcess(
      ports,
      collectorEnv(ports, storageDir, {
        ELASTICSEARCH_ENDPOINT: es.url,
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
    await Promise.all([fetch(`${base}/orders/1`), fetch(`${base}/fail`), fetch(`${base}/orders/2?delay=2100`)]);
    await es.waitFor(
      () =>
        es.documentsIn('logs-').some((d) => Number(d.source.severity_number) >= 17) &&
        es.documentsIn('traces-').some((d) => Number(d.source.duration) > 2e9),
      20_000,
      'an ERROR log document and a span slower than 2 s',
    );
  }, 40_000);

  afterAll(async () => {
    await app?.stop();
    await collector?.stop();
    await es.stop();
    await sentry.stop();
    if (storageDir) rmSync(storageDir, { recursive: true, force: true });
  });

  const docsFor = (dataView: SavedObject): StoredDocument[] =>
    es.documents.filter((d) => patternMatches(dataView.attributes.title as string, d.index));
  const fieldsOf = (docs: StoredDocument[]) => {
    const fields = new Set<string>();
    for (const d of docs) fieldPaths(d.source, '', fields);
    return fields;
  };

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
    it(`data view ${id}: its pattern matches the data streams written, and its time field exists`, () => {
      const dataView = byId.get(id)!;
      const docs = docsFor(dataView);
      expect(docs.length, `documents matching ${String(dataView.attributes.title)}`).toBeGreaterThan(0);
      expect([...fieldsOf(docs)]).toContain(dataView.attributes.timeFieldName);
    });
  }

  for (const id of ['otelkit-errors-last-hour', 'otelkit-one-request', 'otelkit-slow-requests']) {
    it(`saved search ${id}: every column, sort and query field exists in the documents`, () => {
      const { dataView, fields } = searchFields(byId.get(id)!);
      const present = fieldsOf(docsFor(dataView));
      for (const field of fields) expect([...present], `${id} references ${field}`).toContain(field);
    });
  }

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
