// The /metrics endpoint: the upstream Prometheus exporter's handler on a server otelkit owns, so a busy port
// is a warning instead of a crash and the server never keeps the process alive on its own.
import { createServer, type Server } from 'node:http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { diagnostics } from '../diagnostics';

export interface PrometheusEndpoint {
  readonly reader: PrometheusExporter;
  readonly server: Server;
  close(): Promise<void>;
}

export function servePrometheus({ host, port }: { host: string; port: number }): PrometheusEndpoint {
  const reader = new PrometheusExporter({ preventServerStart: true });
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      reader.getMetricsRequestHandler(req, res);
      return;
    }
    res.statusCode = 404;
    res.end('Not found: metrics are at /metrics\n');
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
