// Packages that reach otelkit through @opentelemetry/auto-instrumentations-node: every instrumentation and the
// cloud resource detectors. Each is named in a literal `require`: the bundle (scripts/bundle.mjs) makes every
// package required from this file an entry of its own (dist/packages/<name>.js), read only when a loader runs (a
// created instrumentation, a configured detector). The loaders live here, not in the instrumentation table: the
// table is read by the config on every start, on the bundle's start side, and the bundle keys off this file.
const PACKAGES: Record<string, () => unknown> = {
  '@opentelemetry/instrumentation-amqplib': () => require('@opentelemetry/instrumentation-amqplib'),
  '@opentelemetry/instrumentation-aws-lambda': () => require('@opentelemetry/instrumentation-aws-lambda'),
  '@opentelemetry/instrumentation-aws-sdk': () => require('@opentelemetry/instrumentation-aws-sdk'),
  '@opentelemetry/instrumentation-bunyan': () => require('@opentelemetry/instrumentation-bunyan'),
  '@opentelemetry/instrumentation-cassandra-driver': () => require('@opentelemetry/instrumentation-cassandra-driver'),
  '@opentelemetry/instrumentation-connect': () => require('@opentelemetry/instrumentation-connect'),
  '@opentelemetry/instrumentation-cucumber': () => require('@opentelemetry/instrumentation-cucumber'),
  '@opentelemetry/instrumentation-dataloader': () => require('@opentelemetry/instrumentation-dataloader'),
  '@opentelemetry/instrumentation-dns': () => require('@opentelemetry/instrumentation-dns'),
  '@opentelemetry/instrumentation-express': () => require('@opentelemetry/instrumentation-express'),
  '@opentelemetry/instrumentation-fs': () => require('@opentelemetry/instrumentation-fs'),
  '@opentelemetry/instrumentation-generic-pool': () => require('@opentelemetry/instrumentation-generic-pool'),
  '@opentelemetry/instrumentation-graphql': () => require('@opentelemetry/instrumentation-graphql'),
  '@opentelemetry/instrumentation-grpc': () => require('@opentelemetry/instrumentation-grpc'),
  '@opentelemetry/instrumentation-hapi': () => require('@opentelemetry/instrumentation-hapi'),
  '@opentelemetry/instrumentation-host-metrics': () => require('@opentelemetry/instrumentation-host-metrics'),
  '@opentelemetry/instrumentation-http': () => require('@opentelemetry/instrumentation-http'),
  '@opentelemetry/instrumentation-ioredis': () => require('@opentelemetry/instrumentation-ioredis'),
  '@opentelemetry/instrumentation-kafkajs': () => require('@opentelemetry/instrumentation-kafkajs'),
  '@opentelemetry/instrumentation-knex': () => require('@opentelemetry/instrumentation-knex'),
  '@opentelemetry/instrumentation-koa': () => require('@opentelemetry/instrumentation-koa'),
  '@opentelemetry/instrumentation-lru-memoizer': () => require('@opentelemetry/instrumentation-lru-memoizer'),
  '@opentelemetry/instrumentation-memcached': () => require('@opentelemetry/instrumentation-memcached'),
  '@opentelemetry/instrumentation-mongodb': () => require('@opentelemetry/instrumentation-mongodb'),
  '@opentelemetry/instrumentation-mongoose': () => require('@opentelemetry/instrumentation-mongoose'),
  '@opentelemetry/instrumentation-mysql': () => require('@opentelemetry/instrumentation-mysql'),
  '@opentelemetry/instrumentation-mysql2': () => require('@opentelemetry/instrumentation-mysql2'),
  '@opentelemetry/instrumentation-nestjs-core': () => require('@opentelemetry/instrumentation-nestjs-core'),
  '@opentelemetry/instrumentation-net': () => require('@opentelemetry/instrumentation-net'),
  '@opentelemetry/instrumentation-openai': () => require('@opentelemetry/instrumentation-openai'),
  '@opentelemetry/instrumentation-oracledb': () => require('@opentelemetry/instrumentation-oracledb'),
  '@opentelemetry/instrumentation-pg': () => require('@opentelemetry/instrumentation-pg'),
  '@opentelemetry/instrumentation-pino': () => require('@opentelemetry/instrumentation-pino'),
  '@opentelemetry/instrumentation-redis': () => require('@opentelemetry/instrumentation-redis'),
  '@opentelemetry/instrumentation-restify': () => require('@opentelemetry/instrumentation-restify'),
  '@opentelemetry/instrumentation-router': () => require('@opentelemetry/instrumentation-router'),
  '@opentelemetry/instrumentation-runtime-node': () => require('@opentelemetry/instrumentation-runtime-node'),
  '@opentelemetry/instrumentation-socket.io': () => require('@opentelemetry/instrumentation-socket.io'),
  '@opentelemetry/instrumentation-tedious': () => require('@opentelemetry/instrumentation-tedious'),
  '@opentelemetry/instrumentation-undici': () => require('@opentelemetry/instrumentation-undici'),
  '@opentelemetry/instrumentation-winston': () => require('@opentelemetry/instrumentation-winston'),
  '@opentelemetry/resource-detector-alibaba-cloud': () => require('@opentelemetry/resource-detector-alibaba-cloud'),
  '@opentelemetry/resource-detector-aws': () => require('@opentelemetry/resource-detector-aws'),
  '@opentelemetry/resource-detector-azure': () => require('@opentelemetry/resource-detector-azure'),
  '@opentelemetry/resource-detector-gcp': () => require('@opentelemetry/resource-detector-gcp'),
};

export function requireBundled<T>(pkg: string): T {
  const load = PACKAGES[pkg];
  if (load === undefined) throw new Error(`${pkg} is not a package otelkit carries`);
  return load() as T;
}
