// Overhead of otelkit against the bare app and the upstream register, measured side by side in one run:
// throughput, p50/p99 latency, RSS after load, start-up to first response, and spans received vs requests
// served. The app runs alone on CPU 0; wrk, the sink and the upstream share CPU 1.
// Usage: node bench/overhead.mjs [--duration 10] [--connections 16] [--rounds 2] [--workloads hello,realistic[,middleware]]
//        [--variants bare,otelkit,upstream[,otelkit-no-export][,otelkit-layers][,otelkit-upstream-server]]
//        [--env KEY=VALUE]... [--no-write]
//        [--startups 5] [--warmup 2] [--rss-every 30]
// --env (repeatable) sets a variable for every variant's app, e.g. OTEL_TRACES_EXPORTER=none to take export out.
// --startups: start-ups to first response per variant and round, timed after the load runs, one variant after the
// other (bare, otelkit, upstream, bare, ...) so that a slow moment of the machine falls on all variants alike; one
// start-up varies by 100 ms and more on a busy machine, the median of several much less.
// --warmup: seconds of load before the measured run. V8 is still optimizing a distro's code after the default 2 s
// (7 % of otelkit's CPU went to V8's compilers between 2 and 7 s into the load, 0.1 % after 15 s); a longer warm-up
// measures the steady state a long-running service sees.
// --rss-every: sample each app's RSS every that many seconds during the measured run and report the plateau (the
// median of the last third of the samples). For soak runs of minutes, e.g. --duration 300 --rss-every 30
// --connections 8: a service's memory under sustained load is well above what 8 s of load shows.
import { spawn, execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { APPS } from './apps/index.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const duration = Number(option('duration', '10'));
const connections = Number(option('connections', '16'));
const rounds = Number(option('rounds', '2'));
const workloads = option('workloads', 'hello,realistic').split(',');
const variantNames = option('variants', 'bare,otelkit,upstream').split(',');
const startups = Math.max(1, Number(option('startups', '5')));
const warmup = Number(option('warmup', '2'));
const write = !process.argv.includes('--no-write');
const rssEvery = Number(option('rss-every', '0'));
const extraEnv = Object.fromEntries(
  process.argv.flatMap((arg, i) => (arg === '--env' ? [process.argv[i + 1].split(/=(.*)/s).slice(0, 2)] : [])),
);

const VARIANTS = {
  bare: { args: [] },
  otelkit: { args: ['--require', 'otelkit/register'] },
  upstream: { args: ['--require', '@opentelemetry/auto-instrumentations-node/register'] },
  // An earlier otelkit build, copied to dist-before/ (inside the repository, so that it finds the same node_modules).
  'otelkit-before': { args: ['--require', './dist-before/register.js'] },
  // otelkit with every exporter set to none: spans are still made, carried and ended, nothing is encoded or sent.
  // Against `otelkit`, what the export pipeline costs; against `bare`, what instrumenting and the SDK cost.
  'otelkit-no-export': {
    args: ['--require', 'otelkit/register'],
    env: { OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' },
  },
  // otelkit with upstream's span per express layer: what the middleware default saves.
  'otelkit-layers': { args: ['--require', 'otelkit/register'], env: { OTELKIT_EXPRESS_MIDDLEWARE_SPANS: 'true' } },
  // otelkit with upstream's http server instrumentation: what otelkit's own server instrumentation saves.
  'otelkit-upstream-server': {
    args: ['--require', 'otelkit/register'],
    env: { OTELKIT_HTTP_SERVER_INSTRUMENTATION: 'upstream' },
  },
};

function start(args, env, cpu) {
  const child = spawn('taskset', ['-c', cpu, process.execPath, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr.setEncoding('utf8').on('data', (d) => (child.stderrText = (child.stderrText ?? '') + d));
  child.port = new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const match = /\{"listening":(\d+)\}/.exec(out);
      if (match) resolve(Number(match[1]));
      if (out.length > 1e6) out = out.slice(-1000); // the realistic app logs a line per request
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}): ${child.stderrText ?? ''}`)));
  });
  return child;
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  // The upstream register never exits after SIGTERM (it flushes, then keeps running): do not wait forever.
  const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
  await exited;
  clearTimeout(timer);
}

const wrkArgs = (url, seconds) => ['-c', '1', 'wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url];
const wrk = (url, seconds) => parseWrk(execFileSync('taskset', wrkArgs(url, seconds), { encoding: 'utf8' }));

/** wrk's run while the app's RSS is sampled every `every` seconds: the run, and the median of the last third. */
async function wrkSamplingRss(url, seconds, pid, every) {
  const samples = [];
  const timer = setInterval(() => samples.push(rssMb(pid)), every * 1000);
  try {
    const { stdout } = await promisify(execFile)('taskset', wrkArgs(url, seconds), { encoding: 'utf8' });
    const tail = samples.slice(Math.floor((samples.length * 2) / 3));
    return { ...parseWrk(stdout), rssPlateau: tail.length > 0 ? median(tail) : NaN, rssSamples: samples };
  } finally {
    clearInterval(timer);
  }
}

function parseWrk(out) {
  const ms = (text) => {
    // wrk prints "-nan" when no request completed in the window (an app that stalled): report NaN, go on.
    const match = /([\d.]+)(us|ms|s|m)$/.exec(text ?? '');
    if (!match) {
      process.stderr.write(`unexpected wrk latency ${JSON.stringify(text)}:\n${out}\n`);
      return NaN;
    }
    const [, value, unit] = match;
    return Number(value) * { us: 0.001, ms: 1, s: 1000, m: 60_000 }[unit];
  };
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    requests: Number(/(\d+) requests in/.exec(out)?.[1]),
    // Anchored to the distribution lines: "87.99%" in the thread-stats table must not match "99%".
    p50: ms(/^\s+50%\s+(\S+)/m.exec(out)?.[1]),
    p99: ms(/^\s+99%\s+(\S+)/m.exec(out)?.[1]),
    errors: /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? '0',
  };
}

// User plus system CPU of the app (all its threads, GC helpers included), in seconds.
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
const cpuSeconds = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const sinkCall = async (port, path) => (await fetch(`http://127.0.0.1:${port}${path}`)).json();

async function firstResponse(url, child) {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`app exited before answering: ${child.stderrText}`);
    try {
      const res = await fetch(url);
      await res.text();
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

const appEnv = (workload, variant, sinkPort, upstreamUrl) => ({
  PATH: process.env.PATH,
  PORT: '0',
  UPSTREAM_URL: upstreamUrl,
  OTEL_SERVICE_NAME: `bench-${workload}`,
  OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`,
  ...extraEnv,
  ...VARIANTS[variant].env,
});

async function measure(workload, variant, sinkPort, upstreamUrl) {
  await sinkCall(sinkPort, '/reset');
  const env = appEnv(workload, variant, sinkPort, upstreamUrl);
  const app = start([...VARIANTS[variant].args, APPS[workload].script], env, '0');
  let warm, result, rss, cpuUs;
  try {
    const url = `http://127.0.0.1:${await app.port}${APPS[workload].path}`;
    await firstResponse(url, app);
    warm = wrk(url, warmup);
    const cpuBefore = cpuSeconds(app.pid);
    result = rssEvery > 0 ? await wrkSamplingRss(url, duration, app.pid, rssEvery) : wrk(url, duration);
    // CPU per request depends less than req/s on how much CPU 1 (wrk, sink, upstream) leaves the load generator.
    cpuUs = ((cpuSeconds(app.pid) - cpuBefore) * 1e6) / result.requests;
    rss = rssMb(app.pid);
  } finally {
    await stop(app);
  }
  await new Promise((r) => setTimeout(r, 300));
  const received = await sinkCall(sinkPort, '/count');
  // Every request (warm-up included, plus the first-response probe) should have its server span.
  const served = warm.requests + result.requests + 1;
  // Whether the app exported spans at all, from the environment it ran with (a variant's own or --env).
  const exported = env.OTEL_TRACES_EXPORTER !== 'none';
  return {
    ...result,
    rss,
    cpuUs,
    served,
    exported,
    serverSpans: received.serverSpans,
    spans: received.spans,
    logs: received.logs,
  };
}

/** Milliseconds from spawning the app to its first answered request. */
async function timeStart(workload, variant, sinkPort, upstreamUrl) {
  const began = process.hrtime.bigint();
  const probe = start([...VARIANTS[variant].args, APPS[workload].script], appEnv(workload, variant, sinkPort, upstreamUrl), '0');
  try {
    await firstResponse(`http://127.0.0.1:${await probe.port}${APPS[workload].path}`, probe);
    return Number(process.hrtime.bigint() - began) / 1e6;
  } finally {
    probe.kill('SIGKILL');
    await new Promise((r) => (probe.exitCode !== null || probe.signalCode !== null ? r() : probe.once('exit', r)));
  }
}

const sink = start(['bench/sink.cjs'], { PATH: process.env.PATH }, '1');
const upstream = start(['bench/apps/upstream.cjs'], { PATH: process.env.PATH }, '1');
const sinkPort = await sink.port;
const upstreamUrl = `http://127.0.0.1:${await upstream.port}`;

const results = {};
const startupMs = {};
try {
  for (let round = 0; round < rounds; round++) {
    for (const workload of workloads) {
      for (const variant of variantNames) {
        const r = await measure(workload, variant, sinkPort, upstreamUrl);
        ((results[workload] ??= {})[variant] ??= []).push(r);
        process.stderr.write(`round ${round + 1} ${workload} ${variant}: ${Math.round(r.rps)} req/s\n`);
      }
    }
  }
  for (const workload of workloads) {
    for (let i = 0; i < rounds * startups; i++) {
      for (const variant of variantNames) {
        ((startupMs[workload] ??= {})[variant] ??= []).push(await timeStart(workload, variant, sinkPort, upstreamUrl));
      }
    }
    process.stderr.write(`${workload}: ${rounds * startups} start-ups of each variant timed\n`);
  }
} finally {
  await stop(sink);
  await stop(upstream);
}

// Each round runs every variant once, one right after the other: a variant's req/s over the bare app's in the same
// round, taken round by round, is not moved by a machine that is slower in one round than in another.
const pairedRatios = (rows, variant) => rows[variant].map((r, i) => r.rps / rows.bare[i].rps);
const range = (xs) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
const lines = [
  `Node ${process.version}, ${rounds} rounds × ${duration} s after ${warmup} s of warm-up, wrk -t1 -c${connections}, app on CPU 0, wrk/sink/upstream on CPU 1. Medians; start-up over ${rounds * startups} starts per variant, interleaved after the load runs.` +
    (Object.keys(extraEnv).length
      ? ` Every app ran with ${Object.entries(extraEnv)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}.`
      : ''),
  '',
];
for (const workload of workloads) {
  const rows = results[workload];
  const bare = rows.bare ? median(rows.bare.map((r) => r.rps)) : undefined;
  const bareStart = rows.bare ? median(startupMs[workload].bare) : undefined;
  const bareRss = rows.bare ? median(rows.bare.map((r) => r.rss)) : undefined;
  const bareCpu = rows.bare ? median(rows.bare.map((r) => r.cpuUs)) : undefined;
  const barePlateau = rows.bare && rssEvery > 0 ? median(rows.bare.map((r) => r.rssPlateau)) : undefined;
  const plateauHeader = rssEvery > 0 ? ` RSS plateau MB (median of the last third of samples every ${rssEvery} s) |` : '';
  lines.push(`### ${workload} (${APPS[workload].path})`, '');
  lines.push(
    `| variant | req/s | ratio to bare | ratio to bare in the same round: median (range) | CPU µs per request (× bare) | p50 ms | p99 ms | RSS after load MB |${plateauHeader} start-up to first response ms | server spans / requests |`,
  );
  lines.push(`|---|---|---|---|---|---|---|---|${rssEvery > 0 ? '---|' : ''}---|---|`);
  for (const variant of variantNames) {
    const rs = rows[variant];
    const rps = median(rs.map((r) => r.rps));
    const startup = median(startupMs[workload][variant]);
    const rss = median(rs.map((r) => r.rss));
    const cpu = median(rs.map((r) => r.cpuUs));
    const plateau = rssEvery > 0 ? median(rs.map((r) => r.rssPlateau)) : undefined;
    const plateauCell =
      plateau === undefined
        ? ''
        : ` ${plateau.toFixed(0)}${barePlateau && variant !== 'bare' ? ` (+${(plateau - barePlateau).toFixed(0)})` : ''} |`;
    // With export off the sink must stay empty, or the variant is not measuring what it says.
    const received = (r) => (r.spans + r.logs === 0 ? 'none exported' : `${r.spans} spans and ${r.logs} logs with export off`);
    const spans = rs.map((r) => (r.exported ? `${r.serverSpans}/${r.served}` : received(r))).join(', ');
    const paired = rows.bare && variant !== 'bare' ? pairedRatios(rows, variant) : undefined;
    lines.push(
      `| ${variant} | ${Math.round(rps)} | ${bare ? (rps / bare).toFixed(2) : '-'} | ${paired ? `${median(paired).toFixed(2)} (${range(paired)})` : '-'} | ${cpu.toFixed(0)}${bareCpu ? ` (${(cpu / bareCpu).toFixed(2)})` : ''} | ${median(rs.map((r) => r.p50)).toFixed(2)} | ${median(rs.map((r) => r.p99)).toFixed(2)} | ${rss.toFixed(0)}${bareRss && variant !== 'bare' ? ` (+${(rss - bareRss).toFixed(0)})` : ''} |${plateauCell} ${startup.toFixed(0)}${bareStart && variant !== 'bare' ? ` (+${(startup - bareStart).toFixed(0)})` : ''} | ${variant === 'bare' ? '-' : spans} |`,
    );
  }
  lines.push('');
  if (rssEvery > 0) {
    lines.push(`RSS samples (MB, every ${rssEvery} s, round 1):`, '');
    for (const variant of variantNames)
      lines.push(`- ${variant}: ${rows[variant][0].rssSamples.map((m) => m.toFixed(0)).join(' ')}`);
    lines.push('');
  }
}
const report = lines.join('\n');
console.log(report);
if (write) {
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const file = join(root, 'bench', 'results', `overhead-node${process.versions.node.split('.')[0]}.md`);
  writeFileSync(
    file,
    `# Overhead, ${new Date().toISOString().slice(0, 10)}\n\nCommand: \`node bench/overhead.mjs ${process.argv.slice(2).join(' ')}\`\n\n${report}\n`,
  );
  console.log(`written to ${file}`);
}
