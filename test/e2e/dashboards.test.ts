// Every PromQL expression the stack ships (Grafana dashboard panels and variables, Prometheus alert rules) runs
// against a real Prometheus that scraped a real app: logging-app.cjs under `--require otelkit/register` → the
// otelkit agent (collector/scale-out/agent.yaml, with host metrics) → the collector (collector/config.yaml) →
// Prometheus loaded with collector/prometheus/prometheus.yml and the alert rules (the collector writing to a real
// Elasticsearch, so its exporter metrics are the real cluster's answers). Each must parse and return
// data. A second Prometheus scrapes the same app's own /metrics with prometheus/app-direct-scrape.yml and runs
// every expression about app metrics again, so the documented alternative path works with the same rules.
// PostgreSQL (through postgres_exporter) and Redis (through the agent's redis receiver) run on loopback, so the
// database rules and the Database dashboard read real servers' values.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, fastExportEnv, REPO_ROOT } from '../harness/app';
import {
  collectorElasticsearchEnv,
  ElasticsearchServer,
  missingElasticsearch,
  startForCollector,
} from '../harness/elasticsearch';
import { SentryStandin } from '../harness/sentry-standin';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import {
  AGENT_BINARY,
  allocateCollectorPorts,
  collectorEnv,
  CollectorProcess,
  eventually,
  freePort,
  missingPrerequisites,
  PrometheusServer,
  requirePrerequisites,
  SCALE_OUT_DIR,
} from './collector-harness';
import { Databases, missingDatabases, REDIS_MAXMEMORY } from './database-harness';

const PROMETHEUS_DIR = join(REPO_ROOT, 'collector', 'prometheus');
const DASHBOARD_DIR = join(REPO_ROOT, 'collector', 'grafana', 'dashboards');
const SENTRY_PROJECT = '4508123';
const SENTRY_KEY = 'e2e5ca1ab1e0public0key';

interface Dashboard {
  title: string;
  panels: { title: string; targets: { expr: string }[] }[];
  templating: { list: { name: string; query: { query: string } }[] };
}

const dashboards = readdirSync(DASHBOARD_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(DASHBOARD_DIR, f), 'utf8')) as Dashboard);

/**
 * Variables whose values are metric names (the Business dashboard's `$counter`, `$histogram`, `$level`), each with
 * its query. Grafana repeats a panel once per chosen metric, so the test runs such a panel once per value: "All"
 * would put several metrics into one rate(), which Prometheus refuses (the names are dropped, the series collide).
 */
const metricNameVariables = new Map<string, string>(
  dashboards.flatMap((d) =>
    d.templating.list.filter((v) => /,\s*__name__\)$/.test(v.query.query)).map((v) => [v.name, v.query.query] as const),
  ),
);

/** Grafana's variables as Prometheus sees them once Grafana substituted them: "All" and a short rate window. */
function asPromql(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replace(/\$([a-z_]+)/g, (whole, name: string) => (metricNameVariables.has(name) ? whole : '.*'));
}

/** `label_values(metric{…}, label)` (a variable's query) as a PromQL query for the same values. */
function variableAsPromql(query: string): string {
  const match = /^label_values\((.+),\s*([a-z_]+)\)$/.exec(query);
  if (!match) throw new Error(`unexpected variable query ${query}`);
  return `group by (${match[2]}) (${asPromql(match[1]!)})`;
}

const dashboardQueries: { name: string; promql: string }[] = dashboards.flatMap((d) => [
  ...d.panels.flatMap((p) => p.targets.map((t, i) => ({ name: `${d.title} / ${p.title} #${i + 1}`, promql: asPromql(t.expr) }))),
  ...d.templating.list.map((v) => ({ name: `${d.title} / variable $${v.name}`, promql: variableAsPromql(v.query.query) })),
]);

/**
 * Expressions about the collector, the host or the databases have no counterpart on an app's own /metrics; the
 * business metrics come from a second app that exports over OTLP only (business-metrics.test.ts scrapes its own
 * /metrics).
 */
const aboutApps = (promql: string) => !/otelcol_|system_|pg_|redis_|otelkit\.business|otelkit_business/.test(promql);

/**
 * Rules that fire on missing data (ServiceStoppedSending: "seen lately, unless still growing") have no final
 * threshold: for them the part before `unless` must return the live app, and the whole expression nothing for it.
 */
const absenceRule = (query: string) => /\bunless\b/.test(query);

/** Splits an alert expression "<query> <op> <threshold>" into the query, which must return data on its own. */
function alertQuery(expr: string): string {
  const match = /^([\s\S]+?)\s*(>|<|>=|<=|==|!=)\s*-?[\d.]+(e[+-]?\d+)?\s*$/.exec(expr);
  if (!match) throw new Error(`alert expression without a final threshold: ${expr}`);
  return match[1]!;
}

interface LoadedRule {
  name: string;
  query: string;
  health: string;
  lastError?: string;
}

async function loadedRules(prometheus: PrometheusServer): Promise<LoadedRule[]> {
  const res = await fetch(`${prometheus.url}/api/v1/rules`);
  const body = (await res.json()) as { data: { groups: { rules: LoadedRule[] }[] } };
  return body.data.groups.flatMap((g) => g.rules);
}

/** Each value of the metric-name variable the expression uses, as the panel Grafana repeats for it. */
async function returnsDataPerMetric(prometheus: PrometheusServer, promql: string): Promise<void> {
  const variable = [...metricNameVariables.keys()].find((name) => promql.includes(`$${name}`));
  if (!variable) return returnsData(prometheus, promql);
  const valuesQuery = variableAsPromql(metricNameVariables.get(variable)!);
  const names = await eventually(
    async () => {
      const rows = await prometheus.query(valuesQuery);
      return rows.length > 0 ? rows.map((r) => r.metric.__name__!) : undefined;
    },
    20_000,
    `values of $${variable}`,
  );
  for (const name of names) await returnsData(prometheus, promql.replaceAll(`$${variable}`, name));
}

async function returnsData(prometheus: PrometheusServer, promql: string, timeoutMillis = 20_000): Promise<void> {
  await eventually(
    async () => ((await prometheus.query(promql)).length > 0 ? true : undefined),
    timeoutMillis,
    `data for ${promql}`,
  );
}

const missing = [...missingPrerequisites(true, true), ...missingDatabases(), ...missingElasticsearch()];

describe.runIf(missing.length === 0)('dashboards and alert rules against a real Prometheus', () => {
  const es = new ElasticsearchServer();
  const sentry = new SentryStandin(SENTRY_PROJECT, SENTRY_KEY);
  const viaCollector = new PrometheusServer();
  const direct = new PrometheusServer();
  const databases = new Databases();
  let storageDir = '';
  let collector: CollectorProcess;
  let agent: CollectorProcess;
  let app: App;
  let stoppedApp: App;
  let businessApp: App;
  let rulesViaCollector: LoadedRule[] = [];
  let rulesDirect: LoadedRule[] = [];
  let traffic: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    storageDir = mkdtempSync(join(tmpdir(), 'otelkit-dashboards-storage-'));
    // One after the other: a starting Elasticsearch takes both cores, and Redis must start within 10 s.
    await startForCollector(es);
    await sentry.start();
    await databases.start();
    await databases.holdConnections(5);
    const ports = await allocateCollectorPorts();
    collector = new CollectorProcess(
      ports,
      collectorEnv(ports, storageDir, {
        ...collectorElasticsearchEnv(es),
        SENTRY_OTLP_ENDPOINT: sentry.otlpEndpoint,
        // A wrong key: Sentry answers 401 and the exporter drops those batches, so the export-failure panel and
        // the CollectorExportFailing alert have real data.
        SENTRY_PUBLIC_KEY: 'wrong-key',
        OTELCOL_BATCH_TIMEOUT: '200ms',
      }),
    );
    const agentPorts = await allocateCollectorPorts();
    agent = new CollectorProcess(
      agentPorts,
      {
        OTELCOL_OTLP_GRPC_ENDPOINT: `127.0.0.1:${agentPorts.grpc}`,
        OTELCOL_OTLP_HTTP_ENDPOINT: `127.0.0.1:${agentPorts.http}`,
        OTELCOL_HEALTH_ENDPOINT: `127.0.0.1:${agentPorts.health}`,
        OTELCOL_TELEMETRY_HOST: '127.0.0.1',
        OTELCOL_TELEMETRY_PORT: String(agentPorts.telemetry),
        OTELCOL_HOST_NAME: 'dashboards-node',
        OTELCOL_HOSTMETRICS_INTERVAL: '1s',
        OTELCOL_GATEWAY_ENDPOINTS: `[127.0.0.1:${ports.grpc}]`,
        OTELCOL_REDIS_ENDPOINT: databases.redisAddress,
        OTELCOL_DATABASES_INTERVAL: '1s',
      },
      [join(SCALE_OUT_DIR, 'agent.yaml'), join(SCALE_OUT_DIR, 'agent.static.yaml'), join(SCALE_OUT_DIR, 'agent.databases.yaml')],
      AGENT_BINARY,
    );
    await Promise.all([collector.waitHealthy(), agent.waitHealthy()]);

    const appMetricsPort = await freePort();
    app = new App('logging-app.cjs', {
      env: {
        ...fastExportEnv(agent.otlpHttpUrl),
        OTEL_SERVICE_NAME: 'dashboards-e2e',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=e2e',
        OTEL_METRICS_EXPORTER: 'otlp,prometheus',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(appMetricsPort),
      },
    });
    const base = await app.url('');
    // A second service that exports for a few seconds and then stops, as a crashed app does: ServiceStoppedSending
    // must go pending for it (the last test), and never for the app that keeps running.
    stoppedApp = new App('logging-app.cjs', {
      env: { ...fastExportEnv(agent.otlpHttpUrl), OTEL_SERVICE_NAME: 'dashboards-e2e-stopped' },
    });
    await stoppedApp.url('');
    // Business metrics (business-app.cjs), with a bound of 2 values per attribute that the traffic exceeds.
    businessApp = new App('business-app.cjs', {
      env: { ...fastExportEnv(agent.otlpHttpUrl), OTEL_SERVICE_NAME: 'dashboards-business', MAX_VALUES: '2' },
    });
    const businessBase = await businessApp.url('');

    // The shipped configurations, pointed at the processes above and made to scrape and evaluate every second.
    const rulesGlob = join(PROMETHEUS_DIR, 'rules', '*.yml');
    const fast = (config: string) =>
      config
        .replace(/(scrape|evaluation)_interval: 15s/g, '$1_interval: 1s')
        .replace(/rule_files:\n\s+- rules\/\*\.yml/, `rule_files:\n  - ${rulesGlob}`);
    const shipped = readFileSync(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8');
    expect([...shipped.matchAll(/job_name: (\S+)/g)].map((m) => m[1])).toEqual([
      'otelkit-apps',
      'otelkit-collector',
      'otelkit-agent',
      'postgres',
      'prometheus',
      'alertmanager',
    ]);
    const alertmanagerPort = await freePort(); // nothing listens: alerts are read from Prometheus itself
    const prometheusPort = await freePort();
    await viaCollector.startWithConfig(
      fast(shipped)
        .replace("'collector:8889'", `'127.0.0.1:${ports.prometheus}'`)
        .replace("'collector:8888'", `'127.0.0.1:${ports.telemetry}'`)
        .replace("'agent:8888'", `'127.0.0.1:${agentPorts.telemetry}'`)
        .replace("'postgres-exporter:9187'", `'${databases.exporterAddress}'`)
        .replace("'localhost:9090'", `'127.0.0.1:${prometheusPort}'`)
        .replaceAll("'alertmanager:9093'", `'127.0.0.1:${alertmanagerPort}'`),
    );
    const directJob = readFileSync(join(PROMETHEUS_DIR, 'app-direct-scrape.yml'), 'utf8');
    await direct.startWithConfig(
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - ${rulesGlob}\n` +
        directJob.replace("'app:9464'", `'127.0.0.1:${appMetricsPort}'`),
    );

    // Traffic until the end, so rates are not zero: successes, 5xx (one with an ERROR log record, which the
    // collector also forwards to Sentry, where the wrong key makes it fail) and enough logging to make V8 collect
    // garbage.
    let round = 0;
    const sendTraffic = () =>
      Promise.all([
        ...[1, 2, 3].map((id) => fetch(`${base}/orders/${id}`)),
        fetch(`${base}/fail`),
        fetch(`${base}/throw`),
        ...(round++ % 4 === 0 ? [fetch(`${base}/spam/300`)] : []),
        fetch(`${businessBase}/tickets?priority=high&channel=${['email', 'phone', 'chat'][round % 3]}`),
        fetch(`${businessBase}/approve?department=finance&seconds=${round % 100}`),
        ...(round % 2 === 0 ? [fetch(`${businessBase}/resolve?priority=high`)] : []),
      ]).catch(() => undefined);
    await sendTraffic();
    traffic = setInterval(() => void sendTraffic(), 250);
    await returnsData(viaCollector, 'process_cpu_time_seconds_total{service_name="dashboards-e2e-stopped"}');
    await stoppedApp.stop();
    rulesViaCollector = await loadedRules(viaCollector);
    rulesDirect = await loadedRules(direct);
  }, 240_000);

  afterAll(async () => {
    clearInterval(traffic);
    await app?.stop();
    await stoppedApp?.stop();
    await businessApp?.stop();
    await agent?.stop();
    await collector?.stop();
    await viaCollector.stop();
    await direct.stop();
    await es.stop();
    await sentry.stop();
    await databases.stop();
    if (storageDir) rmSync(storageDir, { recursive: true, force: true });
  });

  it("the app's log records and spans behind these metrics are stored in Elasticsearch", async () => {
    const ofApp = { term: { 'service.name': 'dashboards-e2e' } };
    expect((await es.waitForHits('logs-*.otel-*', ofApp, 1)).length).toBeGreaterThan(0);
    expect((await es.waitForHits('traces-*.otel-*', ofApp, 1)).length).toBeGreaterThan(0);
    // The exporter's document counts, which the Elasticsearch panels and alerts read, are the cluster's answers.
    await returnsData(viaCollector, 'otelcol_elasticsearch_docs_processed{outcome="success"} > 0');
  });

  it('Prometheus loads every alert rule', () => {
    expect(rulesViaCollector.map((r) => r.name).sort()).toEqual([
      'CollectorExportFailing',
      'CollectorQueueFilling',
      'CollectorRefusingData',
      'ElasticsearchDocumentsRejected',
      'ElasticsearchExportStalled',
      'ErrorLogRateHigh',
      'EventLoopDelayHigh',
      'HighCpu',
      'HighErrorRate',
      'HighLatencyP95',
      'HighMemory',
      'HostCpuCritical',
      'HostCpuHigh',
      'HostDiskAlmostFull',
      'HostDiskSpaceLow',
      'HostMemoryCritical',
      'HostMemoryHigh',
      'PostgresConnectionsHigh',
      'PostgresDown',
      'PostgresSlowQuery',
      'RedisMemoryHigh',
      'ServiceStoppedSending',
      'TargetDown',
    ]);
  });

  it('the dashboards have the panels the stack documents', () => {
    // The five users asked for: Overview, Application performance (Service overview and Runtime), Database,
    // Infrastructure (hosts, and the Collector for the telemetry pipeline), Business.
    expect(dashboards.map((d) => d.title).sort()).toEqual([
      'Business',
      'Collector',
      'Database',
      'Infrastructure',
      'Overview',
      'Runtime',
      'Service overview',
    ]);
    expect(dashboardQueries.length).toBeGreaterThan(80);
  });

  describe('via the collector (the shipped path)', () => {
    for (const { name, promql } of dashboardQueries) {
      it(`dashboard ${name}`, async () => returnsDataPerMetric(viaCollector, promql));
    }
    it('every alert rule evaluates without error, and its query without the threshold returns data', async () => {
      for (const rule of rulesViaCollector) {
        if (absenceRule(rule.query)) {
          const seen = rule.query.split(/\bunless\b/)[0]!;
          await eventually(
            async () =>
              (await viaCollector.query(seen)).some((s) => s.metric.service_name === 'dashboards-e2e') ? true : undefined,
            20_000,
            `${rule.name}: the live app among ${seen}`,
          );
          const firing = await viaCollector.query(rule.query);
          expect(firing.map((s) => s.metric.service_name)).not.toContain('dashboards-e2e');
        } else {
          await returnsData(viaCollector, alertQuery(rule.query));
        }
        const evaluated = (await loadedRules(viaCollector)).find((r) => r.name === rule.name)!;
        expect(evaluated.health, `${rule.name}: ${evaluated.lastError ?? ''}`).toBe('ok');
      }
    });
    it('the 5xx share and the failing Sentry export put their alerts in pending; latency stays quiet', async () => {
      const pending = async () => {
        const res = await fetch(`${viaCollector.url}/api/v1/alerts`);
        const body = (await res.json()) as { data: { alerts: { labels: { alertname: string }; state: string }[] } };
        return new Set(body.data.alerts.map((a) => a.labels.alertname));
      };
      let names = new Set<string>();
      await eventually(
        async () => {
          names = await pending();
          return names.has('HighErrorRate') && names.has('CollectorExportFailing') ? names : undefined;
        },
        20_000,
        'HighErrorRate and CollectorExportFailing pending',
      ).catch((err: Error) => {
        throw new Error(`${err.message}; pending or firing: ${[...names].join(', ') || 'none'}`);
      });
      expect(await pending()).not.toContain('HighLatencyP95');
    });
  });

  describe("via the app's own /metrics (app-direct-scrape.yml)", () => {
    for (const { name, promql } of dashboardQueries.filter((q) => aboutApps(q.promql))) {
      it(`dashboard ${name}`, async () => returnsData(direct, promql));
    }
    it('every alert rule about apps returns data', async () => {
      for (const rule of rulesDirect.filter((r) => aboutApps(r.query) && !absenceRule(r.query))) {
        await returnsData(direct, alertQuery(rule.query));
      }
    });
  });

  describe('databases (real PostgreSQL and Redis)', () => {
    it("PostgreSQL's series through postgres_exporter carry the server's values", async () => {
      const [maxConnections] = await viaCollector.query('pg_settings_max_connections');
      const client = new pg.Client({ connectionString: databases.databaseUrl });
      await client.connect();
      const shown = (await client.query<{ max_connections: string }>('SHOW max_connections')).rows[0]!.max_connections;
      await client.end();
      expect(Number(maxConnections!.value[1])).toBe(Number(shown));
      // The five connections held since the start, at least, in the test database.
      const [inUse] = await viaCollector.query('sum(pg_stat_activity_count{datname="postgres"})');
      expect(Number(inUse!.value[1])).toBeGreaterThanOrEqual(5);
      // A statement running for 6 s shows as an active transaction of at least 2 s.
      const slow = databases.slowQuery(6);
      await eventually(
        async () => {
          const [age] = await viaCollector.query('max(pg_stat_activity_max_tx_duration{state="active"})');
          return age && Number(age.value[1]) >= 2 ? true : undefined;
        },
        10_000,
        'the running statement in pg_stat_activity_max_tx_duration',
      );
      await slow;
    });

    it("Redis's series through the agent carry the server's values", async () => {
      const [maxmemory] = await viaCollector.query('redis_maxmemory_bytes{job="otelkit-redis"}');
      expect(Number(maxmemory!.value[1])).toBe(REDIS_MAXMEMORY);
      expect(maxmemory!.metric.instance).toBe(databases.redisAddress);
      // 100 keys of 1,000 bytes were written.
      const [used] = await viaCollector.query('redis_memory_used_bytes{job="otelkit-redis"}');
      expect(Number(used!.value[1])).toBeGreaterThan(100_000);
      expect(Number(used!.value[1])).toBeLessThan(REDIS_MAXMEMORY);
    });
  });

  // Last, so that the two minutes the rule needs have mostly passed while the other tests ran.
  it('ServiceStoppedSending goes pending for the app that stopped exporting, not for the one still running', async () => {
    const pendingFor = async () => {
      const res = await fetch(`${viaCollector.url}/api/v1/alerts`);
      const body = (await res.json()) as { data: { alerts: { labels: Record<string, string> }[] } };
      return body.data.alerts.filter((a) => a.labels.alertname === 'ServiceStoppedSending').map((a) => a.labels.service_name);
    };
    await eventually(
      async () => ((await pendingFor()).includes('dashboards-e2e-stopped') ? true : undefined),
      180_000,
      'ServiceStoppedSending for dashboards-e2e-stopped',
    );
    expect(await pendingFor()).not.toContain('dashboards-e2e');
  }, 200_000);
});

requirePrerequisites('dashboards and alert rules', missing);
