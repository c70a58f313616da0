// The test receiver: otelkit's OTLP/HTTP receiver plus protobuf decoding and waiting for telemetry to arrive.
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { OtlpHttpReceiver } from '../../src/dev/receiver';
import type { OtlpSignal } from '../../src/dev/otlp-records';

export type { ReceivedLog, ReceivedMetric, ReceivedSpan } from '../../src/dev/otlp-records';

const require = createRequire(import.meta.url);
// Generated protobufjs decoders shipped by @opentelemetry/otlp-transformer 0.52 (installed under an alias).
const root = require('otlp-transformer-decoders/build/src/generated/root');
const collector = root.opentelemetry.proto.collector;
const DECODERS: Record<OtlpSignal, { decode(buf: Buffer): unknown; toObject(m: unknown, o: object): Record<string, unknown> }> = {
  traces: collector.trace.v1.ExportTraceServiceRequest,
  metrics: collector.metrics.v1.ExportMetricsServiceRequest,
  logs: collector.logs.v1.ExportLogsServiceRequest,
};

export class OtlpReceiver extends OtlpHttpReceiver {
  /** With respondWith 429/503: the Retry-After value (seconds) to send. */
  retryAfterSeconds: number | undefined;
  /** Hold every refused answer this long (a collector that is slow to answer). */
  holdMillis = 0;

  protected override refuse(res: ServerResponse): void {
    const answer = () => {
      if (res.destroyed) return;
      res
        .writeHead(
          this.respondWith,
          this.retryAfterSeconds === undefined ? {} : { 'retry-after': String(this.retryAfterSeconds) },
        )
        .end();
    };
    if (this.holdMillis > 0) setTimeout(answer, this.holdMillis).unref();
    else answer();
  }

  protected override decode(signal: OtlpSignal, contentType: string, body: Buffer): Record<string, unknown> | undefined {
    if (!contentType.includes('protobuf')) return super.decode(signal, contentType, body);
    const Decoder = DECODERS[signal];
    return Decoder.toObject(Decoder.decode(body), { longs: String, enums: Number, bytes: String, defaults: false });
  }

  /** Resolves once the predicate holds over what arrived; rejects with a summary after the timeout. */
  async waitFor(predicate: () => boolean, timeoutMillis = 10_000, what = 'telemetry'): Promise<void> {
    if (predicate()) return;
    await new Promise<void>((resolve, reject) => {
      const stopListening = this.onExport(() => {
        if (!predicate()) return;
        clearTimeout(timer);
        stopListening();
        resolve();
      });
      const timer = setTimeout(() => {
        stopListening();
        const counts = `${this.spans.length} spans, ${this.logs.length} logs, ${this.metrics.length} metrics`;
        reject(new Error(`timed out waiting for ${what}: ${counts} received`));
      }, timeoutMillis);
    });
  }
}
