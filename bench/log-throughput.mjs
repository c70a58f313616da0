// Log lines per second: otelkit's getLogger (JSON, correlation, redaction, request context) against a plain
// winston JSON logger and pino, each in its own process writing to /dev/null, alternated in one run.
// Usage: node bench/log-throughput.mjs [--lines N] [--rounds R]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const lines = arg('lines', 50_000);
const require = createRequire(import.meta.url);
// A local OTLP sink (otelkit's embedded receiver) so the OTLP variant pays for real, accepted exports.
const { OtlpHttpReceiver } = require(join(root, 'dist/dev/receiver.js'));
const sink = new OtlpHttpReceiver();
const sinkUrl = await sink.start();
const rounds = arg('rounds', 3);

// Each variant logs the same record inside an active span and, for otelkit, a request context.
const VARIANTS = {
  'plain winston': { preload: [], script: 'winston' },
  pino: { preload: [], script: 'pino' },
  'otelkit getLogger (stdout)': {
    preload: ['--require', 'otelkit/register'],
    script: 'otelkit',
    env: { OTEL_LOGS_EXPORTER: 'none' },
  },
  'otelkit getLogger (stdout + OTLP)': {
    preload: ['--require', 'otelkit/register'],
    script: 'otelkit',
    env: { OTEL_LOGS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
  },
};

const worker = join(root, 'bench', 'log-worker.cjs');
const devNull = openSync('/dev/null', 'w');
const results = Object.fromEntries(Object.keys(VARIANTS).map((k) => [k, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, v] of Object.entries(VARIANTS)) {
    // Asynchronous spawn: the sink in this process must keep answering while the worker runs.
    const stderr = await new Promise((resolve) => {
      const child = spawn(process.execPath, [...v.preload, worker, v.script, String(lines)], {
        cwd: root,
        stdio: ['ignore', devNull, 'pipe'],
        env: {
          PATH: process.env.PATH,
          OTEL_TRACES_EXPORTER: 'none',
          OTEL_METRICS_EXPORTER: 'none',
          OTEL_LOG_LEVEL: 'none',
          ...v.env,
        },
      });
      let text = '';
      child.stderr.setEncoding('utf8').on('data', (d) => (text += d));
      child.on('exit', () => resolve(text));
    });
    const match = /RESULT (\d+(?:\.\d+)?)/.exec(stderr);
    if (!match) throw new Error(`${name} failed:\n${stderr}`);
    results[name].push(Number(match[1]));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(results['plain winston']);
console.log(`Node ${process.version}, ${lines} lines per run, ${rounds} rounds, median lines/s`);
console.log('| logger | lines/s | ratio to plain winston |');
console.log('|---|---|---|');
for (const [name, xs] of Object.entries(results))
  console.log(`| ${name} | ${Math.round(median(xs))} | ${(median(xs) / base).toFixed(2)} |`);
console.log(`OTLP sink received ${sink.logs.length} log records`);
await sink.stop();
