// runWithRequestContext for work outside an HTTP server: its log lines carry the unit's own request id and user
// across awaits, and calls made inside it send the id on; with the SDK on, off (OTEL_SDK_DISABLED) and in a worker
// thread (where otelkit starts no SDK).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { printedLines, useTestBed } from '../harness/test-bed';

const bed = useTestBed();

let downstream: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (downstream ? downstream.close(resolve) : resolve(undefined)));
  downstream = undefined;
});

/** A server that records the request-id header of every call, by path. */
async function recordingServer(): Promise<{ url: string; seen: Map<string, string | undefined> }> {
  const seen = new Map<string, string | undefined>();
  downstream = createServer((req, res) => {
    seen.set(req.url!.slice(1), req.headers['x-request-id'] as string | undefined);
    res.end('ok');
  });
  await new Promise<void>((resolve) => downstream!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(downstream.address() as AddressInfo).port}`, seen };
}

async function runJob(env: Record<string, string>, done: RegExp = /"message":"jobs done"/) {
  const app = bed.launch('request-context-job.cjs', { env });
  await app.waitForOutput(done);
  const lines = printedLines(app.stdout);
  const steps = lines.filter((l) => l.message === 'job step');
  expect(steps).toHaveLength(20);
  for (const line of steps) {
    expect(line.request_id).toBe(line.expected_request_id);
    expect(line.seen_request_id).toBe(line.expected_request_id);
    expect(line.user_id).toBe(String(line.expected_request_id).replace('job', 'user'));
  }
  const after = lines.find((l) => l.message === 'jobs done')!;
  expect(after.request_id).toBeUndefined();
  expect(after.seen_request_id).toBeNull();
  return app;
}

describe('runWithRequestContext', () => {
  it('SDK on: log lines and the OTLP records carry each unit’s id; fetch calls send it on', async () => {
    const { url, seen } = await recordingServer();
    await runJob({ DOWNSTREAM_URL: url });
    expect(seen.size).toBe(20);
    for (const [path, header] of seen) expect(header).toBe(path);
    await bed.receiver.waitFor(
      () => bed.receiver.logs.filter((l) => l.body === 'job step').length === 20,
      10_000,
      'the OTLP records',
    );
    for (const record of bed.receiver.logs.filter((l) => l.body === 'job step')) {
      expect(record.attributes.request_id).toBe(record.attributes.expected_request_id);
    }
  });

  it('OTEL_SDK_DISABLED=true: log lines still carry each unit’s id and user', async () => {
    await runJob({ OTEL_SDK_DISABLED: 'true' });
  });

  it('in a worker thread (no SDK there): log lines still carry each unit’s id and user', async () => {
    await runJob({ IN_WORKER: '1' }, /worker exited/);
  });
});
