// The collector image (collector/docker/collector.Containerfile, built by scripts/build-collector-image.sh with
// buildah) run with podman: an app on the host sends to the container's published OTLP port, the data arrives in
// a real Elasticsearch and a real Prometheus on the host; health, SIGTERM within the grace period, and a SIGKILL
// during a backend outage that loses and duplicates nothing. Also holds collector.Dockerfile to the Containerfile.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, fastExportEnv, get, REPO_ROOT } from '../harness/app';
import {
  collectorRolesYml,
  ElasticsearchServer,
  missingElasticsearch,
  runSetupJob,
  type SearchHit,
} from '../harness/elasticsearch';
import {
  buildCollectorImage,
  CollectorContainer,
  HOST_FROM_CONTAINER,
  missingContainerTools,
  podman,
  Relay,
  run,
  PODMAN,
  uniqueName,
} from '../harness/podman';
import { SentryStandin } from '../harness/sentry-standin';
import { eventually, missingPrerequisites, PrometheusServer, requirePrerequisites } from './collector-harness';

const DOCKER_DIR = join(REPO_ROOT, 'collector', 'docker');
const MANIFEST = readFileSync(join(REPO_ROOT, 'collector', 'builder-config.yaml'), 'utf8');
const SENTRY_PROJECT = '4508123';
const SENTRY_KEY = 'e2e5ca1ab1e0public0key';
const SERVICE = 'image-e2e';
const COLLECTOR_USER = 'otelkit-collector';
const COLLECTOR_PASSWORD = 'collector-test-password';
const LOGS = 'logs-*.otel-*';
const TRACES = 'traces-*.otel-*';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const term = (field: string, value: unknown) => ({ term: { [field]: value } });
const seqs = (hits: SearchHit[]) =>
  hits.map((h) => Number((h._source.attributes as Record<string, unknown>).seq)).sort((a, b) => a - b);

/** A Dockerfile stage from its `FROM scratch` line on, without comments. */
function finalStage(text: string): string[] {
  const lines = text.split('\n');
  return lines.slice(lines.lastIndexOf('FROM scratch')).filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

const IMAGES = [
  { image: 'collector', manifest: MANIFEST },
  { image: 'agent', manifest: readFileSync(join(REPO_ROOT, 'collector', 'scale-out', 'agent-builder-config.yaml'), 'utf8') },
];
const distVersion = (manifest: string) => /^dist:[\s\S]*?\n {2}version: (\S+)/m.exec(manifest)![1]!;

describe.each(IMAGES)('$image.Dockerfile and $image.Containerfile', ({ image, manifest }) => {
  const containerfile = readFileSync(join(DOCKER_DIR, `${image}.Containerfile`), 'utf8');
  const dockerfile = readFileSync(join(DOCKER_DIR, `${image}.Dockerfile`), 'utf8');

  it("the Dockerfile's last stage is the Containerfile with its files taken from the build stages", () => {
    const fromStages = finalStage(dockerfile).map((l) => l.replace(/^COPY --from=\w+ \/src\//, 'COPY '));
    expect(fromStages).toEqual(finalStage(containerfile));
    expect(finalStage(containerfile).length).toBeGreaterThan(10);
  });

  it("both build the manifest's release and carry its version, which compose names", () => {
    const core = /go\.opentelemetry\.io\/collector\/receiver\/otlpreceiver (v[0-9.]+)/.exec(manifest)![1];
    expect(dockerfile).toContain(`ARG OCB_VERSION=${core}`);
    for (const text of [containerfile, dockerfile]) expect(text).toContain(`ARG VERSION=${distVersion(manifest)}`);
    const compose = readFileSync(join(REPO_ROOT, 'collector', 'compose.yaml'), 'utf8');
    expect(compose).toContain(`image: localhost/otelkit-${image}:${distVersion(manifest)}`);
  });
});

describe('the images hold every config', () => {
  const copies = (image: string) =>
    finalStage(readFileSync(join(DOCKER_DIR, `${image}.Containerfile`), 'utf8')).filter((l) => l.startsWith('COPY '));
  const files = (dir: string, pattern: RegExp) =>
    readdirSync(join(REPO_ROOT, 'collector', dir))
      .filter((f) => pattern.test(f))
      .sort();

  it('the collector image: every collector config and scale-out gateway overlay', () => {
    const configs = files('.', /^config.*\.yaml$/);
    expect(configs).toContain('config.yaml');
    expect(copies('collector')).toContain(`COPY ${configs.join(' ')} /etc/otelkit/`);
    const gateway = files('scale-out', /^gateway.*\.yaml$/).map((f) => `scale-out/${f}`);
    expect(copies('collector')).toContain(`COPY ${gateway.join(' ')} /etc/otelkit/scale-out/`);
  });

  it('the agent image: every agent config', () => {
    const configs = files('scale-out', /^agent.*\.yaml$/).filter((f) => f !== 'agent-builder-config.yaml');
    expect(configs).toContain('agent.yaml');
    expect(copies('agent')).toContain(`COPY ${configs.map((f) => `scale-out/${f}`).join(' ')} /etc/otelkit/`);
  });
});

const missing = [...missingContainerTools(), ...missingPrerequisites(), ...missingElasticsearch()];

describe.runIf(missing.length === 0)('the collector image under podman', () => {
  const es = new ElasticsearchServer();
  const sentry = new SentryStandin(SENTRY_PROJECT, SENTRY_KEY);
  const prometheus = new PrometheusServer();
  const prometheuses = [prometheus];
  let relay: Relay;
  let image = '';
  const containers: CollectorContainer[] = [];
  const volumes: string[] = [];
  const apps: App[] = [];

  beforeAll(async () => {
    const built = Date.now();
    image = await buildCollectorImage();
    const size = await podman(['image', 'inspect', '--format', '{{.Size}}', image]);
    process.stderr.write(`${image}: built or found in ${Date.now() - built} ms, ${(Number(size) / 1e6).toFixed(1)} MB\n`);
    await es.start({
      fileUsers: [{ name: COLLECTOR_USER, password: COLLECTOR_PASSWORD, roles: ['otelkit_collector'] }],
      fileRoles: collectorRolesYml('otelkit_collector'),
    });
    await runSetupJob(es);
    await sentry.start();
    relay = new Relay(Number(new URL(es.url).port));
    await relay.open();
  }, 600_000);

  afterAll(async () => {
    for (const app of apps) await app.stop('SIGKILL');
    for (const c of containers) await c.remove();
    for (const v of volumes) await run(PODMAN, ['volume', 'rm', '--force', v]);
    await relay?.close();
    for (const p of prometheuses) await p.stop();
    await sentry.stop();
    await es.stop();
  }, 120_000);

  async function startContainer(volume: string): Promise<CollectorContainer> {
    if (!volumes.includes(volume)) volumes.push(volume);
    const sentryPort = new URL(sentry.url).port;
    const container = new CollectorContainer(image, volume, {
      ELASTICSEARCH_ENDPOINT: `http://${HOST_FROM_CONTAINER}:${relay.port}`,
      ELASTICSEARCH_USERNAME: COLLECTOR_USER,
      ELASTICSEARCH_PASSWORD: COLLECTOR_PASSWORD,
      SENTRY_OTLP_ENDPOINT: `http://${HOST_FROM_CONTAINER}:${sentryPort}/api/${SENTRY_PROJECT}/integration/otlp`,
      SENTRY_PUBLIC_KEY: SENTRY_KEY,
      OTELCOL_BATCH_TIMEOUT: '200ms',
    });
    containers.push(container);
    await container.start();
    return container;
  }

  function startApp(container: CollectorContainer): App {
    const app = new App('elasticsearch-app.cjs', {
      env: {
        ...fastExportEnv(container.otlpHttpUrl),
        OTEL_SERVICE_NAME: SERVICE,
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=image',
      },
    });
    apps.push(app);
    return app;
  }

  it('runs as a non-root user with the queue volume, the labels and the health check it declares', async () => {
    const config = JSON.parse(await podman(['image', 'inspect', '--format', '{{json .Config}}', image])) as {
      User: string;
      Volumes: Record<string, unknown>;
      Labels: Record<string, string>;
    };
    expect(config.User).toBe('10001:10001');
    expect(Object.keys(config.Volumes)).toEqual(['/var/lib/otelcol/otelkit']);
    expect(config.Labels).toMatchObject({
      'org.opencontainers.image.source': 'https://github.com/otelkit/otelkit',
      'org.opencontainers.image.version': distVersion(MANIFEST),
      'org.opencontainers.image.licenses': 'Apache-2.0 AND GPL-2.0-only',
    });
    const healthcheck = JSON.parse(await podman(['image', 'inspect', '--format', '{{json .HealthCheck}}', image])) as {
      Test: string[];
    } | null;
    expect(healthcheck?.Test[0]).toBe('CMD-SHELL');
    expect(healthcheck?.Test[1]).toContain('wget');
  });

  it("an app on the host → the container's published OTLP port → Elasticsearch and Prometheus; healthy; SIGTERM ends it in time", async () => {
    const started = Date.now();
    const container = await startContainer(uniqueName('queue'));
    await container.waitHealthy();
    process.stderr.write(`container start to healthy: ${Date.now() - started} ms (podman run included)\n`);
    // The image's own HEALTHCHECK, run inside the container the way podman runs it on a schedule.
    const check = await container.healthcheck();
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect((await container.state()).Health?.Status).toBe('healthy');

    await prometheus.start(`127.0.0.1:${container.ports.prometheus}`);
    const app = startApp(container);
    expect((await get(await app.url('/burst/image/10'))).status).toBe(200);
    expect((await get(await app.url('/orders/7'))).status).toBe(200);

    const logs = await es.waitForHits(LOGS, term('burst_tag', 'image'), 10, 60_000);
    expect(seqs(logs)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(
      logs.every((h) => (h._source.resource as { attributes: Record<string, unknown> }).attributes['service.name'] === SERVICE),
    ).toBe(true);
    const spans = await es.waitForHits(
      TRACES,
      { bool: { filter: [term('service.name', SERVICE), term('kind', 'Server')] } },
      2,
      60_000,
    );
    expect(spans.map((s) => s._source.name).sort()).toEqual(['GET /burst/:tag/:count', 'GET /orders/:id']);
    const series = await eventually(
      async () => {
        const result = await prometheus.query(`http_server_request_duration_seconds_count{service_name="${SERVICE}"}`);
        return result.length > 0 ? result : undefined;
      },
      60_000,
      `the app's request metric in Prometheus\n${prometheus.output}`,
    );
    expect(series.reduce((sum, s) => sum + Number(s.value[1]), 0)).toBeGreaterThanOrEqual(2);

    // SIGTERM (podman stop) with a 30 s grace period: the collector drains and exits 0, well before podman's
    // SIGKILL (exit code 137).
    const grace = 30;
    const stopping = Date.now();
    await podman(['stop', '--time', String(grace), container.name], (grace + 30) * 1000);
    const stopMillis = Date.now() - stopping;
    process.stderr.write(`podman stop (SIGTERM): ${stopMillis} ms\n`);
    const state = await container.state();
    expect(state.Running).toBe(false);
    expect(state.ExitCode, await container.logs()).toBe(0);
    expect(stopMillis).toBeLessThan(grace * 1000);
    expect(await container.logs()).toContain('Shutdown complete.');
  }, 300_000);

  it("an app → the agent image (host metrics from the host's / mounted) → a collector container → Elasticsearch and Prometheus", async () => {
    const agentImage = await buildCollectorImage('agent');
    const collector = await startContainer(uniqueName('queue'));
    // As compose runs it: the static gateway list, the host's / read-only for host metrics.
    const agent = new CollectorContainer(
      agentImage,
      undefined,
      {
        OTELCOL_GATEWAY_ENDPOINTS: `[${HOST_FROM_CONTAINER}:${collector.ports.grpc}]`,
        OTELCOL_HOST_NAME: 'image-node',
        OTELCOL_HOSTMETRICS_ROOT_PATH: '/hostfs',
        OTELCOL_HOSTMETRICS_INTERVAL: '1s',
      },
      ['--volume', '/:/hostfs:ro'],
    );
    containers.push(agent);
    await agent.start();
    await Promise.all([collector.waitHealthy(), agent.waitHealthy()]);
    const check = await agent.healthcheck();
    expect(check.code, check.stdout + check.stderr).toBe(0);
    const chainPrometheus = new PrometheusServer();
    prometheuses.push(chainPrometheus);
    await chainPrometheus.start(`127.0.0.1:${collector.ports.prometheus}`);

    const app = startApp(agent);
    expect((await get(await app.url('/burst/agent/8'))).status).toBe(200);
    const logs = await es.waitForHits(LOGS, term('burst_tag', 'agent'), 8, 60_000);
    expect(seqs(logs)).toEqual(Array.from({ length: 8 }, (_, i) => i));
    for (const [expr, what] of [
      [`http_server_request_duration_seconds_count{service_name="${SERVICE}"}`, "the app's request metric"],
      ['{__name__=~"system_memory_usage(_bytes)?", service_name="otelkit-host"}', "the agent's host metrics"],
    ] as const) {
      await eventually(
        async () => ((await chainPrometheus.query(expr)).length > 0 ? true : undefined),
        60_000,
        `${what} in Prometheus (${expr})\n${chainPrometheus.output}`,
      );
    }
  }, 300_000);

  it('Elasticsearch away, data sent, the container SIGKILLed, a new one on the same volume: each record arrives once', async () => {
    const volume = uniqueName('queue');
    await relay.close();
    const first = await startContainer(volume);
    await first.waitHealthy();
    const app = startApp(first);
    expect((await get(await app.url('/burst/crash/25'))).status).toBe(200);
    // Accepted by the container's receiver, which answers only once the records are in the queue on the volume.
    await eventually(
      async () => ((await first.ownMetric('otelcol_receiver_accepted_log_records')) >= 25 ? true : undefined),
      60_000,
      'the burst accepted by the receiver',
    );
    await app.stop('SIGKILL');
    await sleep(1000);
    expect(await first.ownMetric('otelcol_exporter_sent_log_records', 'exporter="elasticsearch"')).toBe(0);
    expect(await es.search(LOGS, term('burst_tag', 'crash'))).toHaveLength(0);

    await podman(['kill', '--signal', 'KILL', first.name]);
    await eventually(async () => ((await first.state()).Running ? undefined : true), 30_000, 'the killed container gone');
    expect((await first.state()).ExitCode).toBe(137);
    await first.remove();

    const second = await startContainer(volume);
    await second.waitHealthy();
    await relay.open();
    const hits = await es.waitForHits(LOGS, term('burst_tag', 'crash'), 25, 120_000);
    // Longer than a batch and a retry round: a duplicate would show up by now.
    await sleep(5000);
    const again = await es.search(LOGS, term('burst_tag', 'crash'));
    expect(seqs(again)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(hits.length).toBe(25);
  }, 400_000);
});

requirePrerequisites('collector image under podman', missing);
