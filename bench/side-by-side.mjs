// Two or more variants of one app at the same time, all on CPU 0, each under its own wrk (CPU 1): they share
// the core, so the ratio of the requests they serve is the inverse ratio of their CPU per request, and a machine
// that speeds up or slows down during the run does so for all of them alike. For comparing builds of otelkit
// (or settings) whose difference is smaller than the spread between separate runs of bench/overhead.mjs.
//
// Usage: node bench/side-by-side.mjs [--app hello|realistic|middleware] [--duration 4] [--rounds 6] [--warmup 2] [--starts 0]
//          'name: ENV=value ... -- node args' 'name: ...' ...
// e.g.   node bench/side-by-side.mjs 'before: -- -r ./dist-before/register.js' 'after: -- -r ./dist/register.js'
// (a build to compare against is a copy of its dist/ inside the repository, so that it finds the same node_modules).
// It also prints, per request served, each variant's own CPU (its process's user + system time, from /proc, so
// threads and GC helpers count), its time in GC pauses, and the bytes it allocated and promoted to the old
// generation (V8's counts, from --trace-gc-nvp; the byte counts, unlike time, do not move with the machine).
// The sink's CPU per round is printed too: the sink shares CPU 1 with the load generators.
// --starts N: first, N starts of each variant, interleaved one at a time on CPU 0, each timed from spawn to its
// first answered request; prints each variant's median (and, with --rounds 0, nothing else).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APPS } from './apps/index.mjs';
import { parseCommandLine, parseVariant, wrk } from './variants.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { options, specs } = parseCommandLine(process.argv.slice(2));
const app = APPS[options.get('app') ?? 'hello'];
const duration = Number(options.get('duration') ?? 4);
// Seconds of load before each measured round (see --warmup in ./overhead.mjs).
const warmup = Number(options.get('warmup') ?? 2);
const rounds = Number(options.get('rounds') ?? 6);
const starts = Number(options.get('starts') ?? 0);
if (!app || specs.length < 2) {
  console.error(
    "usage: node bench/side-by-side.mjs [--app hello] [--duration 4] [--rounds 6] [--starts 0] 'a: ENV=1 -- -r ./dist/register.js' 'b: ...'",
  );
  process.exit(2);
}

const variants = specs.map(parseVariant);

function start(command, args, env, cpu) {
  const child = spawn('taskset', ['-c', cpu, command, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (chunk) => (errors = (errors + chunk).slice(-2000)));
  // Apps run with --trace-gc-nvp: each GC line gives its pause and the bytes allocated since the one before.
  child.gc = { allocated: 0, promoted: 0, pause: 0 };
  child.port = new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const lines = out.split('\n');
      out = lines.pop();
      for (const line of lines) {
        const port = /"listening":(\d+)/.exec(line)?.[1];
        if (port) resolve(Number(port));
        const gc = / pause=([\d.]+) .* allocated=(\d+) promoted=(\d+)/.exec(line);
        if (gc) {
          child.gc.pause += Number(gc[1]);
          child.gc.allocated += Number(gc[2]);
          child.gc.promoted += Number(gc[3]);
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}) before listening:\n${errors}`)));
  });
  return child;
}

// A process's user + system CPU so far, in milliseconds (taskset execs the command, so the pid is the app's), and
// the system part of it.
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const [user, system] = [Number(fields[11]) * 10, Number(fields[12]) * 10]; // clock ticks (USER_HZ = 100)
  return { total: user + system, system };
}

const sink = start(process.execPath, ['bench/sink.cjs'], {}, '1');
const upstream = start(process.execPath, ['bench/apps/upstream.cjs'], {}, '1');
const [sinkPort, upstreamPort] = await Promise.all([sink.port, upstream.port]);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const appEnv = (v) => ({
  PORT: '0',
  UPSTREAM_URL: `http://127.0.0.1:${upstreamPort}`,
  OTEL_SERVICE_NAME: 'bench',
  OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`,
  ...v.env,
});
// --starts: interleaved starts of each variant, timed to the first answered request.
async function timeStarts() {
  const startMs = variants.map(() => []);
  for (let i = 0; i < starts; i++) {
    for (const [j, v] of variants.entries()) {
      const began = performance.now();
      const child = start(process.execPath, [...v.args, app.script], appEnv(v), '0');
      try {
        await (await fetch(`http://127.0.0.1:${await child.port}${app.path}`)).arrayBuffer();
        startMs[j].push(performance.now() - began);
      } finally {
        child.kill();
        if (child.exitCode === null) await once(child, 'exit');
      }
    }
  }
  console.log(`Node ${process.version}, ${options.get('app') ?? 'hello'}, ${starts} starts each, to the first answered request:`);
  for (const [j, v] of variants.entries()) {
    const ms = median(startMs[j]);
    console.log(`  ${v.name}: ${ms.toFixed(0)} ms (${(ms - median(startMs[0])).toFixed(0)} ms against ${variants[0].name})`);
  }
}
const ratios = variants.map(() => []);
// Per request served, per round: CPU µs, GC pause µs, bytes allocated, bytes promoted.
const figures = variants.map(() => ({ cpu: [], system: [], pause: [], allocated: [], promoted: [] }));
const sinkCpu = [];
try {
  if (starts > 0) await timeStarts();
  for (let round = 1; round <= rounds; round++) {
    const apps = variants.map((v) => start(process.execPath, ['--trace-gc-nvp', ...v.args, app.script], appEnv(v), '0'));
    try {
      const ports = await Promise.all(apps.map((a) => a.port));
      await Promise.all(ports.map((port) => wrk(port, app.path, warmup)));
      const gcBefore = apps.map((a) => ({ ...a.gc }));
      const cpuBefore = apps.map((a) => cpuMs(a.pid));
      const sinkBefore = cpuMs(sink.pid);
      const served = await Promise.all(ports.map((port) => wrk(port, app.path, duration)));
      sinkCpu.push(cpuMs(sink.pid).total - sinkBefore.total);
      served.forEach((n, i) => {
        ratios[i].push(n / served[0]);
        const f = figures[i];
        const cpu = cpuMs(apps[i].pid);
        f.cpu.push(((cpu.total - cpuBefore[i].total) * 1000) / n);
        f.system.push(((cpu.system - cpuBefore[i].system) * 1000) / n);
        f.pause.push(((apps[i].gc.pause - gcBefore[i].pause) * 1000) / n);
        f.allocated.push((apps[i].gc.allocated - gcBefore[i].allocated) / n);
        f.promoted.push((apps[i].gc.promoted - gcBefore[i].promoted) / n);
      });
      console.log(
        `round ${round}: ${variants.map((v, i) => `${v.name} ${served[i]} (${(served[i] / served[0]).toFixed(3)}, ${figures[i].cpu.at(-1).toFixed(0)} µs CPU, ${(figures[i].allocated.at(-1) / 1024).toFixed(1)} KB/request)`).join(', ')}; sink ${sinkCpu.at(-1).toFixed(0)} ms CPU`,
      );
    } finally {
      for (const a of apps) {
        a.kill();
        if (a.exitCode === null) await once(a, 'exit');
      }
    }
  }
} finally {
  sink.kill();
  upstream.kill();
}
if (rounds === 0) process.exit(0);
console.log(
  `Node ${process.version}, ${options.get('app') ?? 'hello'}, ${rounds} rounds × ${duration} s after ${warmup} s of warm-up, requests served relative to ${variants[0].name} (median, range):`,
);
const spread = (xs, digits) =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
const kb = (xs) => xs.map((b) => b / 1024);
for (const [i, v] of variants.entries()) {
  const f = figures[i];
  console.log(
    `  ${v.name}: ${spread(ratios[i], 3)}; per request: CPU ${spread(f.cpu, 0)} µs (system ${spread(f.system, 0)}), GC pauses ${spread(f.pause, 1)} µs, ` +
      `allocated ${spread(kb(f.allocated), 1)} KB, promoted ${spread(kb(f.promoted), 2)} KB`,
  );
}
console.log(`  sink CPU per round: ${spread(sinkCpu, 0)} ms of ${duration * 1000} ms`);
