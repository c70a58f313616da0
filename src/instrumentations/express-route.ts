// otelkit's own capture of an express request's route: `http.route` on the server span, the route in its name and
// on `http.server.request.duration`. It takes the place of upstream's express instrumentation when no span per layer
// is wanted (the default), on express 4 (its own router, express/lib/router) and on express 5 with `router` 2.3 or
// later, whose error channel keeps a layer's exception (./express-errors). Upstream wraps every layer's `handle`
// and, on every layer of every request, stores the layer's path on the request, joins the stored paths twice,
// builds the layer's metadata and reads the active context, even for layers that get no span: about a tenth of an
// express hello world's throughput. Here the work is done when the app registers its routes:
// - a route layer (`app.get(path)`, `router.route(path)`) gets its own dispatch method, which sets the route on the
//   request's RPC metadata (where otelkit's http server instrumentation reads it when the response ends) as the
//   router dispatches to it;
// - a layer mounted on a path (`app.use('/api', router)`, a sub-app, `app.use('/static', middleware)`) notes that
//   path on the request while the request is inside it, so a route inside learns its prefix, and makes the path the
//   route until a route inside answers; a request that leaves the mount unanswered (no error) gets back the route
//   it had before;
// - any other layer (`app.use(middleware)`) is left as it is and costs nothing per request.
// The route is the patterns the request matched, mount paths first, as upstream writes them: a RegExp as its source
// text, a list of paths joined with commas, duplicate slashes folded. test/integration/express-routes.test.ts holds
// it to upstream's route for each way of registering and mounting routes, 404s included, on express 4 and 5.
//
// Express 4 has no error channel. Its route layers pass what `next` is given on to the request's server span (a
// handler that throws reaches `next` too: express catches it), and its Layer's `handle_error`, which the router
// calls only while an error is pending, notes errors that middleware ran into: nothing is added on a request that
// goes well. An express 4 layer does not keep the pattern it was registered with, so it is read from the
// registration call's arguments as express 4 reads them.
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  InstrumentationNodeModuleFile,
} from '@opentelemetry/instrumentation';
import { OTELKIT_VERSION } from '../version';
import { noteRequestError } from '../request/exception-processor';

type Next = (err?: unknown) => void;
type HandleRequest = (this: Layer, req: object, res: object, next: Next) => void;
/** The layer's dispatch method: `handleRequest` in `router` 2.x, `handle_request` in express 4. */
type DispatchKey = 'handleRequest' | 'handle_request';
/** What this module reads of a Layer: the pattern it was registered with (router 2.x), and its dispatch method. */
interface Layer {
  rawPath?: unknown;
  route?: unknown;
  handleRequest?: HandleRequest;
  handle_request?: HandleRequest;
}
type Register = (...args: unknown[]) => unknown;
interface RouterModule {
  prototype: { use: Register; route: Register };
}
/** express 4's lib/router/index.js: the Router function, whose own properties are every router's methods. */
interface Express4Router {
  use: Register;
  route: Register;
}
type HandleError = (this: unknown, error: unknown, req: object, res: object, next: Next) => void;
interface Express4Layer {
  prototype: { handle_error: HandleError };
}
/** The mount paths a request is inside, innermost first. */
interface Mount {
  readonly path: string;
  readonly outer: Mount | undefined;
}

const kMount = Symbol('otelkit.express.mount');
const kNoted = Symbol('otelkit.express.notedError');
type Routed = { [kMount]?: Mount; [kNoted]?: unknown };

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

/** What `next` is given when routing goes on normally rather than with an error. */
const isError = (err: unknown) => err !== undefined && err !== null && err !== 'route' && err !== 'router';

/** Notes an express 4 request's error for its server span, once however many layers it passes. */
function noteOnce(req: Routed, err: unknown): void {
  if (req[kNoted] === err) return;
  req[kNoted] = err;
  try {
    noteRequestError(err);
  } catch {
    // Losing one exception event is the lesser harm.
  }
}

function routeLayer(layer: Layer, key: DispatchKey, path: string, notesErrors: boolean): void {
  const handleRequest = layer[key]!;
  // Most routes are not inside a mount: their route is known when they are registered.
  const unmounted = joinRoute(undefined, path);
  layer[key] = function routeHandleRequest(req, res, next) {
    const rpc = httpRpc();
    if (rpc !== undefined) {
      const mount = (req as Routed)[kMount];
      rpc.route = mount === undefined ? unmounted : joinRoute(mount, path);
    }
    if (!notesErrors) return handleRequest.call(this, req, res, next);
    return handleRequest.call(this, req, res, (err?: unknown) => {
      if (isError(err)) noteOnce(req as Routed, err);
      next(err);
    });
  };
}

function mountLayer(layer: Layer, key: DispatchKey, path: string, notesErrors: boolean): void {
  const handleRequest = layer[key]!;
  layer[key] = function mountHandleRequest(req, res, next) {
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
      if (!isError(err)) {
        if (rpc !== undefined) rpc.route = before;
      } else if (notesErrors) noteOnce(routed, err);
      next(err);
    });
  };
}

/**
 * Tags the layers a registration call added (`use` adds one per handler). `pathOf`: the pattern a layer was
 * registered with; `notesErrors`: whether its errors are noted here (express 4) rather than by the router.
 */
function tagNewLayers(
  stack: unknown,
  from: number,
  key: DispatchKey,
  pathOf: (layer: Layer) => unknown,
  notesErrors: boolean,
): void {
  if (!Array.isArray(stack)) return;
  for (let i = from; i < stack.length; i++) {
    const layer = stack[i] as Layer;
    if (typeof layer?.[key] !== 'function') continue;
    const path = formatPattern(pathOf(layer));
    if (path === undefined) continue;
    if (layer.route !== undefined) routeLayer(layer, key, path, notesErrors);
    else if (path !== '/') mountLayer(layer, key, path, notesErrors);
  }
}

function registering<A extends unknown[], R>(
  original: (this: { stack?: unknown }, ...args: A) => R,
  tag: (stack: unknown, from: number, args: A) => void,
) {
  return function (this: { stack?: unknown }, ...args: A): R {
    const from = Array.isArray(this.stack) ? this.stack.length : 0;
    const result = original.apply(this, args);
    try {
      tag(this.stack, from, args);
    } catch {
      // A layer of an unexpected shape keeps working untagged; its requests only lose their route.
    }
    return result;
  };
}

/** router 2.x keeps each layer's pattern as `rawPath`. */
const routerRegistering = (original: Register) =>
  registering(original, (stack, from) => tagNewLayers(stack, from, 'handleRequest', (l) => l.rawPath, false));

/** The pattern of an express 4 `use` call: its first argument unless that is (a list starting with) a function. */
function express4UsePath(args: unknown[]): unknown {
  let arg = args[0];
  while (Array.isArray(arg) && arg.length !== 0) arg = arg[0];
  return typeof arg === 'function' ? '/' : args[0];
}

const express4Registering = (pathOf: (args: unknown[]) => unknown) => (original: Register) =>
  registering(original, (stack, from, args) => {
    const path = pathOf(args);
    tagNewLayers(stack, from, 'handle_request', () => path, true);
  });

export class ExpressRouteInstrumentation extends InstrumentationBase {
  constructor() {
    super('otelkit/express-route', OTELKIT_VERSION, {});
  }

  protected init() {
    const express4 = ['>=4.0.0 <5'];
    return [
      new InstrumentationNodeModuleDefinition(
        'router',
        ['>=2.3.0 <3'],
        (exports: RouterModule) => {
          this._wrap(exports.prototype, 'use', routerRegistering);
          this._wrap(exports.prototype, 'route', routerRegistering);
          return exports;
        },
        (exports: RouterModule) => {
          this._unwrap(exports.prototype, 'use');
          this._unwrap(exports.prototype, 'route');
        },
      ),
      new InstrumentationNodeModuleDefinition('express', express4, undefined, undefined, [
        new InstrumentationNodeModuleFile(
          'express/lib/router/index.js',
          express4,
          (exports: Express4Router) => {
            this._wrap(exports, 'use', express4Registering(express4UsePath));
            this._wrap(
              exports,
              'route',
              express4Registering((args) => args[0]),
            );
            return exports;
          },
          (exports: Express4Router) => {
            this._unwrap(exports, 'use');
            this._unwrap(exports, 'route');
          },
        ),
        new InstrumentationNodeModuleFile(
          'express/lib/router/layer.js',
          express4,
          (exports: Express4Layer) => {
            this._wrap(exports.prototype, 'handle_error', notingErrors);
            return exports;
          },
          (exports: Express4Layer) => this._unwrap(exports.prototype, 'handle_error'),
        ),
      ]),
    ];
  }
}

/** express 4 calls `handle_error` on each matching layer after an error, middleware's errors included. */
function notingErrors(original: HandleError): HandleError {
  return function handle_error(this: unknown, error, req, res, next) {
    noteOnce(req as Routed, error);
    return original.call(this, error, req, res, next);
  };
}
