// collector/config.pseudonymise.yaml through the built collector: an app under `--require otelkit/register` logs and
// traces a user's id, name, e-mail and IP address; what a real Elasticsearch stores carries the HMAC-SHA256
// of each value under the configured key instead (the same value in every log record and span, so records stay
// joinable), and the personal data nowhere. Without the key the configuration does not validate.
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, fastExportEnv, get, REPO_ROOT } from '../harness/app';
import { ElasticsearchServer, missingElasticsearch, startForCollector, type SearchHit } from '../harness/elasticsearch';
import {
  allocateCollectorPorts,
  COLLECTOR_BINARY,
  COLLECTOR_CONFIG,
  CollectorBackends,
  CollectorProcess,
  missingPrerequisites,
  requirePrerequisites,
} from './collector-harness';

const run = promisify(execFile);
const OVERLAY = join(REPO_ROOT, 'collector', 'config.pseudonymise.yaml');
const SENTRY_PROJECT = '4508123';
const SENTRY_KEY = 'e2e5ca1ab1e0public0key';
const KEY = 'e2e-pseudonymisation-key-0123456789abcdef';

const hmac = (value: string) => createHmac('sha256', KEY).update(value).digest('hex');
const SERVICE = 'accounts';
const attrs = (d: SearchHit) => (d._source.attributes ?? {}) as Record<string, unknown>;
const bodyText = (d: SearchHit) => (d._source.body as { text?: string } | undefined)?.text ?? '';
const HASH = /^[0-9a-f]{64}$/;
/** A hashed IP: the whole address, or the IPv4 part of an IPv4-mapped IPv6 address. */
const HASHED_IP = /^(::ffff:)?[0-9a-f]{64}$/;
const json = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));

/** Each pipeline's processor list under `service: pipelines:` (the configs write them as flow lists). */
function pipelineProcessors(file: string): Record<string, string[]> {
  const text = readFileSync(file, 'utf8');
  const pipelines = text.slice(text.indexOf('\n  pipelines:\n'));
  return Object.fromEntries(
    [...pipelines.matchAll(/\n {4}([a-z/_]+):\n(?: {6}(?!processors)[a-z]+: .*\n)* {6}processors: \[(.*)\]/g)].map((m) => [
      m[1]!,
      m[2]!.split(',').map((p) => p.trim()),
    ]),
  );
}

const missing = [...missingPrerequisites(false), ...missingElasticsearch()];

describe.runIf(missing.length === 0)('pseudonymisation overlay (config.pseudonymise.yaml)', () => {
  const es = new ElasticsearchServer();
  const backends = new CollectorBackends(es, SENTRY_PROJECT, SENTRY_KEY);
  const { sentry } = backends;
  let collector: CollectorProcess;
  let app: App;
  /** Every document of the service in the cluster, once the three log records and three server spans are in. */
  let logs: SearchHit[] = [];
  let spans: SearchHit[] = [];

  beforeAll(async () => {
    await startForCollector(es);
    await backends.start();
    const ports = await allocateCollectorPorts();
    collector = new CollectorProcess(ports, backends.env(ports, { OTELKIT_PSEUDONYMISATION_KEY: KEY }), [
      COLLECTOR_CONFIG,
      OVERLAY,
    ]);
    await collector.waitHealthy();
    app = new App('pseudonymise-app.cjs', {
      env: { ...fastExportEnv(collector.otlpHttpUrl), OTEL_SERVICE_NAME: SERVICE },
    });
    const base = await app.url('');
    for (const [user, name, email] of [
      ['u-1001', 'ada', 'ada@example.com'],
      ['u-2002', 'grace', 'grace@example.org'],
      ['u-1001', 'ada', 'ada@example.com'],
    ]) {
      expect((await get(`${base}/password-reset/${user}?name=${name}&email=${encodeURIComponent(email!)}`)).status).toBe(200);
    }
    const ofService = { term: { 'service.name': SERVICE } };
    await es.waitForHits(
      'traces-*.otel-*',
      { bool: { filter: [ofService, { term: { name: 'GET /password-reset/:user' } }] } },
      3,
    );
    await es.waitForHits('logs-*.otel-*', { bool: { filter: [ofService, { match_phrase: { message: 'password reset' } }] } }, 3);
    logs = await es.search('logs-*.otel-*', ofService);
    spans = await es.search('traces-*.otel-*', ofService);
  }, 240_000);

  afterAll(async () => {
    await app?.stop();
    await collector?.stop();
    await backends.stop();
    await es.stop();
  });

  it('log records carry the keyed hash of the user id, name, e-mail and IP, the same for the same person', () => {
    const records = logs.filter((d) => bodyText(d).startsWith('password reset'));
    const ofUser = (user: string) => records.filter((d) => attrs(d).user_id === hmac(user));
    expect(ofUser('u-1001')).toHaveLength(2);
    expect(ofUser('u-2002')).toHaveLength(1);
    for (const record of ofUser('u-1001')) {
      expect(attrs(record)).toMatchObject({ username: hmac('ada'), user_email: hmac('ada@example.com') });
      expect(String(attrs(record).client_ip)).toMatch(HASHED_IP);
      // Inside the message, each address is replaced where it stands.
      expect(bodyText(record)).toBe(`password reset for ${hmac('ada@example.com')} from ${hmac('203.0.113.7')}`);
    }
  });

  it('spans carry the same hashes, so logs and traces of one person still join', () => {
    const servers = spans.filter((d) => d._source.name === 'GET /password-reset/:user');
    const users = servers.map((d) => attrs(d)['user.id']).sort();
    expect(users).toEqual([hmac('u-1001'), hmac('u-1001'), hmac('u-2002')].sort());
    for (const span of servers) {
      expect(String(attrs(span)['user.email'])).toMatch(HASH);
      expect(String(attrs(span)['client.address'])).toMatch(HASHED_IP);
    }
  });

  it('no e-mail, IP or user name is left anywhere; the user id only in the URL path (a known limit)', async () => {
    const documents = [...logs, ...spans];
    const stored = json(documents) + json(sentry.logs) + json(sentry.spans);
    for (const value of ['ada@example.com', 'grace@example.org', '203.0.113.7', '"ada"', '"grace"']) {
      expect(stored, value).not.toContain(value);
    }
    // Nor does any search of the cluster find them, where the same search finds their hashes.
    const anywhere = (value: string) =>
      es.search('logs-*.otel-*,traces-*.otel-*', { multi_match: { query: value, type: 'phrase', fields: ['*'], lenient: true } });
    expect(await anywhere(hmac('ada@example.com'))).not.toHaveLength(0);
    expect(await anywhere(hmac('ada'))).not.toHaveLength(0);
    for (const value of ['ada@example.com', 'grace@example.org', '203.0.113.7', 'ada', 'grace']) {
      expect(await anywhere(value), value).toHaveLength(0);
    }
    // An id inside a path (/password-reset/u-1001) is not recognised as one: only url.path keeps it, which the
    // overlay's documentation says (http.route holds the template without it).
    for (const doc of documents) {
      for (const [key, value] of Object.entries(attrs(doc))) {
        if (/u-(1001|2002)/.test(json(value))) expect(key).toBe('url.path');
      }
      expect(json(doc._source.body ?? '')).not.toMatch(/u-(1001|2002)/);
      expect(json(doc._source.resource ?? '')).not.toMatch(/u-(1001|2002)/);
    }
  });

  it('repeats config.yaml processor lists with the pseudonymisation after redaction', () => {
    const base = pipelineProcessors(COLLECTOR_CONFIG);
    const overlay = pipelineProcessors(OVERLAY);
    expect(Object.keys(overlay).sort()).toEqual(['logs/elasticsearch', 'logs/sentry', 'traces', 'traces/sentry']);
    for (const [name, processors] of Object.entries(overlay)) {
      const expected = [...base[name]!];
      expected.splice(expected.indexOf('redaction') + 1, 0, 'redaction/pseudonymise');
      expect(processors, name).toEqual(expected);
    }
  });

  it('does not start without the key', async () => {
    const result = await run(COLLECTOR_BINARY, ['validate', `--config=${COLLECTOR_CONFIG}`, `--config=${OVERLAY}`], {
      env: { PATH: process.env.PATH ?? '', SENTRY_OTLP_ENDPOINT: sentry.otlpEndpoint, SENTRY_PUBLIC_KEY: SENTRY_KEY },
    }).then(
      () => 'valid',
      (err: { stderr?: string }) => err.stderr ?? '',
    );
    expect(result).toMatch(/hmac_key must not be empty/);
  });
});

requirePrerequisites('pseudonymisation overlay', missing);
