// A counter of otelkit log records by level, so "ERROR logs per minute" can be graphed and alerted on.
import type { Counter } from '@opentelemetry/api';
import { sdkMeterProvider } from './meter-provider';

let counter: Counter | undefined;

/** Called once per record written; records written before the SDK runs are not counted. */
export function countLogRecord(level: string): void {
  if (!counter) {
    const provider = sdkMeterProvider();
    if (!provider) return;
    counter = provider.getMeter('otelkit').createCounter('otelkit.log.records', {
      description: 'Log records written through otelkit loggers, by level',
      unit: '{record}',
    });
  }
  counter.add(1, { level });
}
