// Nanoseconds per record to turn a winston record into an OpenTelemetry log record: upstream's conversion
// (@opentelemetry/winston-transport's utils module, which the bundle no longer carries) against otelkit's
// (dist/logging/winston-records.js), alternated, with a logger that only counts. Needs `npm run build`.
// Usage: node bench/winston-records.cjs [records per round]
const { join } = require('node:path');
const upstream = require('@opentelemetry/winston-transport/build/src/utils.js');
const otelkit = require(join(__dirname, '..', 'dist', 'logging', 'winston-records.js'));

const LEVEL = Symbol.for('level');
const SPLAT = Symbol.for('splat');
const CONTEXT = Symbol.for('opentelemetry.js.contrib.winston.context');
const logger = {
  count: 0,
  emit(record) {
    this.count += record.attributes ? 1 : 0;
  },
};
const RECORDS = {
  // What the winston instrumentation's transport gets from bench/apps/realistic.cjs's log line.
  realistic: () => ({
    order_id: '42',
    items: 50,
    level: 'info',
    message: 'order served',
    trace_id: '0af7651916cd43dd8448eb211c80319c',
    span_id: 'b7ad6b7169203331',
    trace_flags: '01',
    request_id: '5b1d0c1e-6c5e-4a8e-9a52-3f7c2b1d9e01',
    [LEVEL]: 'info',
    [SPLAT]: [{ order_id: '42', items: 50 }],
    [CONTEXT]: {},
  }),
  // What getLogger's transport gets from bench/log-worker.cjs's line (a nested object included).
  'log-worker': () => ({
    event_type: 'order.view',
    object_type: 'order',
    object_id: '1234',
    duration_ms: 12.5,
    user: { name: 'ada', password: '[REDACTED]' },
    i: 7,
    level: 'info',
    message: 'order viewed',
    logger: 'bench',
    'service.name': 'bench',
    request_id: 'req-1',
    user_id: '42',
    trace_id: '0af7651916cd43dd8448eb211c80319c',
    span_id: 'b7ad6b7169203331',
    [LEVEL]: 'info',
  }),
};
const count = Number(process.argv[2] ?? 300_000);
const rounds = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`Node ${process.version}, ns per record (record creation included), median of ${rounds} rounds of ${count}`);
for (const [name, make] of Object.entries(RECORDS)) {
  const times = { upstream: [], otelkit: [] };
  for (let round = 0; round < rounds; round++) {
    for (const [label, module] of [
      ['upstream', upstream],
      ['otelkit', otelkit],
    ]) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < count; i++) module.emitLogRecord(make(), logger, undefined, undefined);
      times[label].push(Number(process.hrtime.bigint() - started) / count);
    }
  }
  console.log(`${name}: upstream ${median(times.upstream).toFixed(0)}, otelkit ${median(times.otelkit).toFixed(0)}`);
}
