// The scale-out set-up on loopback: two apps (one trace crosses both) → the otelkit agent (collector/scale-out/
// agent.yaml + agent.static.yaml) → two gateways (collector/config.yaml + scale-out/gateway.yaml) → one real
// Elasticsearch, each gateway writing its spans to a data stream of its own (a one-line overlay naming
// traces_index), so a search tells which gateway stored a span. Shows that every trace lands whole on one gateway,
// that both gateways get traces, and that tail sampling keeps error and slow traces and drops the rest (ratio set
// to 0 here).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, fastExportEnv } from '../harness/app';
import {
  collectorElasticsearchEnv,
  ElasticsearchServer,
  missingElasticsearch,
  startForCollector,
} from '../harness/elasticsearch';
import { SentryStandin } from '../harness/sentry-standin';
import {
  AGENT_BINARY,
  allocateCollectorPorts,
  COLLECTOR_CONFIG,
  collectorEnv,
  CollectorProcess,
  eventually,
  missingPrerequisites,
  requirePrerequisites,
  SCALE_OUT_DIR,
} from './collector-harness';

const SENTRY_PROJECT = '4508123';
const SENTRY_KEY = 'e2e5ca1ab1e0public0key';
const DECISION_WAIT_MILLIS = 1500;

const es = new ElasticsearchServer();

class Gateway {
  readonly sentry = new SentryStandin(SENTRY_PROJECT, SENTRY_KEY);
  private storageDir = '';
  collector!: CollectorProcess;

  constructor(readonly name: string) {}

  /** The data stream this gateway's spans go to. */
  get tracesStream(): string {
    return `traces-${this.name}.otel-default`;
  }

  async start(): Promise<void> {
    this.storageDir = mkdtempSync(join(tmpdir(), 'otelkit-gateway-storage-'));
    await this.sentry.start();
    const overlay = join(this.storageDir, 'traces-index.yaml');
    writeFileSync(overlay, `exporters:\n  elasticsearch:\n    traces_index: ${this.tracesStream}\n`);
    const ports = await allocateCollectorPorts();
    const env = collectorEnv(ports, this.storageDir, {
      ...collectorElasticsearchEnv(es),
      SENTRY_OTLP_ENDPOINT: this.sentry.otlpEndpoint,
      SENTRY_PUBLIC_KEY: SENTRY_KEY,
      OTELCOL_BATCH_TIMEOUT: '200ms',
      OTELCOL_TAIL_SAMPLING_DECISION_WAIT: `${DECISION_WAIT_MILLIS}ms`,
      // Only the error and latency policies keep traces: an ordinary trace stored anywhere is a failure.
      OTELCOL_TAIL_SAMPLING_PERCENTAGE: '0',
    });
    this.collector = new CollectorProcess(ports, env, [COLLECTOR_CONFIG, join(SCALE_OUT_DIR, 'gateway.yaml'), overlay]);
    await this.collector.waitHealthy();
  }

  get otlpGrpcEndpoint(): string {
    return `127.0.0.1:${this.collector.ports.grpc}`;
  }

  /** Service names of the spans this gateway stored, by trace id, as Elasticsearch finds them. */
  async servicesByTrace(): Promise<Map<string, string[]>> {
    const byTrace = new Map<string, string[]>();
    for (const hit of await es.search(this.tracesStream, { match_all: {} }, 10_000)) {
      const service = (hit._source.resource as { attributes: Record<string, string> }).attributes['service.name']!;
      const traceId = hit._source.trace_id as string;
      byTrace.set(traceId, [...(byTrace.get(traceId) ?? []), service]);
    }
    return byTrace;
  }

  async stop(): Promise<void> {
    await this.collector?.stop();
    await this.sentry.stop();
    if (this.storageDir) rmSync(this.storageDir, { recursive: true, force: true });
  }
}

const missing = [...missingPrerequisites(false, true), ...missingElasticsearch()];

describe.runIf(missing.length === 0)('scale-out: agent → two gateways with tail sampling', () => {
  const gateways = [new Gateway('gateway1'), new Gateway('gateway2')];
  let agent: CollectorProcess;
  let back: App;
  let front: App;
  const traces: Record<'fail' | 'slow' | 'ok', string[]> = { fail: [], slow: [], ok: [] };

  /** Per gateway, the service names of each kept trace's spans it stored. */
  const keptOn = async () => {
    const stored = await Promise.all(gateways.map((g) => g.servicesByTrace()));
    return (id: string) => stored.map((byTrace) => byTrace.get(id) ?? []);
  };

  beforeAll(async () => {
    await startForCollector(es);
    await Promise.all(gateways.map((g) => g.start()));
    const agentPorts = await allocateCollectorPorts();
    agent = new CollectorProcess(
      agentPorts,
      {
        OTELCOL_OTLP_GRPC_ENDPOINT: `127.0.0.1:${agentPorts.grpc}`,
        OTELCOL_OTLP_HTTP_ENDPOINT: `127.0.0.1:${agentPorts.http}`,
        OTELCOL_HEALTH_ENDPOINT: `127.0.0.1:${agentPorts.health}`,
        OTELCOL_TELEMETRY_HOST: '127.0.0.1',
        OTELCOL_TELEMETRY_PORT: String(agentPorts.telemetry),
        OTELCOL_HOST_NAME: 'scale-out-node',
        OTELCOL_GATEWAY_ENDPOINTS: `[${gateways.map((g) => g.otlpGrpcEndpoint).join(', ')}]`,
      },
      [join(SCALE_OUT_DIR, 'agent.yaml'), join(SCALE_OUT_DIR, 'agent.static.yaml')],
      AGENT_BINARY,
    );
    await agent.waitHealthy();

    back = new App('scale-out-app.cjs', { env: { ...fastExportEnv(agent.otlpHttpUrl), OTEL_SERVICE_NAME: 'orders-back' } });
    front = new App('scale-out-app.cjs', {
      env: {
        ...fastExportEnv(agent.otlpHttpUrl),
        OTEL_SERVICE_NAME: 'orders-front',
        DOWNSTREAM_URL: await back.url(''),
      },
    });
    const frontUrl = await front.url('');
    const request = async (mode: keyof typeof traces, id: number) => {
      const body = (await (await fetch(`${frontUrl}/front/${id}?mode=${mode}`)).json()) as { traceId: string };
      traces[mode].push(body.traceId);
    };
    // The error span is in orders-back and the slow spans in both: a gateway that saw only part of a trace
    // would decide it wrongly.
    await Promise.all([
      ...Array.from({ length: 16 }, (_, i) => request('fail', i)),
      ...Array.from({ length: 2 }, (_, i) => request('slow', 100 + i)),
      ...Array.from({ length: 8 }, (_, i) => request('ok', 200 + i)),
    ]);
  }, 240_000);

  afterAll(async () => {
    await front?.stop();
    await back?.stop();
    await agent?.stop();
    await Promise.all(gateways.map((g) => g.stop()));
    await es.stop();
  });

  it('keeps every error and slow trace, each whole (both services) on exactly one gateway', async () => {
    const kept = [...traces.fail, ...traces.slow];
    expect(kept).toHaveLength(18);
    await eventually(
      async () => {
        const servicesOf = await keptOn();
        return kept.every((id) => servicesOf(id).some((services) => new Set(services).size === 2)) ? true : undefined;
      },
      30_000,
      'every kept trace with spans of both services on a gateway',
    );
    // Spans still on their way would show up now, on the wrong gateway, if routing split a trace.
    await new Promise((r) => setTimeout(r, DECISION_WAIT_MILLIS + 1000));
    const servicesOf = await keptOn();
    for (const id of kept) {
      const holders = servicesOf(id).filter((services) => services.length > 0);
      expect(holders, `gateways holding trace ${id}`).toHaveLength(1);
      expect(new Set(holders[0])).toEqual(new Set(['orders-front', 'orders-back']));
    }
  });

  it('spreads traces over both gateways', async () => {
    const servicesOf = await keptOn();
    const perGateway = gateways.map(
      (_, i) => [...traces.fail, ...traces.slow].filter((id) => servicesOf(id)[i]!.length > 0).length,
    );
    expect(
      perGateway.every((n) => n > 0),
      `kept traces per gateway: ${perGateway.join(', ')}`,
    ).toBe(true);
  });

  it('drops the ordinary traces (sampling ratio 0) while their logs still arrive', async () => {
    expect(traces.ok).toHaveLength(8);
    const servicesOf = await keptOn();
    for (const id of traces.ok) {
      expect(servicesOf(id).flat(), `spans of ordinary trace ${id}`).toEqual([]);
    }
    // Nor under any other name: no traces data stream holds them.
    expect(await es.search('traces-*', { terms: { trace_id: traces.ok } })).toEqual([]);
    // Tail sampling applies to traces only: the log records of the dropped traces are stored.
    const logs = await es.waitForHits('logs-*.otel-*', { terms: { trace_id: traces.ok } }, traces.ok.length, 20_000);
    expect(new Set(logs.map((h) => h._source.trace_id))).toEqual(new Set(traces.ok));
  });
});

requirePrerequisites('scale-out', missing);
