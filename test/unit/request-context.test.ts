// The request context lives in OpenTelemetry's Context and nowhere else; the request-id propagator reads the id in
// extract and writes it in inject, from the Context it is given.
import {
  context,
  createContextKey,
  defaultTextMapGetter,
  defaultTextMapSetter,
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  trace,
} from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { RequestIdPropagator } from '../../src/request/propagator';
import {
  currentRequestContext,
  getRequestId,
  requestContextOf,
  runWithRequestContext,
  setUser,
  withRequestContext,
} from '../../src/request/request-context';

// The key the request context is under: createContextKey is Symbol.for of its description.
const REQUEST_KEY = createContextKey('otelkit request context');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const propagator = new RequestIdPropagator('x-request-id');
const extract = (headers: Record<string, string | string[]>, base = ROOT_CONTEXT) =>
  propagator.extract(base, headers, defaultTextMapGetter);

describe('the request context', () => {
  it('is in OpenTelemetry’s Context only: a Context without it (ROOT_CONTEXT) hides it', () => {
    runWithRequestContext({ requestId: 'job-1' }, () => {
      expect(getRequestId()).toBe('job-1');
      // A second AsyncLocalStorage would still answer here.
      context.with(ROOT_CONTEXT, () => expect(getRequestId()).toBeUndefined());
      context.with(trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(INVALID_SPAN_CONTEXT)), () =>
        expect(currentRequestContext()).toBeUndefined(),
      );
      expect(getRequestId()).toBe('job-1');
    });
    expect(getRequestId()).toBeUndefined();
  });

  it('follows async work, and what is set later reaches every Context that holds it', async () => {
    const ctx = { requestId: 'job-2' };
    await runWithRequestContext(ctx, async () => {
      const later = context.active();
      await new Promise((resolve) => setTimeout(resolve, 5));
      setUser({ id: 7, username: 'ada' });
      await new Promise((resolve) => setImmediate(resolve));
      expect(currentRequestContext()).toEqual({ requestId: 'job-2', userId: '7', username: 'ada' });
      expect(requestContextOf(later)).toBe(ctx);
    });
  });

  it('keeps concurrent units apart', async () => {
    const seen = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        runWithRequestContext({ requestId: `r${i}` }, async () => {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10));
          return getRequestId();
        }),
      ),
    );
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => `r${i}`));
  });
});

describe('a Context with a request context', () => {
  const other = createContextKey('other');
  const third = createContextKey('third');
  const request = { requestId: 'r-1' };

  it('behaves as Context.setValue would: values below stay, values set later are kept, deletes work', () => {
    const base = ROOT_CONTEXT.setValue(other, 1);
    const ctx = withRequestContext(base, request);
    expect(requestContextOf(ctx)).toBe(request);
    expect(ctx.getValue(other)).toBe(1);
    const later = ctx.setValue(third, 3).setValue(other, 2);
    expect([requestContextOf(later), later.getValue(other), later.getValue(third)]).toEqual([request, 2, 3]);
    expect([requestContextOf(ctx), ctx.getValue(other), ctx.getValue(third)]).toEqual([request, 1, undefined]);
    const withoutOther = later.deleteValue(other);
    expect([requestContextOf(withoutOther), withoutOther.getValue(other), withoutOther.getValue(third)]).toEqual([
      request,
      undefined,
      3,
    ]);
    const withoutRequest = later.deleteValue(REQUEST_KEY);
    expect([requestContextOf(withoutRequest), withoutRequest.getValue(third)]).toEqual([undefined, 3]);
  });

  it('a request set on a Context that holds one replaces it', () => {
    const inner = { requestId: 'r-2' };
    const ctx = withRequestContext(withRequestContext(ROOT_CONTEXT, request), inner);
    expect(requestContextOf(ctx)).toBe(inner);
    expect(requestContextOf(ctx.deleteValue(REQUEST_KEY))).toBeUndefined();
  });
});

describe('RequestIdPropagator', () => {
  it('extract keeps a well-formed incoming id', () => {
    expect(requestContextOf(extract({ 'x-request-id': 'abc-123.x:y_z' }))).toEqual({ requestId: 'abc-123.x:y_z' });
  });

  it.each([
    ['absent', {}],
    ['malformed', { 'x-request-id': 'bad id' }],
    ['overlong', { 'x-request-id': 'a'.repeat(129) }],
    ['repeated', { 'x-request-id': ['a', 'b'] }],
  ])('extract makes a new id when the header is %s, one per request', (_why, headers) => {
    const a = requestContextOf(extract(headers))?.requestId;
    const b = requestContextOf(extract(headers))?.requestId;
    expect(a).toMatch(UUID);
    expect(b).toMatch(UUID);
    expect(a).not.toBe(b);
  });

  it('extract into a Context that holds a request: a well-formed id replaces it, none keeps it', () => {
    const base = withRequestContext(ROOT_CONTEXT, { requestId: 'outer' });
    expect(requestContextOf(extract({ 'x-request-id': 'inner' }, base))?.requestId).toBe('inner');
    expect(extract({}, base)).toBe(base);
    expect(extract({ 'x-request-id': 'bad id' }, base)).toBe(base);
  });

  it('extract leaves the rest of the Context as it was', () => {
    const span = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 });
    const extracted = extract({ 'x-request-id': 'r-1' }, trace.setSpan(ROOT_CONTEXT, span));
    expect(trace.getSpan(extracted)).toBe(span);
  });

  it('inject writes the id of the Context it is given, not of the active one', () => {
    const carrier: Record<string, string> = {};
    propagator.inject(withRequestContext(ROOT_CONTEXT, { requestId: 'given' }), carrier, defaultTextMapSetter);
    expect(carrier).toEqual({ 'x-request-id': 'given' });

    const none: Record<string, string> = {};
    runWithRequestContext({ requestId: 'ambient' }, () => propagator.inject(ROOT_CONTEXT, none, defaultTextMapSetter));
    expect(none).toEqual({});
  });

  it('round trip: what one service injects, the next extracts', () => {
    const carrier: Record<string, string> = {};
    propagator.inject(withRequestContext(ROOT_CONTEXT, { requestId: 'cross-1' }), carrier, defaultTextMapSetter);
    expect(requestContextOf(extract(carrier))?.requestId).toBe('cross-1');
    expect(propagator.fields()).toEqual(['x-request-id']);
  });
});
