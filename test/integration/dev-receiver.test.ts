// `otelkit dev`: the local receiver a developer runs instead of the full stack. An app exports to it; it prints
// each trace's span tree with the request id and the trace's log lines, and --json writes NDJSON.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { App, REPO_ROOT, get } from '../harness/app';
import { freePort } from '../harness/prometheus';

describe('otelkit dev', () => {
  it('prints span trees with request ids and their log lines, and writes NDJSON', async () => {
    const port = await freePort();
    const ndjson = join(mkdtempSync(join(tmpdir(), 'otelkit-dev-')), 'telemetry.ndjson');
    const cli = spawn(process.execPath, ['dist/cli.js', 'dev', '--port', String(port), '--json', ndjson], { cwd: REPO_ROOT });
    let out = '';
    cli.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    onTestFinished(() => void cli.kill('SIGKILL'));
    await new Promise<void>((resolve) => cli.stdout.on('data', () => out.includes('receiving OTLP/HTTP JSON') && resolve()));

    const app = new App('logging-app.cjs', {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_BLRP_SCHEDULE_DELAY: '100',
        OTEL_METRICS_EXPORTER: 'none',
      },
    });
    onTestFinished(() => void app.stop('SIGKILL'));
    await get(await app.url('/orders/5'));
    await fetch(await app.url('/fail'), { headers: { 'x-request-id': 'dev-req-7' } });
    const deadline = Date.now() + 10_000;
    while (!(out.includes('request_id=dev-req-7') && out.includes('order failed')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));

    expect(out).toMatch(/GET \/orders\/:id → 200 {2}trace_id=[0-9a-f]{32} request_id=[0-9a-f-]{36}/);
    expect(out).toMatch(/GET \/fail → 500 {2}trace_id=[0-9a-f]{32} request_id=dev-req-7/);
    expect(out).toMatch(/log INFO order viewed/);
    expect(out).toMatch(/log ERROR order failed/);
    const records = readFileSync(ndjson, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.some((r) => r.type === 'span' && r.kind === 2)).toBe(true);
    expect(records.some((r) => r.type === 'log' && r.body === 'order failed')).toBe(true);
  });

  it('answers protobuf with 415 and a hint, and rejects bad options with usage', async () => {
    const port = await freePort();
    const cli = spawn(process.execPath, ['dist/cli.js', 'dev', '--port', String(port)], { cwd: REPO_ROOT });
    onTestFinished(() => void cli.kill('SIGKILL'));
    await new Promise<void>((resolve) => cli.stdout.on('data', () => resolve()));
    const res = await fetch(`http://127.0.0.1:${port}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array([10, 0]),
    });
    expect(res.status).toBe(415);
    expect(await res.text()).toContain('OTEL_EXPORTER_OTLP_PROTOCOL=http/json');

    const bad = spawn(process.execPath, ['dist/cli.js', 'dev', '--port', 'abc'], { cwd: REPO_ROOT });
    let err = '';
    bad.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise((r) => bad.on('exit', r));
    expect(code).toBe(2);
    expect(err).toContain('usage: otelkit dev');
  });
});
