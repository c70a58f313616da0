// The outcome of every export, per signal: what /health reports, so "the app is up but its telemetry is not
// flowing" is visible.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { Signal } from '../config/resolve';

export interface SignalExportStatus {
  exported: number;
  failed: number;
  lastSuccess?: string;
  lastFailure?: string;
  lastError?: string;
}

export type ExportStatus = Record<Signal, SignalExportStatus>;

// On globalThis, as the process state is: every copy of otelkit in the process reports into one status.
const STATUS_KEY = Symbol.for('otelkit.exportStatus');

export function exportStatus(): ExportStatus {
  const holder = globalThis as { [STATUS_KEY]?: ExportStatus };
  return (holder[STATUS_KEY] ??= {
    traces: { exported: 0, failed: 0 },
    metrics: { exported: 0, failed: 0 },
    logs: { exported: 0, failed: 0 },
  });
}

interface Exporter<T> {
  export(items: T, resultCallback: (result: ExportResult) => void): void;
}

/** Records each export's result on our own exporter instance; the result still reaches the processor. */
export function trackExports<T, E extends Exporter<T>>(signal: Signal, exporter: E): E {
  const original = exporter.export.bind(exporter);
  exporter.export = (items, resultCallback) =>
    original(items, (result) => {
      const status = exportStatus()[signal];
      const now = new Date().toISOString();
      if (result.code === ExportResultCode.SUCCESS) {
        status.exported++;
        status.lastSuccess = now;
      } else {
        status.failed++;
        status.lastFailure = now;
        status.lastError = result.error?.message?.slice(0, 200);
      }
      resultCallback(result);
    });
  return exporter;
}
