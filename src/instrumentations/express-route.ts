// otelkit's own capture of an express 5 request's route: `http.route` on the server span, the route in its name and
// on `http.server.request.duration`. It takes the place of upstream's express instrumentation when no span per layer
// is wanted (the default) and express runs on `router` 2.3 or later, whose error channel keeps a layer's exception
// (./express-errors). Upstream wraps every layer's `handle` and, on every layer of every request, stores the layer's
// path on the request, joins the stored paths twice, builds the layer's metadata and reads the active context, even
// for layers that get no span: about a tenth of an express hello world's throughput. Here the work is done when the
// app registers its routes:
// - a route layer (`app.get(path)`, `router.route(path)`) gets its own `handleRequest`, which sets the route on the
//   request's RPC metadata (where otelkit's http server instrumentation reads it when the response ends) as the
//   router dispatches to it;
// - a layer mounted on a path (`app.use('/api', router)`, a sub-app, `app.use('/static', middleware)`) notes that
//   path on the request while the request is inside it, so a route inside learns its prefix, and makes the path the
//   route until a route inside answers; a request that leaves the mount unanswered (no error) gets back the route
//   it had before;
// - any other layer (`app.use(middleware)`) is left as it is and costs nothing per request.
// The route is the patterns the request matched, mount paths first, as upstream writes them: a RegExp as its source
// text, a list of paths joined with commas, duplicate slashes folded. test/integration/express-routes.test.ts holds
// it to upstream's route for each way of registering and mounting routes, 404s included.
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { OTELKIT_VERSION } from '../version';

type Next = (err?: unknown) => void;
type HandleRequest = (this: Layer, req: object, res: object, next: Next) => void;
/** What this module reads of `router`'s Layer (2.x): the pattern it was registered with, and its dispatch method. */
interface Layer {
  rawPath?: unknown;
  route?: unknown;
  handleRequest: HandleRequest;
}
interface RouterModule {
  prototype: { use: (...args: unknown[]) => unknown; route: (...args: unknown[]) => unknown };
}
/** The mount paths a request is inside, innermost first. */
interface Mount {
  readonly path: string;
  readonly outer: Mount | undefined;
}

const kMount = Symbol('otelkit.express.mount');
type Routed = { [kMount]?: Mount };

/** A layer's pattern as upstream's express instrumentation writes it. */
function formatPattern(pattern: unknown): string | undefined {
  if (typeof pattern === 'string') return pattern;
  if (pattern instanceof RegExp || typeof pattern === 'number') return String(pattern);
  if (Array.isArray(pattern)) return pattern.map((p) => formatPattern(p) ?? '').join(',');
  return undefined;
}

/** The route of a route layer's pattern inside the given mounts: outermost first, `/` parts left out. */
function joinRoute(mount: Mount | undefined, path: string): string {
  let route = path === '/' ? '' : path;
  for (let m = mount; m !== undefined; m = m.outer) if (m.path !== '/') route = m.path + route;
  if (route === '') return '/';
  return route.includes('//') ? route.replace(/\/{2,}/g, '/') : route;
}

/** The request's RPC metadata, where otelkit's http server instrumentation reads the route when the response ends. */
function httpRpc(): { route?: string } | undefined {
  const rpc = getRPCMetadata(context.active());
  return rpc?.type === RPCType.HTTP ? rpc : undefined;
}

function routeLayer(layer: Layer, path: string): void {
  const handleRequest = layer.handleRequest;
  // Most routes are not inside a mount: their route is known when they are registered.
  const unmounted = joinRoute(undefined, path);
  layer.handleRequest = function routeHandleRequest(req, res, next) {
    const rpc = httpRpc();
    if (rpc !== undefined) {
      const mount = (req as Routed)[kMount];
      rpc.route = mount === undefined ? unmounted : joinRoute(mount, path);
    }
    return handleRequest.call(this, req, res, next);
  };
}

/** What `next` is given when routing goes on normally rather than with an error. */
const isError = (err: unknown) => err !== undefined && err !== null && err !== 'route' && err !== 'router';

function mountLayer(layer: Layer, path: string): void {
  const handleRequest = layer.handleRequest;
  layer.handleRequest = function mountHandleRequest(req, res, next) {
    const routed = req as Routed;
    const outer = routed[kMount];
    const mount = { path, outer };
    routed[kMount] = mount;
    // Until a route inside answers, the request is routed as far as the mount path (a path-mounted middleware).
    const rpc = httpRpc();
    const before = rpc?.route;
    if (rpc !== undefined) rpc.route = joinRoute(mount, '/');
    return handleRequest.call(this, req, res, (err?: unknown) => {
      // Routing left the mount: the layers after it are outside its path. With an error, the route that failed
      // stays the request's route for whatever handles the error.
      routed[kMount] = outer;
      if (rpc !== undefined && !isError(err)) rpc.route = before;
      next(err);
    });
  };
}

/** Tags the layers a registration call added (`use` adds one per handler). */
function tagNewLayers(stack: unknown, from: number): void {
  if (!Array.isArray(stack)) return;
  for (let i = from; i < stack.length; i++) {
    const layer = stack[i] as Layer;
    if (typeof layer?.handleRequest !== 'function') continue;
    const path = formatPattern(layer.rawPath);
    if (path === undefined) continue;
    if (layer.route !== undefined) routeLayer(layer, path);
    else if (path !== '/') mountLayer(layer, path);
  }
}

function registering<A extends unknown[], R>(original: (this: { stack?: unknown }, ...args: A) => R) {
  return function (this: { stack?: unknown }, ...args: A): R {
    const from = Array.isArray(this.stack) ? this.stack.length : 0;
    const result = original.apply(this, args);
    try {
      tagNewLayers(this.stack, from);
    } catch {
      // A layer of an unexpected shape keeps working untagged; its requests only lose their route.
    }
    return result;
  };
}

export class ExpressRouteInstrumentation extends InstrumentationBase {
  constructor() {
    super('otelkit/express-route', OTELKIT_VERSION, {});
  }

  protected init() {
    return new InstrumentationNodeModuleDefinition(
      'router',
      ['>=2.3.0 <3'],
      (exports: RouterModule) => {
        this._wrap(exports.prototype, 'use', registering);
        this._wrap(exports.prototype, 'route', registering);
        return exports;
      },
      (exports: RouterModule) => {
        this._unwrap(exports.prototype, 'use');
        this._unwrap(exports.prototype, 'route');
      },
    );
  }
}
