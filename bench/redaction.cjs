// Nanoseconds per record to redact a typical log record's fields and a typical server span's attributes, with the
// key decisions cached (keys repeat) and with the cache full of other keys (every decision made afresh). Give other
// builds' dist directories to compare them side by side, alternated in one run. Needs `npm run build`.
// Usage: node bench/redaction.cjs [other dist dir …]
const { join, resolve } = require('node:path');

const DIRS = [join(__dirname, '..', 'dist'), ...process.argv.slice(2).map((d) => resolve(d))];
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const RECORDS_PER_ROUND = 200_000;

// What createEnrichFormat redacts for bench/log-worker.cjs's line, plus the token counts an openai call logs.
const LOG_FIELDS = {
  message: 'order viewed by customer',
  request_id: '5b1d0c1e-6c5e-4a8e-9a52-3f7c2b1d9e01',
  event_type: 'order.view',
  object_type: 'order',
  object_id: '1234',
  duration_ms: 12.5,
  user: { name: 'ada', password: 'hunter2' },
  'gen_ai.usage.input_tokens': 42,
  'gen_ai.usage.output_tokens': 7,
  items: 50,
};
// A server span's attributes as otelkit's http instrumentation sets them.
const SPAN_ATTRIBUTES = {
  'http.request.method': 'GET',
  'url.scheme': 'http',
  'url.path': '/orders/1234',
  'server.address': 'localhost',
  'server.port': 3000,
  'network.protocol.version': '1.1',
  'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
  'client.address': '127.0.0.1',
  'http.route': '/orders/:id',
  'http.response.status_code': 200,
  request_id: '5b1d0c1e-6c5e-4a8e-9a52-3f7c2b1d9e01',
};

/** The redactor of one build, behind one call: this build's `redactValue(key, value)` or the earlier `redactEntry`. */
function load(dir) {
  const { Redactor } = require(join(dir, 'redaction', 'redact.js'));
  const { resolveConfig } = require(join(dir, 'config', 'resolve.js'));
  const { snapshotEnv } = require(join(dir, 'config', 'env.js'));
  const { config } = resolveConfig(snapshotEnv({}), {}, {});
  const make = () => new Redactor(config.redactKeys, config.redactPaths);
  const probe = make();
  const entry = probe.redactEntry ? (r, k, v) => r.redactEntry(k, v) : (r, k, v) => r.redactValue(k, v);
  return { make, entry };
}

function redactRecord(build, redactor, fields) {
  let changed = 0;
  for (const key in fields) if (build.entry(redactor, key, fields[key]) !== fields[key]) changed++;
  return changed;
}

function nsPerRecord(build, redactor, fields) {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < RECORDS_PER_ROUND; i++) sink += redactRecord(build, redactor, fields);
  const ns = Number(process.hrtime.bigint() - start) / RECORDS_PER_ROUND;
  if (sink < 0) throw new Error('unreachable');
  return ns;
}

const builds = DIRS.map((dir) => ({ dir, ...load(dir) }));
const cases = [];
for (const build of builds) {
  const cached = build.make();
  // Every decision made afresh: the cache (bounded at 10 000 keys) already full of other keys.
  const uncached = build.make();
  for (let i = 0; i < 10_000; i++) uncached.isSensitiveKey(`generated_key_${i}`);
  for (const [name, fields] of [
    ['log record', LOG_FIELDS],
    ['span attributes', SPAN_ATTRIBUTES],
  ]) {
    cases.push({ build, name: `${name}, cached`, redactor: cached, fields, runs: [] });
    cases.push({ build, name: `${name}, uncached`, redactor: uncached, fields, runs: [] });
  }
}
for (const c of cases) nsPerRecord(c.build, c.redactor, c.fields); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) c.runs.push(nsPerRecord(c.build, c.redactor, c.fields));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`node ${process.version}, median of ${ROUNDS} rounds of ${RECORDS_PER_ROUND} records`);
for (const c of cases) console.log(`${c.build.dir}\t${c.name}\t${median(c.runs).toFixed(0)} ns/record`);
