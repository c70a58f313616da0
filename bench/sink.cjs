// The benchmark's OTLP/HTTP sink: accepts every export at once and keeps the raw bodies; counting (protobuf
// decoding) happens only when asked, after a run, so it takes no CPU from the measured window.
const http = require('node:http');
const { gunzipSync } = require('node:zlib');
const { join } = require('node:path');
const protobuf = require('protobufjs');

const { otlpProtoDir } = require('../scripts/otlp-proto-dir.cjs');

// The protocol's own definitions, shared with the tests' receiver (test/harness/otlp-proto.ts).
const PROTO_DIR = otlpProtoDir();
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
root.loadSync([
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
]);
const TraceRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const LogsRequest = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
let bodies = [];

function decode(signal, contentType, body) {
  if (contentType.includes('json')) return JSON.parse(body.toString('utf8'));
  const Type = signal === 'traces' ? TraceRequest : LogsRequest;
  return Type.toObject(Type.decode(body), { longs: String, enums: Number, defaults: false });
}

function count() {
  const totals = { spans: 0, serverSpans: 0, logs: 0 };
  for (const { signal, contentType, body } of bodies) {
    if (signal === 'metrics') continue;
    const message = decode(signal, contentType, body);
    if (signal === 'traces') {
      for (const rs of message.resourceSpans ?? [])
        for (const ss of rs.scopeSpans ?? [])
          for (const s of ss.spans ?? []) {
            totals.spans++;
            if (Number(s.kind) === 2) totals.serverSpans++;
          }
    } else {
      for (const rl of message.resourceLogs ?? [])
        for (const sl of rl.scopeLogs ?? []) totals.logs += (sl.logRecords ?? []).length;
    }
  }
  return totals;
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/count') return res.end(JSON.stringify(count()));
    if (req.url === '/reset') {
      bodies = [];
      return res.end('{}');
    }
    const signal = /\/v1\/(traces|metrics|logs)$/.exec(req.url ?? '')?.[1];
    if (!signal) return res.writeHead(404).end();
    let body = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    const contentType = String(req.headers['content-type'] ?? '');
    bodies.push({ signal, contentType, body });
    res.writeHead(200, { 'content-type': contentType.includes('json') ? 'application/json' : 'application/x-protobuf' });
    res.end(contentType.includes('json') ? '{}' : undefined);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ listening: server.address().port })}\n`));
