// The batch processor that queues log records as bytes, in process: batches leave in emit order and decode, a record
// that cannot be encoded never throws into the application's log call, and records past a full queue are counted
// where upstream's processor counts them. The exporter here records what it is handed instead of sending it; the
// integration tests (logs, dev receiver) cover the real export.
import { describe, expect, it, vi } from 'vitest';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { EncodingBatchLogRecordProcessor } from '../../src/sdk/encoding-log-processor';
import type { EncodedBatch } from '../../src/sdk/otlp-encoding';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require('otlp-transformer-decoders/build/src/generated/root');
const LogsRequest = root.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;

const bodies = (batch: EncodedBatch): string[] =>
  LogsRequest.decode(batch.bytes).resourceLogs.flatMap(
    (rl: { scopeLogs: { logRecords: { body: { stringValue: string } }[] }[] }) =>
      rl.scopeLogs.flatMap((sl) => sl.logRecords.map((r) => r.body.stringValue)),
  );

class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function setUp(maxQueueSize = 16) {
  const batches: EncodedBatch[] = [];
  const reader = new TestReader();
  const processor = new EncodingBatchLogRecordProcessor({
    exporter: {
      export(batch, resultCallback) {
        batches.push(batch);
        resultCallback({ code: ExportResultCode.SUCCESS });
      },
      shutdown: () => Promise.resolve(),
    },
    scheduledDelayMillis: 60_000,
    exportTimeoutMillis: 30_000,
    maxQueueSize,
    maxExportBatchSize: 2,
    selfObsMeterProvider: new MeterProvider({ readers: [reader] }),
  });
  const logger = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders' }),
    processors: [processor],
  }).getLogger('test');
  const log = (body: unknown) => logger.emit({ body: body as string, severityNumber: 9, severityText: 'INFO' });
  const processed = async () => {
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'otel.sdk.processor.log.processed');
    return (metric?.dataPoints ?? []).map((p) => ({ error: p.attributes['error.type'], value: p.value }));
  };
  return { processor, batches, log, processed };
}

describe('EncodingBatchLogRecordProcessor', () => {
  it('sends full batches at once and the rest on flush, in the order they were emitted', async () => {
    const { processor, batches, log, processed } = setUp();
    for (const body of ['a', 'b', 'c']) log(body);
    expect(batches.map(bodies)).toEqual([['a', 'b']]);
    await processor.forceFlush();
    expect(batches.map(bodies)).toEqual([['a', 'b'], ['c']]);
    expect(await processed()).toEqual([{ error: undefined, value: 3 }]);
  });

  it('drops a record it cannot encode without throwing into the log call, says so once, and sends the others', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { processor, batches, log } = setUp();
    const unreadable = {
      get field() {
        throw new Error('unreadable');
      },
    };
    log('first');
    expect(() => log(unreadable)).not.toThrow();
    expect(() => log(unreadable)).not.toThrow();
    log('second');
    await processor.forceFlush();
    const warnings = stderr.mock.calls.map(([line]) => String(line)).filter((line) => line.startsWith('otelkit warn:'));
    stderr.mockRestore();
    expect(batches.flatMap(bodies)).toEqual(['first', 'second']);
    expect(warnings).toEqual([expect.stringContaining('a log record could not be encoded and was dropped (unreadable)')]);
  });

  it('counts records past a full queue as queue_full, as upstream does', async () => {
    // A queue of 1 (batches clamped to 1): 'a' leaves at once, 'b' waits while that export is in flight, and 'c'
    // finds the queue full.
    const { processor, log, processed } = setUp(1);
    for (const body of ['a', 'b', 'c']) log(body);
    await processor.forceFlush();
    expect(await processed()).toEqual(
      expect.arrayContaining([
        { error: undefined, value: 2 },
        { error: 'queue_full', value: 1 },
      ]),
    );
  });
});
