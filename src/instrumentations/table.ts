// Every instrumentation otelkit can load, by the short name OTEL_NODE_{ENABLED,DISABLED}_INSTRUMENTATIONS use.

export interface InstrumentationEntry {
  /** The npm package, all provided through @opentelemetry/auto-instrumentations-node; none for otelkit's own. */
  readonly pkg?: string;
  /** The exported class name. */
  readonly exportName?: string;
  /** Loaded only when named in OTEL_NODE_ENABLED_INSTRUMENTATIONS. */
  readonly offByDefault?: boolean;
  /**
   * Packages whose presence makes the instrumentation worth loading by default (any one of them). Absent for
   * Node built-ins, which are always there. An empty list: only when named explicitly.
   */
  readonly targets?: readonly string[];
  /** Not loaded by default when one of these is: the two would instrument the same calls twice. */
  readonly supersededBy?: readonly string[];
  /**
   * Created at start even where others wait for the app's first `require` of a target: it patches no module but
   * listens on a diagnostics channel, which costs nothing until the package publishes, and sees packages that
   * arrive without `require` (an ES module imported by another, such as NestJS 12's fastify platform).
   */
  readonly atStart?: boolean;
}

export const INSTRUMENTATIONS = {
  amqplib: { pkg: '@opentelemetry/instrumentation-amqplib', exportName: 'AmqplibInstrumentation', targets: ['amqplib'] },
  'aws-lambda': { pkg: '@opentelemetry/instrumentation-aws-lambda', exportName: 'AwsLambdaInstrumentation', targets: [] },
  'aws-sdk': {
    pkg: '@opentelemetry/instrumentation-aws-sdk',
    exportName: 'AwsInstrumentation',
    targets: [
      'aws-sdk',
      '@smithy/smithy-client',
      '@aws-sdk/smithy-client',
      '@smithy/middleware-stack',
      '@aws-sdk/middleware-stack',
    ],
  },
  bunyan: { pkg: '@opentelemetry/instrumentation-bunyan', exportName: 'BunyanInstrumentation', targets: ['bunyan'] },
  'cassandra-driver': {
    pkg: '@opentelemetry/instrumentation-cassandra-driver',
    exportName: 'CassandraDriverInstrumentation',
    targets: ['cassandra-driver'],
  },
  connect: { pkg: '@opentelemetry/instrumentation-connect', exportName: 'ConnectInstrumentation', targets: ['connect'] },
  cucumber: {
    pkg: '@opentelemetry/instrumentation-cucumber',
    exportName: 'CucumberInstrumentation',
    targets: ['@cucumber/cucumber'],
  },
  dataloader: {
    pkg: '@opentelemetry/instrumentation-dataloader',
    exportName: 'DataloaderInstrumentation',
    targets: ['dataloader'],
  },
  // A span per DNS lookup and per TCP connect: cost on every outgoing call, little to read; upstream has them on.
  dns: { pkg: '@opentelemetry/instrumentation-dns', exportName: 'DnsInstrumentation', offByDefault: true },
  express: { pkg: '@opentelemetry/instrumentation-express', exportName: 'ExpressInstrumentation', targets: ['express'] },
  // otelkit's own route capture (./fastify-route): the pinned upstream register has no fastify instrumentation.
  fastify: { targets: ['fastify'], atStart: true },
  // A span per file-system call: floods traces and costs throughput, as upstream also decides.
  fs: { pkg: '@opentelemetry/instrumentation-fs', exportName: 'FsInstrumentation', offByDefault: true },
  'generic-pool': {
    pkg: '@opentelemetry/instrumentation-generic-pool',
    exportName: 'GenericPoolInstrumentation',
    targets: ['generic-pool'],
  },
  graphql: { pkg: '@opentelemetry/instrumentation-graphql', exportName: 'GraphQLInstrumentation', targets: ['graphql'] },
  grpc: { pkg: '@opentelemetry/instrumentation-grpc', exportName: 'GrpcInstrumentation', targets: ['@grpc/grpc-js'] },
  hapi: { pkg: '@opentelemetry/instrumentation-hapi', exportName: 'HapiInstrumentation', targets: ['@hapi/hapi'] },
  // Host metrics belong to the collector's hostmetrics receiver, not to every app process.
  'host-metrics': {
    pkg: '@opentelemetry/instrumentation-host-metrics',
    exportName: 'HostMetricsInstrumentation',
    offByDefault: true,
  },
  http: { pkg: '@opentelemetry/instrumentation-http', exportName: 'HttpInstrumentation' },
  ioredis: { pkg: '@opentelemetry/instrumentation-ioredis', exportName: 'IORedisInstrumentation', targets: ['ioredis'] },
  kafkajs: { pkg: '@opentelemetry/instrumentation-kafkajs', exportName: 'KafkaJsInstrumentation', targets: ['kafkajs'] },
  knex: { pkg: '@opentelemetry/instrumentation-knex', exportName: 'KnexInstrumentation', targets: ['knex'] },
  koa: {
    pkg: '@opentelemetry/instrumentation-koa',
    exportName: 'KoaInstrumentation',
    targets: ['koa', '@koa/router', 'koa-router'],
  },
  'lru-memoizer': {
    pkg: '@opentelemetry/instrumentation-lru-memoizer',
    exportName: 'LruMemoizerInstrumentation',
    targets: ['lru-memoizer'],
  },
  memcached: { pkg: '@opentelemetry/instrumentation-memcached', exportName: 'MemcachedInstrumentation', targets: ['memcached'] },
  mongodb: { pkg: '@opentelemetry/instrumentation-mongodb', exportName: 'MongoDBInstrumentation', targets: ['mongodb'] },
  mongoose: { pkg: '@opentelemetry/instrumentation-mongoose', exportName: 'MongooseInstrumentation', targets: ['mongoose'] },
  mysql: { pkg: '@opentelemetry/instrumentation-mysql', exportName: 'MySQLInstrumentation', targets: ['mysql'] },
  mysql2: { pkg: '@opentelemetry/instrumentation-mysql2', exportName: 'MySQL2Instrumentation', targets: ['mysql2'] },
  'nestjs-core': {
    pkg: '@opentelemetry/instrumentation-nestjs-core',
    exportName: 'NestInstrumentation',
    targets: ['@nestjs/core'],
  },
  net: { pkg: '@opentelemetry/instrumentation-net', exportName: 'NetInstrumentation', offByDefault: true },
  openai: { pkg: '@opentelemetry/instrumentation-openai', exportName: 'OpenAIInstrumentation', targets: ['openai'] },
  oracledb: { pkg: '@opentelemetry/instrumentation-oracledb', exportName: 'OracleInstrumentation', targets: ['oracledb'] },
  pg: { pkg: '@opentelemetry/instrumentation-pg', exportName: 'PgInstrumentation', targets: ['pg'] },
  pino: { pkg: '@opentelemetry/instrumentation-pino', exportName: 'PinoInstrumentation', targets: ['pino'] },
  redis: {
    pkg: '@opentelemetry/instrumentation-redis',
    exportName: 'RedisInstrumentation',
    targets: ['redis', '@redis/client', '@node-redis/client'],
  },
  restify: { pkg: '@opentelemetry/instrumentation-restify', exportName: 'RestifyInstrumentation', targets: ['restify'] },
  // Express 5 runs on the `router` package: with both loaded every layer gets two spans, and only the express
  // instrumentation puts http.route on the server span and its metrics.
  router: {
    pkg: '@opentelemetry/instrumentation-router',
    exportName: 'RouterInstrumentation',
    targets: ['router'],
    supersededBy: ['express'],
  },
  'runtime-node': { pkg: '@opentelemetry/instrumentation-runtime-node', exportName: 'RuntimeNodeInstrumentation' },
  'socket.io': { pkg: '@opentelemetry/instrumentation-socket.io', exportName: 'SocketIoInstrumentation', targets: ['socket.io'] },
  tedious: { pkg: '@opentelemetry/instrumentation-tedious', exportName: 'TediousInstrumentation', targets: ['tedious'] },
  undici: { pkg: '@opentelemetry/instrumentation-undici', exportName: 'UndiciInstrumentation' },
  winston: { pkg: '@opentelemetry/instrumentation-winston', exportName: 'WinstonInstrumentation', targets: ['winston'] },
} as const satisfies Record<string, InstrumentationEntry>;

export type InstrumentationName = keyof typeof INSTRUMENTATIONS;

export const INSTRUMENTATION_NAMES = Object.keys(INSTRUMENTATIONS) as InstrumentationName[];

export const DEFAULT_INSTRUMENTATIONS = INSTRUMENTATION_NAMES.filter(
  (name) => !(INSTRUMENTATIONS[name] as InstrumentationEntry).offByDefault,
);
