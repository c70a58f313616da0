// Sends Sentry envelopes with node:http(s): @sentry/core has the protocol and a bounded send buffer, not the I/O.
import { createTransport, type BaseTransportOptions, type Transport } from '@sentry/core';
import { postEnvelope } from './post';

/** The client's transport: core's queue (bounded by `bufferSize`, honouring rate limits) over postEnvelope. */
export function makeNodeTransport(timeoutMillis: number): (options: BaseTransportOptions) => Transport {
  return (options) =>
    createTransport(options, (request) => postEnvelope(options.url, request.body, options.headers ?? {}, timeoutMillis));
}
