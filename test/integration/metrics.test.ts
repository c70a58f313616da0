// Metrics as users consume them: a real Prometheus scraping the app's /metrics while traffic (with 5xx) flows,
// the same instruments over OTLP, /health, and a busy port.
import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver, type ReceivedMetric } from '../harness/otlp-receiver';
import { useTestBed } from '../harness/test-bed';
import { App, fastExportEnv, get } from '../harness/app';
import { freePort, Prometheus, prometheusAvailable } from '../harness/prometheus';

const bed = useTestBed();

const launch = (env: Record<string, string>): App => bed.launch('logging-app.cjs', { env });

async function traffic(app: App): Promise<void> {
  const base = await app.url('');
  for (let i = 0; i < 30; i++) expect((await get(`${base}/orders/${i}`)).status).toBe(200);
  for (let i = 0; i < 10; i++) expect((await get(`${base}/fail`)).status).toBe(500);
  for (let i = 0; i < 5; i++) expect((await get(`${base}/throw`)).status).toBe(500);
}

describe.runIf(prometheusAvailable())('scraped by a real Prometheus', () => {
  // One app and one Prometheus for the whole block: the queries below read the same scraped traffic.
  const prometheus = new Prometheus();
  const receiver = new OtlpReceiver();
  let app: App | undefined;

  beforeAll(async () => {
    const metricsPort = await freePort();
    await prometheus.start([{ job: 'orders', address: `127.0.0.1:${metricsPort}` }]);
    await receiver.start();
    app = new App('logging-app.cjs', {
      env: {
        ...fastExportEnv(receiver.url),
        OTEL_METRICS_EXPORTER: 'prometheus',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
        NODE_ENV: 'production',
      },
    });
    // Every series must exist in a scrape before the measured traffic: rate() counts increases between scrapes.
    const base = await app.url('');
    for (const path of ['/orders/0', '/fail', '/throw']) await get(`${base}${path}`);
    await prometheus.waitForSeries('http_server_request_duration_count{http_route="/throw"}');
    await traffic(app);
    await new Promise((r) => setTimeout(r, 2500));
  }, 60_000);

  afterAll(async () => {
    await app?.stop('SIGKILL');
    await receiver.stop();
    await prometheus.stop();
  });

  const SERVICE = 'service_name="fixture-service"';

  it('request rate by route, labelled with the service and environment', async () => {
    const rows = await prometheus.query(
      `sum by (http_route) (rate(http_server_request_duration_count{${SERVICE},deployment_environment_name="production"}[30s]))`,
    );
    const byRoute = Object.fromEntries(rows.map((r) => [r.metric.http_route, Number(r.value[1])]));
    expect(Object.keys(byRoute).sort()).toEqual(['/fail', '/orders/:id', '/throw']);
    for (const rate of Object.values(byRoute)) expect(rate).toBeGreaterThan(0);
    // 30 of 45 requests went to /orders/:id.
    expect(byRoute['/orders/:id']! / (byRoute['/fail']! + byRoute['/throw']! + byRoute['/orders/:id']!)).toBeCloseTo(30 / 45, 1);
  });

  it('5xx ratio', async () => {
    const [row] = await prometheus.query(
      `sum(rate(http_server_request_duration_count{${SERVICE},http_response_status_code=~"5.."}[30s])) / sum(rate(http_server_request_duration_count{${SERVICE}}[30s]))`,
    );
    expect(Number(row!.value[1])).toBeCloseTo(15 / 45, 1);
  });

  it('p95 server latency from the histogram', async () => {
    const [row] = await prometheus.query(
      `histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_bucket{${SERVICE}}[30s])))`,
    );
    const p95 = Number(row!.value[1]);
    expect(p95).toBeGreaterThan(0);
    expect(p95).toBeLessThan(1);
  });

  it('event-loop delay, heap, CPU and memory', async () => {
    const [delay] = await prometheus.query(`nodejs_eventloop_delay_p99{${SERVICE}}`);
    expect(Number(delay!.value[1])).toBeGreaterThan(0);
    expect(Number(delay!.value[1])).toBeLessThan(1);
    const [heapRatio] = await prometheus.query(
      `sum(v8js_memory_heap_used{${SERVICE}}) / max(v8js_memory_heap_limit{${SERVICE}})`,
    );
    expect(Number(heapRatio!.value[1])).toBeGreaterThan(0);
    expect(Number(heapRatio!.value[1])).toBeLessThan(0.5);
    const [cpu] = await prometheus.query(`sum(rate(process_cpu_time_total{${SERVICE}}[30s]))`);
    expect(Number(cpu!.value[1])).toBeGreaterThan(0);
    const [rss] = await prometheus.query(`process_memory_usage{${SERVICE}}`);
    expect(Number(rss!.value[1])).toBeGreaterThan(20e6);
  });

  it('ERROR log records counted by level', async () => {
    const rows = await prometheus.query(`otelkit_log_records_total{${SERVICE}}`);
    const byLevel = Object.fromEntries(rows.map((r) => [r.metric.level, Number(r.value[1])]));
    // One warm-up request per route, then the measured traffic.
    expect(byLevel).toEqual({ INFO: 31, ERROR: 11 });
  });
});

describe('OTLP metrics', () => {
  it('carry the same instruments', async () => {
    const app = launch({});
    await traffic(app);
    const wanted = [
      'http.server.request.duration',
      'otelkit.log.records',
      'process.cpu.time',
      'process.memory.usage',
      'nodejs.eventloop.delay.p99',
      'v8js.memory.heap.used',
      'v8js.gc.duration',
    ];
    await bed.receiver.waitFor(
      () => wanted.every((name) => bed.receiver.metrics.some((m) => m.name === name)),
      10_000,
      wanted.join(', '),
    );
    const duration = bed.receiver.metrics.filter((m) => m.name === 'http.server.request.duration').at(-1)!;
    // The view keeps only the attributes dashboards use.
    for (const point of duration.dataPoints) {
      expect(
        Object.keys(point.attributes).every((k) =>
          ['http.request.method', 'http.route', 'http.response.status_code', 'error.type'].includes(k),
        ),
      ).toBe(true);
    }
  });

  it('http.server.request.duration follows the temporality the OTLP exporter asks for', async () => {
    // Two apps at once, told apart by service name: one cumulative (the default), one delta.
    const cumulative = launch({ OTEL_SERVICE_NAME: 'cumulative-app' });
    const delta = launch({ OTEL_SERVICE_NAME: 'delta-app', OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta' });
    await Promise.all([traffic(cumulative), traffic(delta)]);
    const exports = (service: string) =>
      bed.receiver.metrics.filter((m) => m.name === 'http.server.request.duration' && m.resource['service.name'] === service);
    const served = (metrics: ReceivedMetric[]) =>
      metrics.flatMap((m) => m.dataPoints).reduce((sum, p) => sum + (p.count ?? 0), 0);
    // 45 requests each: the last cumulative export counts them all, the delta exports add up to them.
    await bed.receiver.waitFor(
      () => served(exports('cumulative-app').slice(-1)) === 45 && served(exports('delta-app')) === 45,
      10_000,
      '45 requests counted by each app',
    );
    expect(new Set(exports('cumulative-app').map((m) => m.temporality))).toEqual(new Set(['cumulative']));
    expect(new Set(exports('delta-app').map((m) => m.temporality))).toEqual(new Set(['delta']));
    // No delta export repeats a request: after the count is reached, later exports carry nothing new.
    await new Promise((r) => setTimeout(r, 1200));
    expect(served(exports('delta-app'))).toBe(45);
    const byRoute = (metrics: ReceivedMetric[]) => {
      const counts: Record<string, number> = {};
      for (const p of metrics.flatMap((m) => m.dataPoints)) {
        const route = String(p.attributes['http.route']);
        counts[route] = (counts[route] ?? 0) + (p.count ?? 0);
      }
      return counts;
    };
    expect(byRoute(exports('delta-app'))).toEqual({ '/orders/:id': 30, '/fail': 10, '/throw': 5 });
    expect(byRoute(exports('cumulative-app').slice(-1))).toEqual({ '/orders/:id': 30, '/fail': 10, '/throw': 5 });
  });
});

describe('/health and a busy port', () => {
  let blocker: Server | undefined;
  afterEach(async () => {
    await new Promise((r) => (blocker ? blocker.close(r) : r(undefined)));
    blocker = undefined;
  });

  it('/health reports status, uptime and each exporter’s last success and failure', async () => {
    const port = await freePort();
    const app = launch({
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    });
    await traffic(app);
    await bed.receiver.waitFor(() => bed.receiver.spans.length > 0 && bed.receiver.logs.length > 0, 10_000, 'spans and logs');
    const health = JSON.parse((await get(`http://127.0.0.1:${port}/health`)).body) as Record<string, any>;
    expect(health).toMatchObject({ status: 'ok', service: 'fixture-service', exporters: { metrics: 'off' } });
    expect(health.exporters.traces.exported).toBeGreaterThan(0);
    expect(health.exporters.traces.lastSuccess).toMatch(/^\d{4}-/);
    // 400 is not retried by OTLP exporters, so the failure is recorded at once (503 would be retried first).
    bed.receiver.respondWith = 400;
    await get(await app.url('/orders/1'));
    await new Promise((r) => setTimeout(r, 1500));
    const later = JSON.parse((await get(`http://127.0.0.1:${port}/health`)).body) as Record<string, any>;
    expect(later.exporters.logs.failed).toBeGreaterThan(0);
    expect(later.exporters.logs.lastFailure).toMatch(/^\d{4}-/);
  });

  it('a port already in use gives one warning and the app still serves', async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker!.listen(0, '127.0.0.1', r));
    const { port } = blocker.address() as { port: number };
    const app = launch({
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    });
    expect((await get(await app.url('/orders/1'))).status).toBe(200);
    await app.waitForOutput(/cannot serve Prometheus metrics/, 'stderr');
    expect(app.stderrLines(/cannot serve Prometheus metrics on 127\.0\.0\.1:\d+ \(the port is already in use\)/)).toHaveLength(1);
    expect((await get(await app.url('/orders/2'))).status).toBe(200);
  });
});
