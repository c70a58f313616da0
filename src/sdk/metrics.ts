// Meter provider with one reader per configured exporter; the Prometheus endpoint is served by otelkit itself.
import {
  ConsoleMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import type { Resource } from '@opentelemetry/resources';
import type { Config } from '../config/resolve';
import { createOtlpExporter } from './exporters';
import { servePrometheus, type PrometheusEndpoint } from './prometheus';

export interface Metrics {
  readonly provider: MeterProvider;
  readonly prometheus?: PrometheusEndpoint;
}

export function createMetrics(config: Config, resource: Resource): Metrics {
  const { metrics } = config;
  const readers: MetricReader[] = [];
  let prometheus: PrometheusEndpoint | undefined;
  const periodic = (exporter: PushMetricExporter): MetricReader =>
    new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: metrics.exportIntervalMillis,
      exportTimeoutMillis: metrics.exportTimeoutMillis,
    });
  for (const name of metrics.exporters) {
    if (name === 'otlp') readers.push(periodic(createOtlpExporter<PushMetricExporter>('metrics', metrics.otlp)));
    if (name === 'console') readers.push(periodic(new ConsoleMetricExporter()));
    if (name === 'prometheus') {
      prometheus = servePrometheus(metrics.prometheus);
      readers.push(prometheus.reader);
    }
  }
  return { provider: new MeterProvider({ resource, readers }), prometheus };
}
