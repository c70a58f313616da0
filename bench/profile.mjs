// CPU profiles of one app under load, one variant at a time (the app on CPU 0; wrk, the OTLP sink and the upstream
// on CPU 1): self time per request served, by package (otelkit's bundle mapped back to its source files through its
// source maps; node's own modules by module; native code by name, e.g. "(writev)", "(garbage collector)") and, with
// --functions N, the N functions that differ most from the first variant; and (not with --heap) how large V8 has
// grown each variant's young generation (new space) by the end of the load. The profiler samples the main thread
// and inflates what it measures: read the figures against each other, not as costs of their own.
//
// With --heap it counts allocation instead: bytes allocated per request served (V8's sampling heap profiler, objects
// collected since included), by the same buckets and functions. Where V8 inlines a function, its allocations are
// counted to the function it was inlined into, which may differ between variants: read the buckets first.
//
// Usage: node bench/profile.mjs [--app hello|realistic|middleware] [--warmup 4] [--duration 8] [--interval 200]
//          [--heap] [--top 25] [--functions 0] 'name: ENV=value ... -- node args' ...
// e.g.   node bench/profile.mjs --app realistic 'bare: --' 'otelkit: -- -r ./dist/register.js'
// The profile covers `--duration` seconds of wrk after `--warmup` seconds; --interval is the sampling interval in µs
// (with --heap, in bytes, 256 unless given).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { APPS } from './apps/index.mjs';
import { parseCommandLine, parseVariant, wrk } from './variants.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { options, specs } = parseCommandLine(process.argv.slice(2), ['heap']);
const app = APPS[options.get('app') ?? 'hello'];
const number = (name, fallback) => Number(options.get(name) ?? fallback);
if (!app || specs.length === 0) {
  console.error("usage: node bench/profile.mjs [--app hello] [--functions 10] 'bare: --' 'otelkit: -- -r ./dist/register.js'");
  process.exit(2);
}
const variants = specs.map(parseVariant);
const heap = options.has('heap');
const scratch = mkdtempSync(join(tmpdir(), 'otelkit-profile-'));

function start(args, env, cpu) {
  const child = spawn('taskset', ['-c', cpu, process.execPath, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (chunk) => (errors = (errors + chunk).slice(-2000)));
  child.port = new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out = (out + chunk).slice(-4000);
      const port = /"listening":(\d+)/.exec(out)?.[1];
      if (port) resolve(Number(port));
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}) before listening:\n${errors}`)));
  });
  return child;
}

// Where a sampled frame's time goes: a package, otelkit's source file, a node module, or native code by name.
const sourceMaps = new Map();
function sourceMapOf(file) {
  if (!sourceMaps.has(file)) {
    let map = null;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      // no source map: the file is named as it is
    }
    sourceMaps.set(file, map);
  }
  return sourceMaps.get(file);
}
function packageOf(path) {
  const at = path.lastIndexOf('node_modules/');
  if (at >= 0) {
    const parts = path.slice(at + 13).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const src = path.lastIndexOf('/src/');
  return src >= 0 ? `otelkit ${path.slice(src + 5)}` : path.replace(`${root}/`, '');
}
function bucketOf(frame) {
  if (!frame.url) return `(${frame.functionName.replace(/^\((.*)\)$/, '$1') || 'native'})`;
  if (frame.url.startsWith('node:')) return `node:${frame.url.slice(5).split('/')[0]}`;
  const file = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
  const original = sourceMapOf(file)?.findEntry(frame.lineNumber, frame.columnNumber)?.originalSource;
  // The bundle's maps name otelkit's files relative to the bundle (`instrumentations/http-server.js`, `../redaction/…`).
  if (original !== undefined && !original.includes('node_modules/')) return `otelkit ${original.replace(/^(\.\.\/)+/, '')}`;
  return packageOf(original ?? file);
}

/** Per request served, by bucket and by bucket and function name: what `[frame, amount]` pairs add up to. */
function tally(pairs, requests) {
  const buckets = new Map();
  const functions = new Map();
  let total = 0;
  const add = (map, key, amount) => map.set(key, (map.get(key) ?? 0) + amount / requests);
  for (const [frame, amount] of pairs) {
    const bucket = bucketOf(frame);
    add(buckets, bucket, amount);
    add(functions, `${bucket} ${frame.functionName || '(anonymous)'}`, amount);
    total += amount / requests;
  }
  return { buckets, functions, total };
}

/** A CPU profile's samples: each one's frame and the µs until the next. */
function* cpuSamples(profile) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  for (let i = 0; i < profile.samples.length; i++)
    yield [nodes.get(profile.samples[i]).callFrame, profile.timeDeltas[i + 1] ?? 0];
}

/** A heap profile's tree: each node's frame and the bytes allocated in it. */
function* heapNodes(profile) {
  const pending = [profile.head];
  while (pending.length > 0) {
    const node = pending.pop();
    pending.push(...(node.children ?? []));
    if (node.selfSize > 0) yield [node.callFrame, node.selfSize];
  }
}

async function profileOne(variant, sinkPort, upstreamPort) {
  const out = join(scratch, `${variant.name}.cpuprofile`);
  const env = {
    PORT: '0',
    UPSTREAM_URL: `http://127.0.0.1:${upstreamPort}`,
    OTEL_SERVICE_NAME: 'bench',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`,
    PROFILE_OUT: out,
    PROFILE_INTERVAL: String(number('interval', heap ? 256 : 200)),
    ...(heap ? { PROFILE_HEAP: '1' } : {}),
    ...variant.env,
  };
  const child = start(['--require', './bench/profile-preload.cjs', ...variant.args, app.script], env, '0');
  const port = await child.port;
  await wrk(port, app.path, number('warmup', 4));
  child.kill('SIGUSR2');
  await sleep(200);
  const requests = await wrk(port, app.path, number('duration', 8));
  const exited = once(child, 'exit');
  child.kill('SIGUSR2');
  await exited;
  const { profile, newSpace } = JSON.parse(readFileSync(out, 'utf8'));
  return { name: variant.name, requests, newSpace, ...tally(heap ? heapNodes(profile) : cpuSamples(profile), requests) };
}

const sink = start(['bench/sink.cjs'], {}, '1');
const upstream = start(['bench/apps/upstream.cjs'], {}, '1');
try {
  const [sinkPort, upstreamPort] = await Promise.all([sink.port, upstream.port]);
  const results = [];
  for (const variant of variants) results.push(await profileOne(variant, sinkPort, upstreamPort));
  const [first] = results;
  const cell = (value) => value.toFixed(heap ? 0 : 1).padStart(9);
  console.log(
    `Node ${process.version}, ${options.get('app') ?? 'hello'}, ${heap ? 'bytes allocated' : 'µs of self time'} per request served (${results.map((r) => `${r.name} ${r.requests} requests`).join(', ')})`,
  );
  console.log(`${results.map((r) => r.name.padStart(9)).join('')}  ${results.length > 1 ? 'change  ' : ''}where`);
  console.log(`${results.map((r) => cell(r.total)).join('')}  ${results.length > 1 ? ' '.repeat(8) : ''}in all`);
  // Sorted by how much the last variant adds to the first (by size alone when there is one).
  const last = results.at(-1);
  const rank = (map, firstMap) =>
    [...new Set(results.flatMap((r) => [...r[map].keys()]))]
      .map((key) => [key, (last[map].get(key) ?? 0) - (results.length > 1 ? (firstMap.get(key) ?? 0) : 0)])
      .sort((a, b) => b[1] - a[1]);
  for (const [key, change] of rank('buckets', first.buckets).slice(0, number('top', 25)))
    console.log(
      `${results.map((r) => cell(r.buckets.get(key) ?? 0)).join('')}  ${results.length > 1 ? cell(change).slice(1) : ''}  ${key}`,
    );
  // The heap profiler keeps V8 from shrinking the young generation (128 MB for any app): sized in CPU mode only.
  if (!heap) {
    const megabytes = (bytes) => (bytes === undefined ? '-' : (bytes / 1048576).toFixed(0)).padStart(9);
    console.log(
      `${results.map((r) => megabytes(r.newSpace)).join('')}  ${results.length > 1 ? ' '.repeat(8) : ''}MB of new space at the end`,
    );
  }
  const functions = number('functions', 0);
  if (functions > 0) {
    console.log('functions:');
    for (const [key, change] of rank('functions', first.functions).slice(0, functions))
      console.log(
        `${results.map((r) => cell(r.functions.get(key) ?? 0)).join('')}  ${results.length > 1 ? cell(change).slice(1) : ''}  ${key}`,
      );
  }
} finally {
  sink.kill();
  upstream.kill();
  rmSync(scratch, { recursive: true, force: true });
}
