// Start-up cost of upstream's NodeSDK against otelkit's own composition (src/sdk/compose.ts): starts of each mode of
// ./sdk-node-start.cjs taking turns on CPU 0, medians of the time from process start to "started", of the RSS then,
// and of the files required. Usage: node bench/sdk-node.mjs [--starts 20]
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const at = process.argv.indexOf('--starts');
const starts = at > 0 ? Number(process.argv[at + 1]) : 20;
const modes = ['bare', 'otelkit', 'sdk-node'];
// Nothing listens there: exporters are created, nothing is sent before the process exits.
const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_SERVICE_NAME: 'bench' };
const runs = Object.fromEntries(modes.map((m) => [m, []]));
for (let i = 0; i < starts + 1; i++) {
  for (const mode of modes) {
    const out = execFileSync('taskset', ['-c', '0', process.execPath, join(here, 'sdk-node-start.cjs'), mode], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    if (i > 0) runs[mode].push(JSON.parse(out.trim().split('\n').pop())); // the first round fills the compile cache
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`Node ${process.version}, ${starts} starts per mode, medians`);
console.log('| mode | start-up | RSS | files required | loads @grpc/grpc-js |\n|---|---|---|---|---|');
for (const mode of modes) {
  const r = runs[mode];
  const ms = median(r.map((x) => x.ms));
  const rss = median(r.map((x) => x.rss)) / 2 ** 20;
  console.log(
    `| ${mode} | ${ms.toFixed(1)} ms | ${rss.toFixed(1)} MB | ${median(r.map((x) => x.files))} | ${r[0].grpc ? 'yes' : 'no'} |`,
  );
}
