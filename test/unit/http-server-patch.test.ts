// The server instrumentation's patches: in place after enable(), gone after disable(), prototypes as they were.
import { EventEmitter } from 'node:events';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import { describe, expect, it } from 'vitest';
import { HttpServerInstrumentation } from '../../src/instrumentations/http-server';
import { KNOWN_METHODS } from '../../src/instrumentations/http-common';

const own = (proto: object) => Object.prototype.hasOwnProperty.call(proto, 'emit');
const protos = [http.Server.prototype, https.Server.prototype, IncomingMessage.prototype, ServerResponse.prototype];

describe('HttpServerInstrumentation enable/disable', () => {
  it('patches emit on the server, request and response prototypes, and restores them exactly', () => {
    const before = protos.map((p) => [own(p), (p as EventEmitter).emit]);
    const instrumentation = new HttpServerInstrumentation(
      { requestContextFor: () => ({ requestId: 'r' }), requestHook() {}, responseHook() {} },
      { knownMethods: KNOWN_METHODS, requireParent: false, syntheticSource: false, redactQuery: (query) => query },
    );
    instrumentation.enable();
    expect(instrumentation.getConfig().enabled).toBe(true);
    for (const p of protos) expect((p as EventEmitter).emit).not.toBe(EventEmitter.prototype.emit);
    const patched = protos.map((p) => (p as EventEmitter).emit);
    instrumentation.enable(); // a second enable must not wrap twice
    expect(protos.map((p) => (p as EventEmitter).emit)).toEqual(patched);
    instrumentation.disable();
    expect(protos.map((p) => [own(p), (p as EventEmitter).emit])).toEqual(before);
    expect(instrumentation.getConfig().enabled).toBe(false);
  });
});
