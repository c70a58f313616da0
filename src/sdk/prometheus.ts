// The /metrics and /health endpoints: the upstream Prometheus exporter's handler on a server otelkit owns, so a busy port
// is a warning instead of a crash and the server never keeps the process alive on its own.
import { createServer, type Server } from 'node:http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import { diagnostics } from '../diagnostics';

const RESOURCE_LABELS = /^(service\.name|service\.namespace|deployment\.environment\.name)$/;

export interface PrometheusEndpoint {
  readonly reader: PrometheusExporter;
  readonly server: Server;
  close(): Promise<void>;
}

export function servePrometheus(
  { host, port }: { host: string; port: number },
  health: () => Record<string, unknown>,
  producer: MetricProducer,
): PrometheusEndpoint {
  // Service and environment as labels on every series, as the collector's exporter is configured to add them, so
  // the same PromQL works whether Prometheus scrapes the app or the collector.
  const reader = new PrometheusExporter({
    preventServerStart: true,
    withResourceConstantLabels: RESOURCE_LABELS,
    metricProducers: [producer],
  });
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      reader.getMetricsRequestHandler(req, res);
      return;
    }
    if (path === '/health') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(health()));
      return;
    }
    res.statusCode = 404;
    res.end('Not found: metrics are at /metrics, health at /health\n');
  });
  server.on('error', (err: NodeJS.ErrnoException) => {
    const why = err.code === 'EADDRINUSE' ? 'the port is already in use' : err.message;
    diagnostics.warn(
      `cannot serve Prometheus metrics on ${host}:${port} (${why}); set OTEL_EXPORTER_PROMETHEUS_PORT to a free port. The application keeps running without /metrics`,
    );
  });
  server.listen(port, host);
  server.unref();
  return {
    reader,
    server,
    close: () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
  };
}
