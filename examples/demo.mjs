// `npm run demo`: runs the orders API under `--require otelkit/register` against an embedded OTLP receiver,
// drives a few requests (one fails), and prints each request's span tree and log lines, then a metrics excerpt.
// No collector, no Docker. Exits when done and leaves no process behind.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { OtlpHttpReceiver } = require(join(root, 'dist/dev/receiver.js'));
const { renderTraces } = require(join(root, 'dist/dev/render.js'));

const receiver = new OtlpHttpReceiver();
const endpoint = await receiver.start();
const app = spawn(process.execPath, ['--require', 'otelkit/register', join(root, 'examples/orders-api/app.js')], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'pipe'],
  env: {
    ...process.env,
    OTEL_SERVICE_NAME: 'orders-api',
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '200',
    OTEL_BLRP_SCHEDULE_DELAY: '200',
    OTEL_METRIC_EXPORT_INTERVAL: '1000',
  },
});
const killApp = () => app.exitCode === null && app.kill('SIGKILL');
process.on('exit', killApp);

let appOutput = '';
app.stderr.setEncoding('utf8').on('data', (d) => process.stderr.write(`app stderr │ ${d}`));
const port = await new Promise((resolve, reject) => {
  app.stdout.setEncoding('utf8').on('data', (d) => {
    appOutput += d;
    const match = /\{"listening":(\d+)\}/.exec(appOutput);
    if (match) resolve(Number(match[1]));
  });
  app.once('exit', (code) => reject(new Error(`the example app exited early (code ${code})\n${appOutput}`)));
  setTimeout(() => reject(new Error('the example app did not start within 15 s')), 15_000).unref();
});

const requests = ['/orders/1001', '/orders/1002', '/orders/1002/refund'];
console.log(`orders-api is listening on ${port}; sending ${requests.length} requests\n`);
for (const path of requests) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  await res.text();
  console.log(`  GET ${path} → ${res.status}`);
}

// SIGTERM: otelkit flushes every signal before the app exits.
app.kill('SIGTERM');
await new Promise((resolve) => app.once('exit', resolve));

console.log('\nThe app printed these JSON log lines (stdout):');
for (const line of appOutput.split('\n').filter((l) => l.startsWith('{"timestamp"'))) console.log(`  ${line}`);

console.log('\nWhat arrived over OTLP, one block per request:\n');
console.log(renderTraces(receiver, { color: process.stdout.isTTY === true }));

const metricNames = [...new Set(receiver.metrics.map((m) => m.name))].sort();
console.log(`Metrics received (${metricNames.length} instruments): ${metricNames.join(', ')}`);
const duration = receiver.metrics.filter((m) => m.name === 'http.server.request.duration').at(-1);
for (const point of duration?.dataPoints ?? []) {
  console.log(
    `  http.server.request.duration ${point.attributes['http.route']} ${point.attributes['http.response.status_code']}: count=${point.count} sum=${point.sum?.toFixed(4)} s`,
  );
}
await receiver.stop();
