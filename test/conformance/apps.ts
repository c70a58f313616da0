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
}

const FRAMEWORKS = join(REPO_ROOT, 'test', 'frameworks');
const SERVER_REQUESTS = ['GET /users/7', 'POST /users', 'GET /api/items/9', 'GET /boom', 'GET /nope'];

export const SERVER_APPS: readonly ConformanceApp[] = [
  {
    name: 'http',
    covers: 'node:http server',
    fixture: 'http.cjs',
    requests: ['GET /users/7', 'POST /users', 'GET /boom', 'GET /nope'],
  },
  { name: 'express5', covers: 'express 5.3 (CJS)', fixture: 'express.cjs', requests: SERVER_REQUESTS },
  {
    name: 'express4',
    covers: 'express 4.22 (CJS)',
    fixture: 'express.cjs',
    requests: SERVER_REQUESTS,
    env: { CONFORMANCE_EXPRESS_DIR: join(FRAMEWORKS, 'express4') },
  },
  { name: 'koa', covers: 'koa 3.3 with @koa/router 15.7', fixture: 'koa.cjs', requests: SERVER_REQUESTS },
  { name: 'hapi', covers: '@hapi/hapi 21.4', fixture: 'hapi.cjs', requests: SERVER_REQUESTS },
];

export const ALL_APPS: readonly ConformanceApp[] = [...SERVER_APPS];

export function appNamed(name: string): ConformanceApp {
  const app = ALL_APPS.find((a) => a.name === name);
  if (!app) throw new Error(`no conformance app named ${name}`);
  return app;
}
