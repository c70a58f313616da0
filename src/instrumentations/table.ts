// Every instrumentation otelkit can load, by the short name OTEL_NODE_{ENABLED,DISABLED}_INSTRUMENTATIONS use.

export interface InstrumentationEntry {
  /** The npm package, all provided through @opentelemetry/auto-instrumentations-node. */
  readonly pkg: string;
  /** The exported class name. */
  readonly exportName: string;
  /** Loaded only when named in OTEL_NODE_ENABLED_INSTRUMENTATIONS. */
  readonly offByDefault?: boolean;
}

export const INSTRUMENTATIONS = {
  amqplib: { pkg: '@opentelemetry/instrumentation-amqplib', exportName: 'AmqplibInstrumentation' },
  'aws-lambda': { pkg: '@opentelemetry/instrumentation-aws-lambda', exportName: 'AwsLambdaInstrumentation' },
  'aws-sdk': { pkg: '@opentelemetry/instrumentation-aws-sdk', exportName: 'AwsInstrumentation' },
  bunyan: { pkg: '@opentelemetry/instrumentation-bunyan', exportName: 'BunyanInstrumentation' },
  'cassandra-driver': { pkg: '@opentelemetry/instrumentation-cassandra-driver', exportName: 'CassandraDriverInstrumentation' },
  connect: { pkg: '@opentelemetry/instrumentation-connect', exportName: 'ConnectInstrumentation' },
  cucumber: { pkg: '@opentelemetry/instrumentation-cucumber', exportName: 'CucumberInstrumentation' },
  dataloader: { pkg: '@opentelemetry/instrumentation-dataloader', exportName: 'DataloaderInstrumentation' },
  dns: { pkg: '@opentelemetry/instrumentation-dns', exportName: 'DnsInstrumentation' },
  express: { pkg: '@opentelemetry/instrumentation-express', exportName: 'ExpressInstrumentation' },
  // A span per file-system call: floods traces and costs throughput, as upstream also decides.
  fs: { pkg: '@opentelemetry/instrumentation-fs', exportName: 'FsInstrumentation', offByDefault: true },
  'generic-pool': { pkg: '@opentelemetry/instrumentation-generic-pool', exportName: 'GenericPoolInstrumentation' },
  graphql: { pkg: '@opentelemetry/instrumentation-graphql', exportName: 'GraphQLInstrumentation' },
  grpc: { pkg: '@opentelemetry/instrumentation-grpc', exportName: 'GrpcInstrumentation' },
  hapi: { pkg: '@opentelemetry/instrumentation-hapi', exportName: 'HapiInstrumentation' },
  // Host metrics belong to the collector's hostmetrics receiver, not to every app process.
  'host-metrics': {
    pkg: '@opentelemetry/instrumentation-host-metrics',
    exportName: 'HostMetricsInstrumentation',
    offByDefault: true,
  },
  http: { pkg: '@opentelemetry/instrumentation-http', exportName: 'HttpInstrumentation' },
  ioredis: { pkg: '@opentelemetry/instrumentation-ioredis', exportName: 'IORedisInstrumentation' },
  kafkajs: { pkg: '@opentelemetry/instrumentation-kafkajs', exportName: 'KafkaJsInstrumentation' },
  knex: { pkg: '@opentelemetry/instrumentation-knex', exportName: 'KnexInstrumentation' },
  koa: { pkg: '@opentelemetry/instrumentation-koa', exportName: 'KoaInstrumentation' },
  'lru-memoizer': { pkg: '@opentelemetry/instrumentation-lru-memoizer', exportName: 'LruMemoizerInstrumentation' },
  memcached: { pkg: '@opentelemetry/instrumentation-memcached', exportName: 'MemcachedInstrumentation' },
  mongodb: { pkg: '@opentelemetry/instrumentation-mongodb', exportName: 'MongoDBInstrumentation' },
  mongoose: { pkg: '@opentelemetry/instrumentation-mongoose', exportName: 'MongooseInstrumentation' },
  mysql: { pkg: '@opentelemetry/instrumentation-mysql', exportName: 'MySQLInstrumentation' },
  mysql2: { pkg: '@opentelemetry/instrumentation-mysql2', exportName: 'MySQL2Instrumentation' },
  'nestjs-core': { pkg: '@opentelemetry/instrumentation-nestjs-core', exportName: 'NestInstrumentation' },
  net: { pkg: '@opentelemetry/instrumentation-net', exportName: 'NetInstrumentation' },
  openai: { pkg: '@opentelemetry/instrumentation-openai', exportName: 'OpenAIInstrumentation' },
  oracledb: { pkg: '@opentelemetry/instrumentation-oracledb', exportName: 'OracleInstrumentation' },
  pg: { pkg: '@opentelemetry/instrumentation-pg', exportName: 'PgInstrumentation' },
  pino: { pkg: '@opentelemetry/instrumentation-pino', exportName: 'PinoInstrumentation' },
  redis: { pkg: '@opentelemetry/instrumentation-redis', exportName: 'RedisInstrumentation' },
  restify: { pkg: '@opentelemetry/instrumentation-restify', exportName: 'RestifyInstrumentation' },
  router: { pkg: '@opentelemetry/instrumentation-router', exportName: 'RouterInstrumentation' },
  'runtime-node': { pkg: '@opentelemetry/instrumentation-runtime-node', exportName: 'RuntimeNodeInstrumentation' },
  'socket.io': { pkg: '@opentelemetry/instrumentation-socket.io', exportName: 'SocketIoInstrumentation' },
  tedious: { pkg: '@opentelemetry/instrumentation-tedious', exportName: 'TediousInstrumentation' },
  undici: { pkg: '@opentelemetry/instrumentation-undici', exportName: 'UndiciInstrumentation' },
  winston: { pkg: '@opentelemetry/instrumentation-winston', exportName: 'WinstonInstrumentation' },
} as const satisfies Record<string, InstrumentationEntry>;

export type InstrumentationName = keyof typeof INSTRUMENTATIONS;

export const INSTRUMENTATION_NAMES = Object.keys(INSTRUMENTATIONS) as InstrumentationName[];

export const DEFAULT_INSTRUMENTATIONS = INSTRUMENTATION_NAMES.filter(
  (name) => !(INSTRUMENTATIONS[name] as InstrumentationEntry).offByDefault,
);
