// One benchmark process: logs N lines with the chosen logger inside an active span, prints RESULT lines/s.
const { trace } = require('@opentelemetry/api');

const [kind, countText] = process.argv.slice(2);
const count = Number(countText);
const fields = {
  event_type: 'order.view',
  object_type: 'order',
  object_id: '1234',
  duration_ms: 12.5,
  user: { name: 'ada', password: 'x' },
};

function makeLogger() {
  if (kind === 'pino') {
    const log = require('pino')();
    return (i) => log.info({ ...fields, i }, 'order viewed');
  }
  if (kind === 'winston') {
    const winston = require('winston');
    const log = winston.createLogger({
      format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
      transports: [new winston.transports.Console()],
    });
    return (i) => log.info('order viewed', { ...fields, i });
  }
  const { getLogger, runWithRequestContext } = require('otelkit');
  const log = getLogger('bench');
  return (i) => runWithRequestContext({ requestId: 'req-1', userId: '42' }, () => log.info('order viewed', { ...fields, i }));
}

const logLine = makeLogger();
trace.getTracer('bench').startActiveSpan('bench', (span) => {
  for (let i = 0; i < 2000; i++) logLine(i); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) logLine(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  span.end();
  process.stderr.write(`RESULT ${(count / seconds).toFixed(0)}\n`);
  // What is measured is the logging call path; the export of what it queued happens after, unmeasured.
  const drain = kind === 'otelkit' ? require('otelkit').flush() : Promise.resolve();
  drain.then(() => process.exit(0));
});
