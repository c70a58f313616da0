// The route (http.route, the server span's name, the request duration's http.route) of express 4 and 5 requests:
// otelkit's own route capture, the default, against upstream's express instrumentation
// (OTELKIT_EXPRESS_MIDDLEWARE_SPANS=true), request by request.
import { describe, expect, it } from 'vitest';
import { useTestBed } from '../harness/test-bed';
import { fastExportEnv, get } from '../harness/app';

const bed = useTestBed();

// url path → [status, route]; undefined: no route (nothing but middleware answered, or nothing at all).
const ROUTES: Array<[string, number, string | undefined]> = [
  ['/plain', 200, '/plain'],
  ['/users/7', 200, '/users/:id'],
  ['/chain', 200, '/chain'],
  ['/list-b', 200, '/list-a,/list-b'],
  ['/pattern/42', 200, String(/^\/pattern\/\d+$/)],
  ['/handed-on', 200, '/handed-on'],
  ['/api', 200, '/api'],
  ['/api/tickets/3', 200, '/api/tickets/:id'],
  ['/api/v2/items/9', 200, '/api/v2/items/:item'],
  ['/orgs/acme/members', 200, '/orgs/:org/members'],
  ['/sub/ping', 200, '/sub/ping'],
  // A route inside a mount fails: the app-level error handler answers, and the failed route names the request.
  ['/api/fails', 500, '/api/fails'],
  ['/throws', 500, '/throws'],
  // Middleware mounted on a path answers: the mount path is the route.
  ['/static/site.css', 200, '/static'],
  // Nothing matched, at the top or inside a mount that was left again.
  ['/nope', 404, undefined],
  ['/api/nope', 404, undefined],
];

// The same fixture, run from where each express resolves (the root has express 5, the workspace express 4).
const EXPRESS = [
  ['express 5', 'express-routes.cjs'],
  ['express 4', '../frameworks/express4/express-routes.cjs'],
] as const;

const INSTRUMENTATIONS = [
  ["otelkit's route capture (default)", {}],
  ["upstream's express instrumentation", { OTELKIT_EXPRESS_MIDDLEWARE_SPANS: 'true' }],
] as const;

describe.each(EXPRESS)('%s routes', (_express, fixture) => {
  it.each(INSTRUMENTATIONS)('%s names every request by the route it matched', async (_case, extra) => {
    const app = bed.launch(fixture, { preload: 'require', env: { ...fastExportEnv(bed.receiver.url), ...extra } });
    for (const [path, status] of ROUTES) expect((await get(await app.url(path))).status, path).toBe(status);
    await app.stop('SIGTERM');
    const servers = bed.receiver.spans.filter((s) => s.kind === 2);
    const seen = ROUTES.map(([path]) => {
      const span = servers.find((s) => s.attributes['url.path'] === path);
      return [path, span?.attributes['http.route'], span?.name];
    });
    expect(seen).toEqual(ROUTES.map(([path, , route]) => [path, route, route === undefined ? 'GET' : `GET ${route}`]));
    // The duration keeps the route too: one series per route, and one without for the 404s.
    const points = bed.receiver.metrics.filter((m) => m.name === 'http.server.request.duration').flatMap((m) => m.dataPoints);
    const metricRoutes = new Set(points.map((p) => p.attributes['http.route']));
    expect(metricRoutes).toEqual(new Set(ROUTES.map(([, , route]) => route)));
    // A handler's error, passed to next() or thrown, is on the failed request's server span.
    for (const [path, message] of [
      ['/api/fails', 'ticket store down'],
      ['/throws', 'handler threw'],
    ]) {
      const span = servers.find((s) => s.attributes['url.path'] === path)!;
      expect(span.status.code, path).toBe(2);
      const exceptions = span.events.filter((e) => e.name === 'exception');
      expect(
        exceptions.map((e) => e.attributes['exception.message']),
        path,
      ).toEqual([message]);
    }
  });

  it('the default puts no span of its own on any layer', async () => {
    const app = bed.launch(fixture, { preload: 'require', env: fastExportEnv(bed.receiver.url) });
    for (const [path] of ROUTES) await get(await app.url(path));
    await app.stop('SIGTERM');
    expect(bed.receiver.spans.filter((s) => s.kind === 2)).toHaveLength(ROUTES.length);
    expect(bed.receiver.spans.filter((s) => s.kind !== 2)).toEqual([]);
  });
});
