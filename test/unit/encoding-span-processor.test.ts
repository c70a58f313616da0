// The batch processor that queues spans as bytes, in process: what a span that cannot be encoded and an export that
// never answers do to the application and to the batches after them. The exporter here records what it is handed
// instead of sending it; test/integration/span-batches.test.ts covers the real export.
import { describe, expect, it, vi } from 'vitest';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { detectResources } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { EncodingBatchSpanProcessor } from '../../src/sdk/encoding-span-processor';
import type { EncodedBatch as EncodedSpans } from '../../src/sdk/otlp-encoding';
import { decodeTraceRequest } from '../harness/otlp-proto';

const spanNames = (batch: EncodedSpans): string[] =>
  decodeTraceRequest(batch.bytes).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name)));

function setUp(
  answer: (call: number) => ExportResult | undefined,
  batch = { maxExportBatchSize: 2, exportTimeoutMillis: 30000 },
  resource = detectResources({ detectors: [] }),
) {
  const batches: EncodedSpans[] = [];
  let shutdowns = 0;
  const processor = new EncodingBatchSpanProcessor({
    exporter: {
      export(spans, resultCallback) {
        batches.push(spans);
        const result = answer(batches.length);
        if (result) resultCallback(result);
      },
      shutdown: () => {
        shutdowns++;
        return Promise.resolve();
      },
    },
    scheduledDelayMillis: 60_000,
    maxQueueSize: 16,
    ...batch,
  });
  const tracer = new TracerProvider({ resource, spanProcessors: [processor] }).getTracer('test');
  const end = (name: string) => tracer.startSpan(name, {}, ROOT_CONTEXT).end();
  return { processor, batches, end, exporterShutdowns: () => shutdowns };
}

describe('EncodingBatchSpanProcessor', () => {
  it('drops a span it cannot encode without throwing into span.end(), says so once, and sends the others', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { processor, batches, end } = setUp(() => ({ code: ExportResultCode.SUCCESS }));
    end('first');
    // A span with no name (a JavaScript caller's mistake) cannot be encoded.
    expect(() => end(undefined as unknown as string)).not.toThrow();
    expect(() => end(undefined as unknown as string)).not.toThrow();
    end('second');
    await processor.forceFlush();
    expect(batches.flatMap(spanNames)).toEqual(['first', 'second']);
    const warnings = stderr.mock.calls.map(([line]) => String(line)).filter((line) => line.startsWith('otelkit warn:'));
    stderr.mockRestore();
    expect(warnings).toEqual([expect.stringContaining('a span could not be encoded and was dropped')]);
  });

  it('an export that never answers is given up after the export timeout, and the next batch still leaves', async () => {
    // The first export hangs; later ones succeed.
    const { processor, batches, end } = setUp((call) => (call === 1 ? undefined : { code: ExportResultCode.SUCCESS }), {
      maxExportBatchSize: 2,
      exportTimeoutMillis: 100,
    });
    end('a');
    end('b'); // a full batch: exported at once, and hangs
    end('c');
    end('d'); // waits while the first export is in flight
    expect(batches).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(batches.map(spanNames)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    await processor.shutdown();
  });

  it('shutdown sends what is queued and shuts the exporter down; spans that end after it are not queued', async () => {
    const { processor, batches, end, exporterShutdowns } = setUp(() => ({ code: ExportResultCode.SUCCESS }));
    end('before');
    await processor.shutdown();
    expect(exporterShutdowns()).toBe(1);
    // Two spans fill a batch of 2: queued, they would be sent at once.
    end('after');
    end('after, too');
    await processor.forceFlush();
    expect(batches.flatMap(spanNames)).toEqual(['before']);
  });

  it('waits for a resource whose detectors have not settled, and sends the attributes they found', async () => {
    let settle: (value: string) => void = () => {};
    const region = new Promise<string>((resolve) => (settle = resolve));
    const resource = detectResources({ detectors: [{ detect: () => ({ attributes: { 'cloud.region': region } }) }] });
    const { processor, batches, end } = setUp(() => ({ code: ExportResultCode.SUCCESS }), undefined, resource);
    end('early');
    const flushed = processor.forceFlush();
    // A second flush, waiting for the same detectors, finds the span gone when they settle: it sends nothing.
    const again = processor.forceFlush();
    await new Promise((r) => setTimeout(r, 50));
    expect(batches).toHaveLength(0);
    settle('eu-west-1');
    await Promise.all([flushed, again]);
    expect(batches).toHaveLength(1);
    const decoded = decodeTraceRequest(batches[0].bytes);
    expect(decoded.resourceSpans[0].resource.attributes).toEqual([
      expect.objectContaining({ key: 'cloud.region', value: expect.objectContaining({ stringValue: 'eu-west-1' }) }),
    ]);
    expect(spanNames(batches[0])).toEqual(['early']);
  });
});
