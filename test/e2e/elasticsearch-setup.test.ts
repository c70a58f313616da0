// collector/elasticsearch/setup.sh, the stack's one-shot set-up job, run for real (sh + curl) against a server
// that records every request in place of Elasticsearch and Kibana (neither runs on the test machines). Checks the
// retention it applies (ILM policies attached through the OTel `@custom` component templates), the Kibana import,
// and that a second run sends the same requests: every call replaces, nothing accumulates.
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
        OTELKIT_LOGS_RETENTION: '5d',
        OTELKIT_SAVED_OBJECTS: SAVED_OBJECTS,
      },
    });
    return requests.slice(from).filter((r) => !r.path.startsWith('/_cluster/health') && r.path !== '/api/status');
  }

  let first: Recorded[] = [];
  it('applies ILM retention to the OTel logs and traces data streams through their @custom templates', async () => {
    first = await setup();
    const body = (method: string, path: string) => {
      const r = first.find((q) => q.method === method && q.path === path);
      expect(r, `${method} ${path}`).toBeDefined();
      return JSON.parse(r!.body) as Record<string, any>;
    };
    const logs = body('PUT', '/_ilm/policy/otelkit-logs');
    expect(logs.policy.phases.hot.actions.rollover).toEqual({ max_primary_shard_size: '100mb', max_age: '1d' });
    expect(logs.policy.phases.delete).toEqual({ min_age: '5d', actions: { delete: {} } });
    expect(body('PUT', '/_ilm/policy/otelkit-traces').policy.phases.delete.min_age).toBe('3d');
    for (const signal of ['logs', 'traces']) {
      expect(body('PUT', `/_component_template/${signal}-otel@custom`).template.settings).toEqual({
        'index.lifecycle.name': `otelkit-${signal}`,
      });
      expect(
        body('PUT', `/${signal}-*.otel-*/_settings?allow_no_indices=true&expand_wildcards=all`)['index.lifecycle.name'],
      ).toBe(`otelkit-${signal}`);
    }
    expect(body('POST', '/_security/user/kibana_system/_password')).toEqual({ password: 'kibana-secret' });
    const basic = `Basic ${Buffer.from('elastic:elastic-secret').toString('base64')}`;
    expect(first.every((r) => r.authorization === basic)).toBe(true);
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
    expect(second.every((r) => r.method === 'PUT' || r.path.includes('overwrite=true') || r.path.includes('_password'))).toBe(
      true,
    );
  });

  it('fails when Elasticsearch refuses a request', async () => {
    const refusing = createServer((req, res) => res.writeHead(req.url!.startsWith('/_ilm') ? 403 : 200).end('{}'));
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
