// The cost of encoding one export batch: upstream's ProtobufTraceSerializer against otelkit's encoding
// (src/sdk/otlp-trace-encoding.ts), on 512 spans shaped like otelkit's HTTP server span, alternated in one run;
// `otelkit, queued` is the batch processor's way: each span encoded into the queue as it ends, then the batch taken.
// Usage: npm run build && node bench/span-encoding.mjs [--rounds 15] [--batches 40] [--send 200] [--against DIR]
// --send N: then also exports the batch N times, one after another, with otelkit's OTLP/HTTP protobuf exporter
// to the benchmark's sink on loopback (on CPU 1, as in bench/overhead.mjs; run this script on CPU 0 with
// `taskset -c 0`), and prints the process's CPU per export (encoding and sending together).
// --against DIR: also times the encoding of another build's `dist/` (a copy inside the repository, e.g.
// dist-before), in the same rounds: separate processes of the same build differ by a third and more here.
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { ROOT_CONTEXT, SpanKind } = require('@opentelemetry/api');
const { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } = require('@opentelemetry/sdk-trace');
const { ProtobufTraceSerializer } = require('@opentelemetry/otlp-transformer');
const { EncodedSpanQueue, encodeTraceRequest } = require('../dist/sdk/otlp-trace-encoding.js');

const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i > 0 ? process.argv[i + 1] : fallback);
};
const rounds = option('rounds', 15);
const batches = option('batches', 40);
const sends = option('send', 0);
const againstAt = process.argv.indexOf('--against');
const against = againstAt > 0 ? process.argv[againstAt + 1] : undefined;
const other = against && require(fileURLToPath(new URL(`../${against}/sdk/otlp-trace-encoding.js`, import.meta.url)));

const exporter = new InMemorySpanExporter();
const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }).getTracer(
  'otelkit/http-server',
  '0.1.0',
);
for (let i = 0; i < 512; i++) {
  const span = tracer.startSpan(
    'GET',
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': 'GET',
        'url.scheme': 'http',
        'url.path': `/orders/${i}`,
        'server.address': '127.0.0.1',
        'server.port': 3000,
        'network.peer.address': '127.0.0.1',
        'network.peer.port': 40000 + i,
        'network.protocol.version': '1.1',
        'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
        'client.address': '127.0.0.1',
        request_id: randomUUID(),
      },
    },
    ROOT_CONTEXT,
  );
  span.setAttribute('http.response.status_code', 200);
  span.setAttribute('http.route', '/orders/:id');
  span.updateName('GET /orders/:id');
  span.end();
}
// SimpleSpanProcessor hands spans over once the resource is settled.
await new Promise((resolve) => setTimeout(resolve, 50));
const spans = exporter.getFinishedSpans();
const upstream = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans));
if (!upstream.equals(Buffer.from(encodeTraceRequest(spans)))) throw new Error('the two encodings differ');
const queue = new EncodedSpanQueue(spans.length);
const queued = (batch) => {
  for (const span of batch) queue.push(span);
  return queue.take(batch.length).bytes;
};
if (!upstream.equals(Buffer.from(queued(spans)))) throw new Error('the queued encoding differs');
if (other && !upstream.equals(Buffer.from(other.encodeTraceRequest(spans)))) throw new Error(`${against}'s encoding differs`);

const time = (encode) => {
  const began = process.hrtime.bigint();
  for (let i = 0; i < batches; i++) encode(spans);
  return Number(process.hrtime.bigint() - began) / 1e3 / batches; // µs per batch
};
const results = { upstream: [], otelkit: [], 'otelkit, queued': [] };
if (other) results[`otelkit of ${against}`] = [];
for (let r = 0; r < rounds; r++) {
  results.upstream.push(time((s) => ProtobufTraceSerializer.serializeRequest(s)));
  // Each round alternates which build goes first.
  if (other && r % 2 === 1) results[`otelkit of ${against}`].push(time(other.encodeTraceRequest));
  results.otelkit.push(time(encodeTraceRequest));
  if (other && r % 2 === 0) results[`otelkit of ${against}`].push(time(other.encodeTraceRequest));
  results['otelkit, queued'].push(time(queued));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `Node ${process.version}, ${spans.length} spans (${upstream.length} bytes), ${rounds} rounds × ${batches} batches, medians`,
);
console.log('| encoding | ms per batch | µs per span |');
console.log('|---|---|---|');
for (const [name, xs] of Object.entries(results)) {
  const us = median(xs);
  console.log(`| ${name} | ${(us / 1000).toFixed(2)} | ${(us / spans.length).toFixed(2)} |`);
}

if (sends > 0) {
  const { TraceProtobufExporter } = require('../dist/sdk/protobuf-exporters.js');
  const sink = spawn('taskset', ['-c', '1', process.execPath, fileURLToPath(new URL('sink.cjs', import.meta.url))], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const [line] = await once(sink.stdout, 'data');
    const port = JSON.parse(String(line)).listening;
    const otlp = new TraceProtobufExporter({ url: `http://127.0.0.1:${port}/v1/traces` });
    const exportOnce = () =>
      new Promise((resolve, reject) => otlp.export(spans, (result) => (result.code === 0 ? resolve() : reject(result.error))));
    await exportOnce(); // connection and first-use costs out of the measurement
    const cpu = process.cpuUsage();
    const began = performance.now();
    for (let i = 0; i < sends; i++) await exportOnce();
    const used = process.cpuUsage(cpu);
    const ms = (micros) => (micros / sends / 1000).toFixed(2);
    console.log(
      `${sends} exports of the batch to a sink on loopback: CPU ${ms(used.user + used.system)} ms per export ` +
        `(user ${ms(used.user)}), wall ${((performance.now() - began) / sends).toFixed(2)} ms`,
    );
    await otlp.shutdown();
  } finally {
    sink.kill();
  }
}
