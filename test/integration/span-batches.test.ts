// OTEL_BSP_*: otelkit's batch processor for OTLP/protobuf (src/sdk/encoding-span-processor.ts) keeps the batch
// processor's contract while spans wait as bytes: a full batch leaves at once, the rest waits for the schedule
// delay or shutdown, every span arrives once, and the self-observability metrics count what was exported and
// what still waits.
import { describe, expect, it } from 'vitest';
import { useTestBed } from '../harness/test-bed';
import { fastExportEnv, get } from '../harness/app';

const bed = useTestBed();

const latestPoint = (name: string, withError: boolean) =>
  bed.receiver.metrics
    .filter((m) => m.name === name)
    .flatMap((m) => m.dataPoints)
    .filter((p) => 'error.type' in p.attributes === withError)
    .at(-1)?.value;

describe('span batches (OTEL_BSP_MAX_EXPORT_BATCH_SIZE, OTEL_BSP_SCHEDULE_DELAY)', () => {
  it('full batches leave at once and the rest on shutdown; every span arrives once and is counted', async () => {
    const app = bed.launch('express-app.cjs', {
      env: { ...fastExportEnv(bed.receiver.url), OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4', OTEL_BSP_SCHEDULE_DELAY: '600000' },
    });
    const base = await app.url('');
    for (let i = 0; i < 10; i++) expect((await get(`${base}/hello/${i}`)).status).toBe(200);
    const traceRequests = () => bed.receiver.requests.filter((r) => r.signal === 'traces');

    // Two full batches of 4; the 2 spans left wait for a delay of ten minutes.
    await bed.receiver.waitFor(() => bed.receiver.spans.length >= 8, 10_000, 'two full batches');
    await bed.receiver.waitFor(
      () => latestPoint('otel.sdk.processor.span.processed', false) === 8,
      10_000,
      'processed count of 8',
    );
    await new Promise((r) => setTimeout(r, 700)); // more than a metric interval: nothing else leaves meanwhile
    expect(bed.receiver.spans).toHaveLength(8);
    expect(traceRequests()).toHaveLength(2);
    expect(latestPoint('otel.sdk.processor.span.queue.size', false)).toBe(2);

    expect(await app.stop('SIGTERM')).toEqual({ code: null, signal: 'SIGTERM' });
    expect(traceRequests()).toHaveLength(3);
    const paths = bed.receiver.spans.map((s) => s.attributes['url.path']).sort();
    expect(paths).toEqual(Array.from({ length: 10 }, (_, i) => `/hello/${i}`).sort());
    expect(new Set(bed.receiver.spans.map((s) => s.spanId)).size).toBe(10);
    expect(bed.receiver.spans.every((s) => s.resource['service.name'] === 'fixture-service')).toBe(true);
  });
});
