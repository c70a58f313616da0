// getLogger lines per second with OTLP, two builds of otelkit alternated in pairs, each line of a pair in its own
// process on CPU 0 (bench/log-worker.cjs): for a change to the log path, smaller than the spread between separate
// runs of bench/log-throughput.mjs. The build before is a checkout with its own dist/ (e.g. a git worktree with
// node_modules linked and `npm run build` run), the one after is this repository.
// Usage: node bench/log-builds.mjs <checkout before> [--lines 20000] [--pairs 10]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const before = process.argv[2];
if (!before || before.startsWith('--')) {
  console.error('usage: node bench/log-builds.mjs <checkout before> [--lines 20000] [--pairs 10]');
  process.exit(2);
}
const lines = option('lines', 20_000);
const pairs = option('pairs', 10);
const { OtlpHttpReceiver } = createRequire(import.meta.url)(join(root, 'dist/dev/receiver.js'));
const sink = new OtlpHttpReceiver();
const sinkUrl = await sink.start();
const devNull = openSync('/dev/null', 'w');
const checkouts = { before: resolve(before), after: root };

const linesPerSecond = (cwd) =>
  new Promise((done, fail) => {
    const child = spawn(
      'taskset',
      ['-c', '0', process.execPath, '--require', 'otelkit/register', 'bench/log-worker.cjs', 'otelkit', String(lines)],
      {
        cwd,
        stdio: ['ignore', devNull, 'pipe'],
        env: {
          PATH: process.env.PATH,
          OTEL_TRACES_EXPORTER: 'none',
          OTEL_METRICS_EXPORTER: 'none',
          OTEL_LOG_LEVEL: 'none',
          OTEL_LOGS_EXPORTER: 'otlp',
          OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
        },
      },
    );
    let text = '';
    child.stderr.setEncoding('utf8').on('data', (d) => (text += d));
    child.on('error', fail); // taskset or node could not be started
    child.on('exit', () => {
      const match = /RESULT (\d+)/.exec(text);
      if (match) done(Number(match[1]));
      else fail(new Error(`${cwd}: no result\n${text}`));
    });
  });

const rates = { before: [], after: [] };
const ratios = [];
for (let i = 0; i < pairs; i++) {
  const pair = {};
  for (const name of i % 2 === 0 ? ['before', 'after'] : ['after', 'before']) {
    pair[name] = await linesPerSecond(checkouts[name]);
    rates[name].push(pair[name]);
  }
  ratios.push(pair.after / pair.before);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`Node ${process.version}, ${pairs} pairs of ${lines} lines, getLogger with OTLP/HTTP protobuf`);
console.log(`before ${median(rates.before)} lines/s, after ${median(rates.after)} lines/s (medians)`);
console.log(
  `after/before per pair: ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`,
);
await sink.stop();
