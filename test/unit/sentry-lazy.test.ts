// The lazily loaded Sentry reporter: loaded at the first error only, never throwing into its callers, and a
// client that fails to load costs one warning, once.
import { describe, expect, it, vi } from 'vitest';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { createLazySentry } from '../../src/sentry/lazy';
import { diagnostics } from '../../src/diagnostics';
import type { ErrorReporter } from '../../src/sentry/types';

const span = (kind: SpanKind, code: SpanStatusCode, events: string[]) =>
  ({ kind, status: { code }, events: events.map((name) => ({ name })) }) as unknown as ReadableSpan;

function fakeReporter(overrides: Partial<ErrorReporter> = {}): ErrorReporter & { spans: ReadableSpan[] } {
  const spans: ReadableSpan[] = [];
  return {
    spans,
    captureLogged: () => {},
    captureUncaught: () => {},
    reportServerSpan: (s) => spans.push(s),
    flush: async () => true,
    close: async () => true,
    ...overrides,
  };
}

describe('createLazySentry', () => {
  it('loads the client at the first error, not before, and once', async () => {
    const load = vi.fn(() => fakeReporter());
    const { reporter } = createLazySentry(load);
    expect(await reporter.flush(100)).toBe(true);
    expect(load).not.toHaveBeenCalled();
    reporter.captureLogged(new Error('a'), { message: 'a', logger: 'x', level: 'error' });
    reporter.captureLogged(new Error('b'), { message: 'b', logger: 'x', level: 'error' });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('hands on only server spans that end as errors with an exception recorded', () => {
    const real = fakeReporter();
    const { spanProcessor } = createLazySentry(() => real);
    const failing = span(SpanKind.SERVER, SpanStatusCode.ERROR, ['exception']);
    spanProcessor.onEnd(span(SpanKind.SERVER, SpanStatusCode.ERROR, []));
    spanProcessor.onEnd(span(SpanKind.SERVER, SpanStatusCode.ERROR, ['log']));
    spanProcessor.onEnd(span(SpanKind.SERVER, SpanStatusCode.UNSET, ['exception']));
    spanProcessor.onEnd(span(SpanKind.INTERNAL, SpanStatusCode.ERROR, ['exception']));
    spanProcessor.onEnd(failing);
    expect(real.spans).toEqual([failing]);
  });

  it('a client that fails to load: one warning, later errors ignored, nothing thrown', () => {
    const warn = vi.spyOn(diagnostics, 'warn').mockImplementation(() => {});
    const load = vi.fn((): ErrorReporter => {
      throw new Error('cannot find module');
    });
    const { reporter } = createLazySentry(load);
    expect(() => reporter.captureUncaught(new Error('x'), 'uncaughtException')).not.toThrow();
    expect(() => reporter.captureLogged(new Error('y'), { message: 'y', logger: 'x', level: 'error' })).not.toThrow();
    expect(load).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain('cannot find module');
    warn.mockRestore();
  });

  it('a client that throws while reporting never throws into the caller', () => {
    const boom = () => {
      throw new Error('boom');
    };
    const { reporter, spanProcessor } = createLazySentry(() =>
      fakeReporter({ captureLogged: boom, captureUncaught: boom, reportServerSpan: boom }),
    );
    expect(() => reporter.captureLogged(new Error('y'), { message: 'y', logger: 'x', level: 'error' })).not.toThrow();
    expect(() => reporter.captureUncaught(new Error('x'), 'unhandledRejection')).not.toThrow();
    expect(() => spanProcessor.onEnd(span(SpanKind.SERVER, SpanStatusCode.ERROR, ['exception']))).not.toThrow();
  });
});
