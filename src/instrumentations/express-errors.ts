// Express 5 routes through the `router` package, which from 2.3 publishes every error a layer throws, rejects
// or passes to next() on the `express.router.request` tracing channel. With that channel otelkit needs no span
// per route handler to keep a handler's (or a middleware's) exception: it is noted for the request's server span.
import { createRequire } from 'node:module';
import { tracingChannel } from 'node:diagnostics_channel';
import { noteRequestError } from '../request/exception-processor';

const ROUTER_CHANNEL = 'express.router.request';

/**
 * Whether otelkit's own route capture (./express-route) covers the express the app resolves: express 4, whose
 * router is its own (a `router` package that happens to resolve beside it is not what it runs on), or a later
 * express whose `router` publishes errors (2.3 and later). False when express does not resolve.
 */
export function ownExpressCaptureFits(roots: readonly string[]): boolean {
  try {
    const fromRoots = createRequire(`${roots[0] ?? process.cwd()}/`);
    const expressPkg = fromRoots.resolve('express/package.json', { paths: [...roots] });
    const fromExpress = createRequire(expressPkg);
    if (majorMinor(fromExpress('./package.json'))[0] === 4) return true;
    const [major, minor] = majorMinor(fromExpress('router/package.json'));
    return major > 2 || (major === 2 && minor >= 3);
  } catch {
    return false;
  }
}

function majorMinor(pkg: unknown): number[] {
  return String((pkg as { version?: unknown }).version)
    .split('.')
    .map(Number);
}

let subscribed = false;

/** Subscribes once; the router only takes its traced path for layers while someone listens. */
export function noteRouterErrors(): void {
  if (subscribed) return;
  subscribed = true;
  tracingChannel(ROUTER_CHANNEL).error.subscribe((message) => {
    // A subscriber's exception would reach the app as an uncaught one (diagnostics_channel rethrows it).
    try {
      noteRequestError((message as { error?: unknown }).error);
    } catch {
      // Losing one exception event is the lesser harm.
    }
  });
}
