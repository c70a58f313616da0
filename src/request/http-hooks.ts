// HTTP instrumentation hooks: the request context the incoming request's Context holds (extracted by the
// request-id propagator) completed with its server span and client IP, its id echoed in the response and set on the
// server span; and otelkit's own /metrics scrapes kept out of the application's telemetry.
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Span } from '@opentelemetry/api';
import type { Config } from '../config/resolve';
import {
  attachServerRequest,
  currentRequestContext,
  getRequestId,
  newRequestContext,
  type RequestContext,
} from './request-context';
import { requestIdFrom } from './request-id';

export const REQUEST_ID_ATTRIBUTE = 'request_id';
export const CLIENT_IP_ATTRIBUTE = 'client.address';

function clientIpOf(req: IncomingMessage, trustedHeader: string | undefined): string | undefined {
  if (trustedHeader) {
    const value = req.headers[trustedHeader];
    // X-Forwarded-For style: the left-most entry is the original client.
    const first = (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();
    if (first) return first.slice(0, 64);
  }
  return req.socket?.remoteAddress;
}

export interface HttpHooks {
  /** A request context of the request's own headers, where no propagator extracted one (see http-server.ts). */
  requestContextFor(request: IncomingMessage): RequestContext;
  requestHook(span: Span, request: unknown): void;
  responseHook(span: Span, response: unknown): void;
  ignoreIncomingRequestHook?(request: IncomingMessage): boolean;
}

export function createHttpHooks(config: Config): HttpHooks {
  const header = config.requestIdHeader;
  const prometheusPort = config.metrics.exporters.includes('prometheus') ? config.metrics.prometheus.port : undefined;
  return {
    requestContextFor: (request) => newRequestContext(requestIdFrom(request.headers[header])),
    // Runs in the request's Context, where the request context is from the extract on. Outgoing requests reach
    // this hook with a ClientRequest: only server-side requests have a server span and a client.
    requestHook(span, request) {
      if (!(request instanceof IncomingMessage)) return;
      const ctx = currentRequestContext();
      // None only under upstream's server instrumentation with a global propagator other than otelkit's.
      if (ctx === undefined) return;
      const clientIp = clientIpOf(request, config.trustedProxyHeader);
      span.setAttribute(REQUEST_ID_ATTRIBUTE, ctx.requestId);
      if (config.trustedProxyHeader && clientIp) span.setAttribute(CLIENT_IP_ATTRIBUTE, clientIp);
      attachServerRequest(ctx, span, clientIp);
    },
    // For incoming requests this runs right after requestHook and before the handler: headers can still be set.
    responseHook(_span, response) {
      if (!(response instanceof ServerResponse) || response.headersSent) return;
      const requestId = getRequestId();
      if (requestId !== undefined) response.setHeader(header, requestId);
    },
    ignoreIncomingRequestHook:
      prometheusPort === undefined ? undefined : (req: IncomingMessage) => req.socket?.localPort === prometheusPort,
  };
}
