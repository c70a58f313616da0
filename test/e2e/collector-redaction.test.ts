// The built collector's redaction processor with collector/config.yaml, on the key table otelkit's own rule is tested
// with (test/fixtures/redaction-keys.json): spans and log records posted over OTLP/HTTP, then what a real
// Elasticsearch returns for them and what the Sentry stand-in received. Sensitive keys arrive as "****" whatever
// their type; every other key as it was sent.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ElasticsearchServer, missingElasticsearch, startForCollector, type SearchHit } from '../harness/elasticsearch';
import {
  allocateCollectorPorts,
  CollectorBackends,
  CollectorProcess,
  missingPrerequisites,
  requirePrerequisites,
} from './collector-harness';

const SENTRY_PROJECT = '4508124';
const SENTRY_KEY = 'e2e5ca1ab1e0redact0key';
const TRACE_ID = '5b8efff798038103d269b633813fc60c';

const table = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'redaction-keys.json'), 'utf8')) as {
  sensitive: string[];
  notSensitive: string[];
};
const KEYS = [...table.sensitive, ...table.notSensitive];
const stringValue = (key: string) => `value of ${key}`;
const intValue = (i: number) => 1000 + i;

type AnyValue = { stringValue: string } | { intValue: string };
const attributes = (value: (key: string, i: number) => AnyValue) => KEYS.map((key, i) => ({ key, value: value(key, i) }));

const SERVICE = 'redaction-e2e';
const resource = { attributes: [{ key: 'service.name', value: { stringValue: SERVICE } }] };
const nowNanos = () => String(BigInt(Date.now()) * 1_000_000n);

/** Two spans: every key with a string value, then every key with an integer value. */
function tracesRequest() {
  const span = (spanId: string, name: string, attrs: ReturnType<typeof attributes>) => ({
    traceId: TRACE_ID,
    spanId,
    name,
    kind: 2,
    startTimeUnixNano: nowNanos(),
    endTimeUnixNano: nowNanos(),
    attributes: attrs,
  });
  return {
    resourceSpans: [
      {
        resource,
        scopeSpans: [
          {
            scope: { name: 'redaction-e2e' },
            spans: [
              span(
                '1000000000000001',
                'strings',
                attributes((key) => ({ stringValue: stringValue(key) })),
              ),
              span(
                '1000000000000002',
                'integers',
                attributes((_key, i) => ({ intValue: String(intValue(i)) })),
              ),
            ],
          },
        ],
      },
    ],
  };
}

const BEARER_TEXT = 'Authorization: Bearer abcdefghijklmnop1234567890';
const PLAIN_TEXT = 'the bearer of the letter waited';

function logsRequest() {
  const record = (body: string, attrs: ReturnType<typeof attributes>) => ({
    timeUnixNano: nowNanos(),
    severityNumber: 9,
    severityText: 'INFO',
    body: { stringValue: body },
    attributes: attrs,
  });
  return {
    resourceLogs: [
      {
        resource,
        scopeLogs: [
          {
            scope: { name: 'redaction-e2e' },
            logRecords: [
              record(
                'keys',
                attributes((key) => ({ stringValue: stringValue(key) })),
              ),
              record(BEARER_TEXT, []),
              record(PLAIN_TEXT, []),
            ],
          },
        ],
      },
    ],
  };
}

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, await res.text()).toBe(200);
}

const attrs = (d: SearchHit) => (d._source.attributes ?? {}) as Record<string, unknown>;
const bodyText = (d: SearchHit) => (d._source.body as { text?: string } | undefined)?.text;
const ofService = { term: { 'service.name': SERVICE } };

/** What the table says the collector must let through for these values. */
function expected(value: (key: string, i: number) => unknown): Record<string, unknown> {
  return Object.fromEntries(KEYS.map((key, i) => [key, table.sensitive.includes(key) ? '****' : value(key, i)]));
}
const pick = (from: Record<string, unknown>) => Object.fromEntries(KEYS.map((key) => [key, from[key]]));

const missing = [...missingPrerequisites(false), ...missingElasticsearch()];

describe.runIf(missing.length === 0)("collector/config.yaml's redaction on the shared key table", () => {
  const es = new ElasticsearchServer();
  const backends = new CollectorBackends(es, SENTRY_PROJECT, SENTRY_KEY);
  const { sentry } = backends;
  let collector: CollectorProcess;

  beforeAll(async () => {
    await startForCollector(es);
    await backends.start();
    const ports = await allocateCollectorPorts();
    collector = new CollectorProcess(ports, backends.env(ports));
    await collector.waitHealthy();
    await post(`${collector.otlpHttpUrl}/v1/traces`, tracesRequest());
    await post(`${collector.otlpHttpUrl}/v1/logs`, logsRequest());
  }, 240_000);

  afterAll(async () => {
    await collector?.stop();
    await backends.stop();
    await es.stop();
  });

  const spanDoc = async (name: string) =>
    (await es.waitForHits('traces-*.otel-*', { bool: { filter: [ofService, { term: { name } }] } }, 1))[0]!;
  /** The service's three log records, once all are searchable. */
  const logDocs = () => es.waitForHits('logs-*.otel-*', ofService, 3);

  it('span attributes with string values: the sensitive keys masked, every other one unchanged', async () => {
    expect(pick(attrs(await spanDoc('strings')))).toEqual(expected((key) => stringValue(key)));
    await sentry.waitFor(() => sentry.spans.some((s) => s.name === 'strings'), 20_000, 'the span in Sentry');
    const span = sentry.spans.find((s) => s.name === 'strings')!;
    expect(pick(span.attributes as Record<string, unknown>)).toEqual(expected((key) => stringValue(key)));
  });

  it('span attributes with integer values: the sensitive keys masked too, every other one still an integer', async () => {
    expect(pick(attrs(await spanDoc('integers')))).toEqual(expected((_key, i) => intValue(i)));
  });

  it('log record attributes: the same keys masked', async () => {
    const doc = (await logDocs()).find((d) => bodyText(d) === 'keys');
    expect(doc, 'the log record').toBeDefined();
    expect(pick(attrs(doc!))).toEqual(expected((key) => stringValue(key)));
  });

  it('blocked values: a bearer token in a log body is masked, the word "bearer" in prose is not', async () => {
    const bodies = (await logDocs()).map(bodyText);
    expect(bodies).toContain(PLAIN_TEXT);
    expect(bodies).toContain('Authorization: ****');
    const stored = await es.search('logs-*.otel-*,traces-*.otel-*', ofService);
    expect(stored.length).toBe(5);
    expect(JSON.stringify(stored)).not.toContain('abcdefghijklmnop');
    expect(await es.search('logs-*.otel-*', { query_string: { query: '*abcdefghijklmnop*' } })).toHaveLength(0);
  });
});

requirePrerequisites("collector/config.yaml's redaction", missing);
