// The route of each server framework's requests, as a user runs the app (`--require` or `--import`): the server
// span's name and `http.route`, and the `http.route` of `http.server.request.duration`, as the receiver got them.
import { describe, expect, it } from 'vitest';
import { useTestBed } from '../harness/test-bed';
import { get, type Preload } from '../harness/app';

const bed = useTestBed();

// url path → [status, route]; undefined: no route matched.
type Request = [string, number, string | undefined];
const COMMON: Request[] = [
  ['/items/3', 200, '/items/:id'],
  ['/items/3/fail', 500, '/items/:id/fail'],
  ['/v1/orders/9', 200, '/v1/orders/:order'],
  ['/missing', 404, undefined],
];
// A hook answers before the handler; a querystring schema refuses the request.
const FASTIFY: Request[] = [...COMMON, ['/private/1', 401, '/private/:id'], ['/search', 400, '/search']];

// [name, fixture (from test/fixtures), preload, requests, whether the failure's exception reaches the server span]
const APPS: Array<[string, string, Preload, Request[], boolean]> = [
  ['express 4, CommonJS', '../frameworks/express4/items.cjs', 'require', COMMON, true],
  ['express 4, ES module', '../frameworks/express4/items.mjs', 'import', COMMON, true],
  ['express 5, CommonJS', 'express-items.cjs', 'require', COMMON, true],
  ['express 5, ES module', 'express-items.mjs', 'import', COMMON, true],
  ['fastify 4, CommonJS', '../frameworks/fastify4/items.cjs', 'require', FASTIFY, true],
  ['fastify 4, ES module', '../frameworks/fastify4/items.mjs', 'import', FASTIFY, true],
  ['fastify 5, CommonJS', 'fastify-items.cjs', 'require', FASTIFY, true],
  ['fastify 5, ES module', 'fastify-items.mjs', 'import', FASTIFY, true],
  // NestJS answers a handler's error itself (its exception filter), so fastify sees a 500 reply, not an error; the
  // exception reaches the server span from the span upstream's NestJS instrumentation records it on (NestJS < 12).
  ['NestJS on fastify, --require', 'nest-fastify-items.cjs', 'require', COMMON, true],
  ['NestJS on fastify, --import', 'nest-fastify-items.cjs', 'import', COMMON, true],
];

describe('server routes', () => {
  it.each(APPS)('%s', async (_name, fixture, preload, requests, exceptionOnSpan) => {
    const app = bed.launch(fixture, { preload });
    for (const [path, status] of requests) expect((await get(await app.url(path))).status, path).toBe(status);
    await app.stop('SIGTERM');

    const servers = bed.receiver.spans.filter((s) => s.kind === 2);
    const seen = requests.map(([path]) => {
      const span = servers.find((s) => s.attributes['url.path'] === path);
      return [path, span?.attributes['http.response.status_code'], span?.attributes['http.route'], span?.name];
    });
    expect(seen).toEqual(requests.map(([path, status, route]) => [path, status, route, route ? `GET ${route}` : 'GET']));

    const points = bed.receiver.metrics.filter((m) => m.name === 'http.server.request.duration').flatMap((m) => m.dataPoints);
    const metricRoutes = new Set(
      points.map((p) => [p.attributes['http.route'], p.attributes['http.response.status_code']].join(' ')),
    );
    expect(metricRoutes).toEqual(new Set(requests.map(([, status, route]) => [route, status].join(' '))));

    const failed = servers.find((s) => s.attributes['url.path'] === '/items/3/fail')!;
    expect(failed.status.code).toBe(2);
    const messages = failed.events.filter((e) => e.name === 'exception').map((e) => e.attributes['exception.message']);
    expect(messages).toEqual(exceptionOnSpan ? ['item store down'] : []);
  });
});
