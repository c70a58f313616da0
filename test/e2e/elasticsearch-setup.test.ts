// collector/elasticsearch/setup.sh, the stack's one-shot set-up job, run for real (sh + curl) against a server
// that records every request, in place of what no real server here can show: an Elasticsearch with ILM (the
// integ-test distribution lacks the module; test/e2e/elasticsearch.test.ts runs setup.sh against it for the
// templates) and Kibana. Checks the retention requests (one ILM policy per stream, attached through the
// templates), the Kibana import, and that a second run sends the same requests: every call replaces.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/app';
import { missingTools, requirePrerequisites } from './collector-harness';

const run = promisify(execFile);
const SETUP = join(REPO_ROOT, 'collector', 'elasticsearch', 'setup.sh');
const SAVED_OBJECTS = join(REPO_ROOT, 'collector', 'kibana', 'otelkit.ndjson');

interface Recorded {
  method: string;
  path: string;
  authorization: string;
  body: string;
}

const missing = missingTools({ '/usr/bin/curl': 'apt-get install -y curl' });

describe.runIf(missing.length === 0)('Elasticsearch and Kibana set-up job', () => {
  const requests: Recorded[] = [];
  let server: Server;
  let url = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push({
          method: req.method!,
          path: req.url!,
          authorization: req.headers.authorization ?? '',
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"acknowledged":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  async function setup(): Promise<Recorded[]> {
    const from = requests.length;
    await run('sh', [SETUP], {
      env: {
        PATH: process.env.PATH ?? '',
        ELASTICSEARCH_URL: url,
        KIBANA_URL: url,
        ELASTIC_PASSWORD: 'elastic-secret',
        KIBANA_PASSWORD: 'kibana-secret',
        OTELKIT_COLLECTOR_PASSWORD: 'collector-secret',
        OTELKIT_DATED_INDEX_PREFIX: 'pyerp',
        OTELKIT_APP_RETENTION: '5d',
        OTELKIT_SAVED_OBJECTS: SAVED_OBJECTS,
      },
    });
    return requests
      .slice(from)
      .filter((r) => !r.path.startsWith('/_cluster/health') && r.path !== '/api/status' && r.path !== '/_ilm/status');
  }

  let first: Recorded[] = [];
  it('gives each stream its ILM policy (app, system, audit, traces), attached through the index templates', async () => {
    first = await setup();
    const body = (method: string, path: string) => {
      const r = first.find((q) => q.method === method && q.path === path);
      expect(r, `${method} ${path}`).toBeDefined();
      return JSON.parse(r!.body) as Record<string, any>;
    };
    const app = body('PUT', '/_ilm/policy/otelkit-app');
    expect(app.policy.phases.hot.actions.rollover).toEqual({ max_primary_shard_size: '100mb', max_age: '1d' });
    expect(app.policy.phases.delete).toEqual({ min_age: '5d', actions: { delete: {} } });
    expect(body('PUT', '/_ilm/policy/otelkit-system').policy.phases.delete.min_age).toBe('90d');
    expect(body('PUT', '/_ilm/policy/otelkit-audit').policy.phases.delete.min_age).toBe('365d');
    expect(body('PUT', '/_ilm/policy/otelkit-traces').policy.phases.delete.min_age).toBe('7d');
    expect(body('PUT', '/_component_template/logs-otel@custom').template.settings).toEqual({
      'index.mapping.ignore_malformed': true,
      'index.lifecycle.name': 'otelkit-app',
    });
    expect(body('PUT', '/_component_template/traces-otel@custom').template.settings['index.lifecycle.name']).toBe(
      'otelkit-traces',
    );
    for (const stream of ['system', 'audit']) {
      expect(body('PUT', `/_component_template/otelkit-${stream}@lifecycle`).template.settings['index.lifecycle.name']).toBe(
        `otelkit-${stream}`,
      );
      const template = body('PUT', `/_index_template/otelkit-logs-${stream}`);
      expect(template.index_patterns).toEqual([`logs-otelkit.${stream}.otel-*`]);
      // The stream's own lifecycle comes last, so it wins over the application logs' one.
      expect(template.composed_of.at(-1)).toBe(`otelkit-${stream}@lifecycle`);
    }
    for (const [pattern, stream] of [
      ['logs-*.otel-*', 'app'],
      ['logs-otelkit.system.otel-*', 'system'],
      ['logs-otelkit.audit.otel-*', 'audit'],
      ['traces-*.otel-*', 'traces'],
    ]) {
      expect(body('PUT', `/${pattern}/_settings?allow_no_indices=true&expand_wildcards=all`)['index.lifecycle.name']).toBe(
        `otelkit-${stream}`,
      );
    }
    expect(body('POST', '/_security/user/kibana_system/_password')).toEqual({ password: 'kibana-secret' });
    // The role the end-to-end tests write with (as a file-realm role: the integ-test cluster cannot create
    // API roles, it lacks the analysis module the .security index needs).
    expect(body('PUT', '/_security/role/otelkit_collector')).toEqual(
      JSON.parse(readFileSync(join(REPO_ROOT, 'collector', 'elasticsearch', 'collector-role.json'), 'utf8')),
    );
    expect(body('PUT', '/_security/user/otelkit-collector')).toMatchObject({
      password: 'collector-secret',
      roles: ['otelkit_collector'],
    });
    const basic = `Basic ${Buffer.from('elastic:elastic-secret').toString('base64')}`;
    expect(first.every((r) => r.authorization === basic)).toBe(true);
  });

  it('with OTELKIT_DATED_INDEX_PREFIX, a Kibana data view for the daily indices', () => {
    const view = first.find((r) => r.path === '/api/data_views/data_view');
    expect(view?.method).toBe('POST');
    expect(JSON.parse(view!.body)).toEqual({
      override: true,
      data_view: {
        id: 'otelkit-dated-logs',
        name: 'pyerp logs (daily indices)',
        title: 'pyerp-logs-*',
        timeFieldName: '@timestamp',
      },
    });
    expect(JSON.parse(first.find((r) => r.path === '/_index_template/otelkit-dated-logs')!.body).index_patterns).toEqual([
      'pyerp-logs-*',
    ]);
  });

  it('imports the Kibana saved objects, overwriting earlier versions', () => {
    const imported = first.find((r) => r.path === '/api/saved_objects/_import?overwrite=true');
    expect(imported?.method).toBe('POST');
    expect(imported!.body).toContain(readFileSync(SAVED_OBJECTS, 'utf8').trim());
  });

  it('is idempotent: a second run sends the same replacing requests', async () => {
    const second = await setup();
    const shape = (rs: Recorded[]) => rs.map((r) => `${r.method} ${r.path}`);
    expect(shape(second)).toEqual(shape(first));
    expect(
      second.every(
        (r) =>
          r.method === 'PUT' || r.path.includes('overwrite=true') || r.path.includes('_password') || r.path.includes('data_view'),
      ),
    ).toBe(true);
  });

  it('fails when Elasticsearch refuses a request', async () => {
    const refusing = createServer((req, res) => res.writeHead(req.url!.startsWith('/_component_template') ? 403 : 200).end('{}'));
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const port = (refusing.address() as AddressInfo).port;
    try {
      await expect(
        run('sh', [SETUP], {
          env: { PATH: process.env.PATH ?? '', ELASTICSEARCH_URL: `http://127.0.0.1:${port}`, ELASTIC_PASSWORD: 'x' },
        }),
      ).rejects.toThrow(/answered 403/);
    } finally {
      await new Promise((resolve) => refusing.close(resolve));
    }
  });
});

requirePrerequisites('Elasticsearch set-up job', missing);
