// Conformance of the HTTP clients: one app calling a downstream server with each client, under both sides.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { CLIENT_APPS } from './apps';
import { conformanceTests } from './suite';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'otelkit-conformance-tls-'));
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'];
  const names = ['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'];
  execFileSync('openssl', [...args, ...names, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], {
    stdio: 'ignore',
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('http clients', () =>
  conformanceTests(CLIENT_APPS, () => ({
    CONFORMANCE_TLS_KEY: join(dir, 'key.pem'),
    CONFORMANCE_TLS_CERT: join(dir, 'cert.pem'),
  })));
