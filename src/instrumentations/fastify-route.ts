// otelkit's capture of a fastify request's route (fastify 4 and 5, and frameworks on it such as NestJS's fastify
// platform): fastify's route template (`/items/:id`, prefixes included) becomes the server span's `http.route`, its
// name and the route of `http.server.request.duration`; an error fastify answers is noted for the server span.
//
// Why the `fastify.initialization` diagnostics channel: fastify (3.21 and later) publishes every instance it
// creates there, before any plugin or route is registered, so otelkit patches no module, and the capture works
// whether the app `require`s fastify or imports it as an ES module (no loader hook has to see the import). On it,
// each instance gets two root hooks, which fastify's encapsulation hands down to every plugin and route:
// - `onRequest`, the first of the request's hooks (the instance's own hooks run before a route's, and these are
//   added before the app can add any): it sets the route on the request's RPC metadata, where otelkit's http server
//   instrumentation reads it when the response ends. A request that a later hook answers (an authentication hook's
//   401, a schema's 400) keeps its route. A request no route matched (fastify's 404 handler) gets none.
// - `onError`, which fastify runs only when it answers with an error: it notes the error, which the server span
//   records if it ends as an error (a 5xx), as for express (../request/exception-processor).
// What the others do: @fastify/otel (upstream's fastify instrumentation since the contrib one was removed; it binds
// an @opentelemetry/instrumentation line otelkit does not run) subscribes to the same channel and sets the same
// route from its own `onRequest` hook, next to a span per request, per hook and per handler. fastify 5's
// `tracing:fastify.request.handler` channel carries the route too, but only around the handler: nothing for a
// request a hook answers first, none on fastify 4, and while anyone listens fastify builds a context object for
// every request and publishes two to four events on it.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import { OTELKIT_VERSION } from '../version';
import { noteRequestError } from '../request/exception-processor';

const INITIALIZATION_CHANNEL = 'fastify.initialization';

type Done = () => void;
/** What this module reads of a fastify request: its route options, or its route path where those do not exist yet. */
interface FastifyRequest {
  readonly routeOptions?: { readonly url?: unknown };
  readonly routerPath?: unknown;
}
interface FastifyInstance {
  addHook(name: string, hook: (...args: never[]) => void): unknown;
}

let subscribed = false;

function captureRoute(request: FastifyRequest, _reply: unknown, done: Done): void {
  try {
    const rpc = subscribed ? getRPCMetadata(context.active()) : undefined;
    if (rpc?.type === RPCType.HTTP) {
      // `routeOptions` builds an object on each read: read only for a traced request. `routerPath` only where
      // `routeOptions` does not exist: fastify 4 warns that it is deprecated on each read.
      const options = request.routeOptions;
      const url = options === undefined ? request.routerPath : options.url;
      if (typeof url === 'string') rpc.route = url;
    }
  } catch {
    // The request goes on without its route.
  }
  done();
}

function noteError(_request: unknown, _reply: unknown, error: unknown, done: Done): void {
  try {
    if (subscribed) noteRequestError(error);
  } catch {
    // Losing one exception event is the lesser harm.
  }
  done();
}

function onInitialization(message: unknown): void {
  try {
    const fastify = (message as { fastify?: FastifyInstance } | undefined)?.fastify;
    if (typeof fastify?.addHook !== 'function') return;
    fastify.addHook('onRequest', captureRoute);
    fastify.addHook('onError', noteError);
  } catch {
    // An instance of an unexpected shape serves untouched; its requests only lose their route.
  }
}

export class FastifyRouteInstrumentation extends InstrumentationBase {
  constructor() {
    super('otelkit/fastify-route', OTELKIT_VERSION, {});
  }

  /** No module is patched: everything goes through the channel (see the top of this file). */
  protected init() {
    return [];
  }

  override enable(): void {
    super.enable();
    if (subscribed) return;
    subscribed = true;
    subscribe(INITIALIZATION_CHANNEL, onInitialization);
  }

  /** Instances created before keep their hooks, which do nothing from then on. */
  override disable(): void {
    super.disable();
    if (!subscribed) return;
    subscribed = false;
    unsubscribe(INITIALIZATION_CHANNEL, onInitialization);
  }
}
