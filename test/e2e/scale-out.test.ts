// The scale-out set-up on loopback: two apps (one trace crosses both) → the otelkit agent (collector/scale-out/
// agent.yaml + agent.static.yaml) → two gateways (collector/config.yaml + scale-out/gateway.yaml), each writing to
// its own Elasticsearch stand-in. Shows that every trace lands whole on one gateway, that both gateways get
// traces, and that tail sampling keeps error and slow traces and drops the rest (ratio set to 0 here).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, fastExportEnv } from '../harness/app';
import { ElasticsearchFaultInjector } from '../harness/elasticsearch-fault-injector';
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

class Gateway {
  readonly es = new ElasticsearchFaultInjector();
  readonly sentry = new SentryStandin(SENTRY_PROJECT, SENTRY_KEY);
  private storageDir = '';
  collector!: CollectorProcess;

  async start(): Promise<void> {
    this.storageDir = mkdtempSync(join(tmpdir(), 'otelkit-gateway-storage-'));
    await this.es.start();
    await this.sentry.start();
    const ports = await allocateCollectorPorts();
    const env = collectorEnv(ports, this.storageDir, {
      ELASTICSEARCH_ENDPOINT: this.es.url,
      SENTRY_OTLP_ENDPOINT: this.sentry.otlpEndpoint,
      SENTRY_PUBLIC_KEY: SENTRY_KEY,
      OTELCOL_BATCH_TIMEOUT: '200ms',
      OTELCOL_TAIL_SAMPLING_DECISION_WAIT: `${DECISION_WAIT_MILLIS}ms`,
      // Only the error and latency policies keep traces: an ordinary trace stored anywhere is a failure.
      OTELCOL_TAIL_SAMPLING_PERCENTAGE: '0',
    });
    this.collector = new CollectorProcess(ports, env, [COLLECTOR_CONFIG, join(SCALE_OUT_DIR, 'gateway.yaml')]);
    await this.collector.waitHealthy();
  }

  get otlpGrpcEndpoint(): string {
    return `127.0.0.1:${this.collector.ports.grpc}`;
  }

  /** Service names of the spans of one trace this gateway stored. */
  servicesOf(traceId: string): string[] {
    return this.es
      .documentsIn('traces-')
      .filter((d) => d.source.trace_id === traceId)
      .map((d) => (d.source.resource as { attributes: Record<string, string> }).attributes['service.name']!);
  }

  async stop(): Promise<void> {
    await this.collector?.stop();
    await this.es.stop();
    await this.sentry.stop();
    if (this.storageDir) rmSync(this.storageDir, { recursive: true, force: true });
  }
}

const missing = missingPrerequisites(false, true);

describe.runIf(missing.length === 0)('scale-out: agent → two gateways with tail sampling', () => {
  const gateways = [new Gateway(), new Gateway()];
  let agent: CollectorProcess;
  let back: App;
  let front: App;
  const traces: Record<'fail' | 'slow' | 'ok', string[]> = { fail: [], slow: [], ok: [] };

  beforeAll(async () => {
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
  }, 60_000);

  afterAll(async () => {
    await front?.stop();
    await back?.stop();
    await agent?.stop();
    await Promise.all(gateways.map((g) => g.stop()));
  });

  it('keeps every error and slow trace, each whole (both services) on exactly one gateway', async () => {
    const kept = [...traces.fail, ...traces.slow];
    expect(kept).toHaveLength(18);
    await eventually(
      async () => (kept.every((id) => gateways.some((g) => new Set(g.servicesOf(id)).size === 2)) ? true : undefined),
      20_000,
      'every kept trace with spans of both services on a gateway',
    );
    // Spans still on their way would show up now, on the wrong gateway, if routing split a trace.
    await new Promise((r) => setTimeout(r, DECISION_WAIT_MILLIS + 1000));
    for (const id of kept) {
      const holders = gateways.filter((g) => g.servicesOf(id).length > 0);
      expect(holders, `gateways holding trace ${id}`).toHaveLength(1);
      expect(new Set(holders[0]!.servicesOf(id))).toEqual(new Set(['orders-front', 'orders-back']));
    }
  });

  it('spreads traces over both gateways', () => {
    const perGateway = gateways.map((g) => [...traces.fail, ...traces.slow].filter((id) => g.servicesOf(id).length > 0).length);
    expect(
      perGateway.every((n) => n > 0),
      `kept traces per gateway: ${perGateway.join(', ')}`,
    ).toBe(true);
  });

  it('drops the ordinary traces (sampling ratio 0) while their logs still arrive', async () => {
    expect(traces.ok).toHaveLength(8);
    for (const id of traces.ok) {
      expect(
        gateways.flatMap((g) => g.servicesOf(id)),
        `spans of ordinary trace ${id}`,
      ).toEqual([]);
    }
    // Tail sampling applies to traces only: the log records of the dropped traces are stored.
    await eventually(
      async () => {
        const logged = new Set(gateways.flatMap((g) => g.es.documentsIn('logs-').map((d) => d.source.trace_id)));
        return traces.ok.every((id) => logged.has(id)) ? true : undefined;
      },
      10_000,
      'log records of the ordinary traces',
    );
  });
});

requirePrerequisites('scale-out', missing);
