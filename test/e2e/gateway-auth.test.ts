// The gateway's OTLP receivers behind TLS and a bearer token (collector/scale-out/gateway-auth.yaml), on the built
// collector: a request without the token, or with a wrong one, is refused; plain HTTP gets no OTLP answer; the
// right token over TLS is accepted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allocateCollectorPorts,
  COLLECTOR_CONFIG,
  collectorEnv,
  CollectorProcess,
  missingPrerequisites,
  requirePrerequisites,
  SCALE_OUT_DIR,
} from './collector-harness';

const missing = missingPrerequisites();
const TOKEN = 'gateway-t0ken-for-tests';

/** POSTs an empty OTLP/JSON trace export over TLS, trusting only the test's own certificate. */
function post(port: number, ca: Buffer, authorization?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/traces',
        method: 'POST',
        ca,
        servername: 'localhost',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end('{"resourceSpans":[]}');
  });
}

describe.runIf(missing.length === 0)('gateway receivers with TLS and a bearer token', () => {
  let dir = '';
  let collector: CollectorProcess;
  let ca: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otelkit-gateway-auth-'));
    // A self-signed certificate for localhost/127.0.0.1, made for this run.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    ca = readFileSync(join(dir, 'cert.pem'));
    const ports = await allocateCollectorPorts();
    const env = collectorEnv(ports, join(dir, 'storage'), {
      ELASTICSEARCH_ENDPOINT: 'http://127.0.0.1:9',
      SENTRY_OTLP_ENDPOINT: 'http://127.0.0.1:9/api/1/integration/otlp',
      SENTRY_PUBLIC_KEY: 'unused',
      OTELCOL_GATEWAY_TOKEN: TOKEN,
      OTELCOL_TLS_CERT_FILE: join(dir, 'cert.pem'),
      OTELCOL_TLS_KEY_FILE: join(dir, 'key.pem'),
    });
    collector = new CollectorProcess(ports, env, [
      COLLECTOR_CONFIG,
      join(SCALE_OUT_DIR, 'gateway.yaml'),
      join(SCALE_OUT_DIR, 'gateway-auth.yaml'),
    ]);
    await collector.waitHealthy();
  }, 60_000);

  afterAll(async () => {
    await collector?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a request without the token, and one with a wrong token', async () => {
    expect(await post(collector.ports.http, ca)).toBe(401);
    expect(await post(collector.ports.http, ca, 'Bearer not-the-token')).toBe(401);
  });

  it('accepts the right token over TLS', async () => {
    expect(await post(collector.ports.http, ca, `Bearer ${TOKEN}`)).toBe(200);
  });

  it('gives plain HTTP no OTLP answer', async () => {
    const res = await fetch(`${collector.otlpHttpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: '{"resourceSpans":[]}',
    }).catch((err: Error) => err);
    // A TLS listener answers plain HTTP with a 400 of its own or closes the connection.
    if (res instanceof Error) expect(res.message).toMatch(/fetch failed/);
    else expect(res.status).toBe(400);
  });
});

requirePrerequisites('gateway auth', missing);
