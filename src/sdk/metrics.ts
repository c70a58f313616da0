// Meter provider with one reader per configured exporter; the Prometheus endpoint is served by otelkit itself.
import {
  ConsoleMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import type { Resource } from '@opentelemetry/resources';
import type { Config, TemporalityPreference } from '../config/resolve';
import { createOtlpExporter } from './exporters';
import type { PrometheusEndpoint } from './prometheus';
import { createViews } from '../metrics/views';
import { DurationHistograms, attachDurationHistograms } from '../metrics/duration-histograms';
import { observeProcessMetrics } from '../metrics/process';
import { exportStatus } from './export-status';

/** What /health answers: the app is up, and whether each signal's exports are getting through. */
function healthReport(config: Config): Record<string, unknown> {
  const status = exportStatus();
  return {
    status: 'ok',
    service: config.service.name,
    uptime_seconds: Math.round(process.uptime()),
    exporters: {
      traces: config.traces.exporters.includes('otlp') ? status.traces : 'off',
      metrics: config.metrics.exporters.includes('otlp') ? status.metrics : 'off',
      logs: config.logs.exporters.includes('otlp') ? status.logs : 'off',
    },
  };
}

/**
 * The exporter's own enum. Passed explicitly, the exporter no longer reads
 * OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE itself (OTLPMetricExporterBase's chooseTemporalitySelector
 * reads the variable only when no preference is given); the config module has checked it.
 */
function temporalityPreference(name: TemporalityPreference): number {
  const { AggregationTemporalityPreference: Preference } =
    require('@opentelemetry/exporter-metrics-otlp-http') as typeof import('@opentelemetry/exporter-metrics-otlp-http');
  if (name === 'delta') return Preference.DELTA;
  return name === 'lowmemory' ? Preference.LOWMEMORY : Preference.CUMULATIVE;
}

export interface Metrics {
  readonly provider: MeterProvider;
  readonly prometheus?: PrometheusEndpoint;
}

export function createMetrics(config: Config, resource: Resource): Metrics {
  const { metrics } = config;
  const readers: MetricReader[] = [];
  let prometheus: PrometheusEndpoint | undefined;
  // otelkit's own HTTP instrumentations record their durations here, and every reader collects them.
  const durations = new DurationHistograms(resource);
  const periodic = (exporter: PushMetricExporter): MetricReader => {
    const producer = durations.producer();
    const reader = new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: metrics.exportIntervalMillis,
      exportTimeoutMillis: metrics.exportTimeoutMillis,
      metricProducers: [producer],
    });
    producer.bind(reader);
    return reader;
  };
  for (const name of metrics.exporters) {
    if (name === 'otlp') {
      const options = { temporalityPreference: temporalityPreference(metrics.temporalityPreference) };
      readers.push(periodic(createOtlpExporter<PushMetricExporter>('metrics', metrics.otlp, options)));
    }
    if (name === 'console') readers.push(periodic(new ConsoleMetricExporter()));
    if (name === 'prometheus') {
      // Loaded only when configured: the exporter and its HTTP handling are not on every app's start-up path.
      const { servePrometheus } = require('./prometheus') as typeof import('./prometheus');
      const producer = durations.producer();
      prometheus = servePrometheus(metrics.prometheus, () => healthReport(config), producer);
      producer.bind(prometheus.reader);
      readers.push(prometheus.reader);
    }
  }
  const provider = new MeterProvider({ resource, readers, views: createViews() });
  attachDurationHistograms(provider, durations);
  if (readers.length > 0) observeProcessMetrics(provider.getMeter('otelkit'));
  return { provider, prometheus };
}
