// The conformance matrix: every app, the requests sent to it (the same on both sides) and what it needs to run.
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/app';

export type Side = 'otelkit' | 'upstream';

export interface ConformanceApp {
  /** Unique; the differences table and docs/conformance.md name apps by it. */
  readonly name: string;
  /** What it covers, for the matrix in docs/conformance.md. */
  readonly covers: string;
  /** A file in test/conformance/apps; `.mjs` runs as an ES module (`--import` / upstream's loader hook). */
  readonly fixture: string;
  /** `METHOD /path`, sent one after the other. */
  readonly requests: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The http.route SPEC 5 asks of every server framework, by request (undefined: no route matched). Checked on
   * otelkit's side alone: upstream has no route for some frameworks (it has no fastify instrumentation at all).
   */
  readonly routes?: Readonly<Record<string, string | undefined>>;
}

const FRAMEWORKS = join(REPO_ROOT, 'test', 'frameworks');
const SERVER_REQUESTS = ['GET /users/7', 'POST /users', 'GET /api/items/9', 'GET /boom', 'GET /nope'];
const ROUTES = {
  'GET /users/7': '/users/:id',
  'POST /users': '/users',
  'GET /api/items/9': '/api/items/:item',
  'GET /boom': '/boom',
  'GET /nope': undefined,
};

export const SERVER_APPS: readonly ConformanceApp[] = [
  {
    name: 'http',
    covers: 'node:http server',
    fixture: 'http.cjs',
    requests: ['GET /users/7', 'POST /users', 'GET /boom', 'GET /nope'],
  },
  { name: 'express5', covers: 'express 5.3 (CJS)', fixture: 'express.cjs', requests: SERVER_REQUESTS, routes: ROUTES },
  {
    name: 'express4',
    covers: 'express 4.22 (CJS)',
    fixture: 'express.cjs',
    requests: SERVER_REQUESTS,
    routes: ROUTES,
    env: { CONFORMANCE_EXPRESS_DIR: join(FRAMEWORKS, 'express4') },
  },
  { name: 'fastify5', covers: 'fastify 5.12 (CJS)', fixture: 'fastify.cjs', requests: SERVER_REQUESTS, routes: ROUTES },
  { name: 'fastify5-esm', covers: 'fastify 5.12 (ESM)', fixture: 'fastify.mjs', requests: SERVER_REQUESTS, routes: ROUTES },
  {
    name: 'fastify4',
    covers: 'fastify 4.29 (CJS)',
    fixture: 'fastify.cjs',
    requests: SERVER_REQUESTS,
    routes: ROUTES,
    env: { CONFORMANCE_FASTIFY_DIR: join(FRAMEWORKS, 'fastify4') },
  },
  {
    name: 'fastify4-esm',
    covers: 'fastify 4.29 (ESM)',
    fixture: 'fastify.mjs',
    requests: SERVER_REQUESTS,
    routes: ROUTES,
    env: { CONFORMANCE_FASTIFY_DIR: join(FRAMEWORKS, 'fastify4') },
  },
  { name: 'koa', covers: 'koa 3.3 with @koa/router 15.7', fixture: 'koa.cjs', requests: SERVER_REQUESTS, routes: ROUTES },
  {
    name: 'hapi',
    covers: '@hapi/hapi 21.4',
    fixture: 'hapi.cjs',
    requests: SERVER_REQUESTS,
    routes: { ...ROUTES, 'GET /users/7': '/users/{id}', 'GET /api/items/9': '/api/items/{item}' },
  },
  {
    name: 'nest-express',
    covers: 'NestJS 11.2 on @nestjs/platform-express (its own express 5.2)',
    fixture: 'nest.cjs',
    requests: SERVER_REQUESTS,
    routes: ROUTES,
    env: { CONFORMANCE_NEST_PLATFORM: 'express' },
  },
  {
    name: 'nest-fastify',
    covers: 'NestJS 11.2 on @nestjs/platform-fastify (its own fastify 5.11)',
    fixture: 'nest.cjs',
    requests: SERVER_REQUESTS,
    routes: ROUTES,
    env: { CONFORMANCE_NEST_PLATFORM: 'fastify' },
  },
  { name: 'restify', covers: 'restify 12.0', fixture: 'restify.cjs', requests: SERVER_REQUESTS, routes: ROUTES },
];

export const CLIENT_APPS: readonly ConformanceApp[] = [
  {
    name: 'clients',
    covers: 'http.request and https.request through keep-alive agents, axios 1.21, fetch, undici 7.30 request()',
    fixture: 'clients.cjs',
    requests: ['GET /http', 'GET /https', 'GET /axios', 'GET /fetch', 'GET /undici', 'GET /refused'],
  },
];

/** These need PostgreSQL, MariaDB and Redis: DATABASE_URL, MARIADB_URL and REDIS_URL (data.test.ts starts them). */
export const DATA_APPS: readonly ConformanceApp[] = [
  {
    name: 'databases',
    covers: 'pg 8.23 (PostgreSQL), mysql2 3.26 (MariaDB), redis 6.3 and ioredis 6.1 (Redis), on real servers on loopback',
    fixture: 'databases.cjs',
    requests: ['GET /pg', 'GET /mysql2', 'GET /redis', 'GET /ioredis'],
  },
];

export const OTHER_APPS: readonly ConformanceApp[] = [
  { name: 'graphql', covers: 'graphql 16.15', fixture: 'graphql.cjs', requests: ['GET /item', 'GET /broken'] },
  {
    name: 'loggers',
    covers: "the app's own winston 3.19, pino 9.14 and bunyan 1.8 loggers (correlation fields on their lines)",
    fixture: 'loggers.cjs',
    requests: ['GET /winston', 'GET /pino', 'GET /bunyan'],
  },
];

export const ALL_APPS: readonly ConformanceApp[] = [...SERVER_APPS, ...CLIENT_APPS, ...DATA_APPS, ...OTHER_APPS];

export function appNamed(name: string): ConformanceApp {
  const app = ALL_APPS.find((a) => a.name === name);
  if (!app) throw new Error(`no conformance app named ${name}`);
  return app;
}
