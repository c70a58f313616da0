// A counter of otelkit log records by level, so "ERROR logs per minute" can be graphed and alerted on.
import type { Counter, MeterProvider } from '@opentelemetry/api';

let counter: Counter | undefined;

/** Called by the SDK composition: records written before it runs have nothing to count into. */
export function countLogRecordsWith(meterProvider: MeterProvider): void {
  counter = meterProvider.getMeter('otelkit').createCounter('otelkit.log.records', {
    description: 'Log records written through otelkit loggers, by level',
    unit: '{record}',
  });
}

/** Called once per record written. */
export function countLogRecord(level: string): void {
  counter?.add(1, { level });
}
