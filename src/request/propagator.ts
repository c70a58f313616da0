// Carries the current request id on outgoing requests (http, https, fetch/undici): every client
// instrumentation injects through the global propagator, so one propagator covers them all.
import type { Context, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { getRequestId } from './request-context';

export class RequestIdPropagator implements TextMapPropagator {
  constructor(private readonly header: string) {}

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const requestId = getRequestId();
    if (requestId !== undefined) setter.set(carrier, this.header, requestId);
  }

  /** Incoming ids are read by the server hook, which also validates them. */
  extract(context: Context): Context {
    return context;
  }

  fields(): string[] {
    return [this.header];
  }
}
