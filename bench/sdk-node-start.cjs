// One start for bench/sdk-node.mjs: composes telemetry one way, then prints the time since the process began, the
// RSS and how many files were required, and exits. Modes: bare, otelkit (the register, as a preload would run it),
// sdk-node (upstream's NodeSDK with the same default signals: OTLP/protobuf traces, metrics and logs, no
// instrumentations, so it does less than otelkit).
const mode = process.argv[2];
require('node:module').enableCompileCache?.();
if (mode === 'otelkit') {
  require('../dist/register.js');
} else if (mode === 'sdk-node') {
  const { NodeSDK } = require('@opentelemetry/sdk-node');
  new NodeSDK({ instrumentations: [] }).start();
} else if (mode !== 'bare') {
  throw new Error(`unknown mode ${mode}`);
}
const files = Object.keys(require.cache).length;
process.stdout.write(
  JSON.stringify({
    mode,
    ms: performance.now(),
    rss: process.memoryUsage().rss,
    files,
    grpc: files > 0 && Object.keys(require.cache).some((f) => f.includes('@grpc/grpc-js')),
  }) + '\n',
);
process.exit(0);
