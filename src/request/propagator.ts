// The request id across process boundaries: read from an incoming request's header into its Context (extract), and
// written on outgoing requests (http, https, fetch/undici) from the Context they are made in (inject). Every
// instrumentation extracts and injects through the global propagator, so this one covers them all.
import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { newRequestContext, requestContextOf, withRequestContext } from './request-context';
import { requestIdFrom } from './request-id';

export class RequestIdPropagator implements TextMapPropagator {
  constructor(private readonly header: string) {}

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const requestId = requestContextOf(context)?.requestId;
    if (requestId !== undefined) setter.set(carrier, this.header, requestId);
  }

  /**
   * A well-formed incoming id is kept, anything else gets a new id (`requestIdFrom`). A Context that already holds
   * a request (an app extracting inside one) keeps it unless the carrier brings a well-formed id of its own.
   */
  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const incoming = getter.get(carrier, this.header);
    const requestId = requestIdFrom(incoming);
    // requestIdFrom gives back the incoming value itself only when it is well formed.
    if (requestId !== incoming && requestContextOf(context) !== undefined) return context;
    return withRequestContext(context, newRequestContext(requestId));
  }

  fields(): string[] {
    return [this.header];
  }
}
