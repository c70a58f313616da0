// The test receiver: otelkit's OTLP/HTTP receiver plus protobuf decoding and waiting for telemetry to arrive.
import type { ServerResponse } from 'node:http';
import { OtlpHttpReceiver } from '../../src/dev/receiver';
import type { OtlpSignal } from '../../src/dev/otlp-records';
import { decodeRequest } from './otlp-proto';

export type { ReceivedLog, ReceivedMetric, ReceivedSpan } from '../../src/dev/otlp-records';

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
    return decodeRequest(signal, body);
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
