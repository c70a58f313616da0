// A counter of otelkit log records by level, so "ERROR logs per minute" can be graphed and alerted on.
import { metrics, type Counter } from '@opentelemetry/api';
import { processState } from '../state';

let counter: Counter | undefined;

/** Called once per record written. Before the SDK runs there is nothing to count into (the API has no proxy). */
export function countLogRecord(level: string): void {
  if (!counter) {
    if (!processState().sdk) return;
    counter = metrics.getMeter('otelkit').createCounter('otelkit.log.records', {
      description: 'Log records written through otelkit loggers, by level',
      unit: '{record}',
    });
  }
  counter.add(1, { level });
}
