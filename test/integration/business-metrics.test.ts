// Business metrics through otelkit's API (businessCounter, businessHistogram, businessUpDownCounter): an app records
// tickets, approvals and pending work; the OTLP receiver and a real Prometheus scraping the app get the series with
// the declared attributes, undeclared ones dropped, values past the cardinality bound folded into `_other` with one
// warning, and bad input warned about without throwing into the app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedMetric } from '../harness/otlp-receiver';
import { useTestBed } from '../harness/test-bed';
import { App, fastExportEnv, get } from '../harness/app';
import { freePort, Prometheus, prometheusAvailable } from '../harness/prometheus';

const bed = useTestBed();

/** The data points of the newest export of a metric (cumulative: the newest holds the totals). */
function latest(metrics: ReceivedMetric[], name: string): ReceivedMetric | undefined {
  return metrics.filter((m) => m.name === name).at(-1);
}

const byAttributes = (metric: ReceivedMetric | undefined) =>
  Object.fromEntries((metric?.dataPoints ?? []).map((p) => [JSON.stringify(p.attributes), p]));

describe('business metrics over OTLP', () => {
  it('counter, histogram and up-down counter arrive with the declared attributes, in the otelkit.business scope', async () => {
    const app = bed.launch('business-app.cjs');
    const base = await app.url('');
    for (const priority of ['high', 'high', 'low']) await get(`${base}/tickets?priority=${priority}&channel=email`);
    await get(`${base}/resolve?priority=high`);
    for (const seconds of [5, 50, 500]) await get(`${base}/approve?department=finance&seconds=${seconds}`);

    const { receiver } = bed;
    await receiver.waitFor(
      () =>
        latest(receiver.metrics, 'approval.duration')?.dataPoints[0]?.count === 3 &&
        byAttributes(latest(receiver.metrics, 'tickets.created'))['{"priority":"low","channel":"email"}'] !== undefined,
      10_000,
      'business metrics',
    );
    const created = latest(receiver.metrics, 'tickets.created')!;
    expect(created.scope).toBe('otelkit.business');
    expect(created.unit).toBe('{ticket}');
    const points = byAttributes(created);
    expect(points['{"priority":"high","channel":"email"}']?.value).toBe(2);
    expect(points['{"priority":"low","channel":"email"}']?.value).toBe(1);
    // customer_email was passed but not declared: on no data point.
    expect(created.dataPoints.every((p) => !('customer_email' in p.attributes))).toBe(true);
    expect(app.stderrLines(/attribute "customer_email" is not declared/)).toHaveLength(1);

    const pending = byAttributes(latest(receiver.metrics, 'tickets.pending'));
    expect(pending['{"queue":"high"}']?.value).toBe(1);
    expect(pending['{"queue":"low"}']?.value).toBe(1);

    const approval = latest(receiver.metrics, 'approval.duration')!;
    expect(approval.unit).toBe('s');
    expect(approval.dataPoints[0]).toMatchObject({ attributes: { department: 'finance' }, count: 3, sum: 555 });
  });

  it('past maxValuesPerAttribute, new values are recorded as _other, counted, and warned about once', async () => {
    const app = bed.launch('business-app.cjs', { env: { MAX_VALUES: '3' } });
    const base = await app.url('');
    const channels = ['email', 'phone', 'chat', 'portal', 'fax', 'email', 'sms'];
    for (const channel of channels) await get(`${base}/tickets?priority=low&channel=${channel}`);

    const { receiver } = bed;
    const total = () =>
      (latest(receiver.metrics, 'tickets.created')?.dataPoints ?? []).reduce((sum, p) => sum + (p.value ?? 0), 0);
    await receiver.waitFor(() => total() === channels.length, 10_000, 'seven tickets');
    const points = byAttributes(latest(receiver.metrics, 'tickets.created'));
    expect(Object.keys(points).sort()).toEqual(
      ['chat', 'email', 'phone', '_other'].map((c) => JSON.stringify({ priority: 'low', channel: c })).sort(),
    );
    // portal, fax and sms came after the bound; email came back and kept its own value.
    expect(points['{"priority":"low","channel":"_other"}']?.value).toBe(3);
    expect(points['{"priority":"low","channel":"email"}']?.value).toBe(2);
    await receiver.waitFor(
      () => latest(receiver.metrics, 'otelkit.business.attribute_values_folded')?.dataPoints[0]?.value === 3,
      10_000,
      'the folded-values counter',
    );
    expect(latest(receiver.metrics, 'otelkit.business.attribute_values_folded')!.dataPoints[0]!.attributes).toEqual({
      metric: 'tickets.created',
      attribute: 'channel',
    });
    expect(app.stderrLines(/reached 3 distinct values/)).toHaveLength(1);
  });

  it('without declared attributes, the first ten distinct keys are kept and later ones dropped with one warning', async () => {
    const app = bed.launch('business-app.cjs');
    const base = await app.url('');
    for (let n = 0; n < 14; n++) await get(`${base}/tag?n=${n}`);
    const { receiver } = bed;
    const total = () =>
      (latest(receiver.metrics, 'tickets.tagged')?.dataPoints ?? []).reduce((sum, p) => sum + (p.value ?? 0), 0);
    await receiver.waitFor(() => total() === 14, 10_000, 'fourteen tagged tickets');
    const keys = latest(receiver.metrics, 'tickets.tagged')!.dataPoints.map((p) => Object.keys(p.attributes).join(','));
    // Ten series with one key each, and the four recordings past the bound counted without attributes.
    expect(keys.filter((k) => k !== '').sort()).toEqual(Array.from({ length: 10 }, (_, n) => `tag_${n}`).sort());
    expect(
      latest(receiver.metrics, 'tickets.tagged')!.dataPoints.find((p) => Object.keys(p.attributes).length === 0)?.value,
    ).toBe(4);
    expect(app.stderrLines(/more than 10 distinct attribute keys; "tag_10"/)).toHaveLength(1);
  });

  it('bad values and names give one warning each and never throw into the app', async () => {
    const app = bed.launch('business-app.cjs');
    const base = await app.url('');
    for (let i = 0; i < 3; i++) expect((await get(`${base}/bad`)).status).toBe(200);
    await get(`${base}/tickets?priority=low&channel=email`);
    const { receiver } = bed;
    await receiver.waitFor(() => latest(receiver.metrics, 'tickets.created') !== undefined, 10_000, 'tickets.created');
    // Neither the negative amount nor NaN was added.
    expect(latest(receiver.metrics, 'tickets.created')!.dataPoints.map((p) => p.value)).toEqual([1]);
    expect(app.stderrLines(/"tickets.created": value -5 is not a non-negative finite number/)).toHaveLength(1);
    expect(app.stderrLines(/business metric name "not a valid name!" is invalid/)).toHaveLength(3);
  });
});

describe.runIf(prometheusAvailable())('business metrics scraped by a real Prometheus', () => {
  const prometheus = new Prometheus();
  let app: App | undefined;

  beforeAll(async () => {
    const metricsPort = await freePort();
    await prometheus.start([{ job: 'tickets', address: `127.0.0.1:${metricsPort}` }]);
    app = new App('business-app.cjs', {
      env: {
        ...fastExportEnv('http://127.0.0.1:9'),
        OTEL_SERVICE_NAME: 'ticketing',
        OTEL_METRICS_EXPORTER: 'prometheus',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
      },
    });
    const base = await app.url('');
    for (const priority of ['high', 'low', 'low']) await get(`${base}/tickets?priority=${priority}&channel=email`);
    await get(`${base}/approve?department=finance&seconds=42`);
  }, 30_000);

  afterAll(async () => {
    await app?.stop('SIGKILL');
    await prometheus.stop();
  });

  it('the series carry the attributes as labels and the scope otelkit.business', async () => {
    const rows = await prometheus.waitForSeries('tickets_created_total{otel_scope_name="otelkit.business"}');
    const byPriority = Object.fromEntries(rows.map((r) => [r.metric.priority, Number(r.value[1])]));
    expect(byPriority).toEqual({ high: 1, low: 2 });
    const [approval] = await prometheus.waitForSeries('approval_duration_sum{department="finance"}');
    expect(Number(approval!.value[1])).toBe(42);
  });
});
