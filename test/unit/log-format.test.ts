// The log formats on any input: one valid JSON line, never a throw (property-based), and the usual error forms.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLogger, transports } from 'winston';
import { createEnrichFormat, createJsonLineFormat } from '../../src/logging/format';
import { LEVELS } from '../../src/logging/levels';
import { Redactor } from '../../src/redaction/redact';

function captureLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({
    levels: LEVELS,
    level: 'debug',
    format: createEnrichFormat({
      loggerName: 'unit',
      resource: { serviceName: 'svc' },
      redactor: new Redactor(['password']),
      limits: { maxStringLength: 200 },
    }),
    transports: [new transports.Stream({ stream, format: createJsonLineFormat() })],
  });
  return { logger, lines };
}

describe('JSON line format', () => {
  it('any message and any fields give exactly one valid JSON line with the standard fields', () => {
    const { logger, lines } = captureLogger();
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withSparseArray: true,
          withNullPrototype: true,
        }),
        fc.anything({ withBigInt: true, withMap: true }),
        (message, fields) => {
          const before = lines.length;
          const meta = typeof fields === 'object' && fields !== null && !Array.isArray(fields) ? fields : { value: fields };
          logger.info(message as string, meta as object);
          expect(lines.length).toBe(before + 1);
          const record = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
          expect(record.level).toBe('INFO');
          expect(record.logger_name).toBe('unit');
          expect(typeof record.message).toBe('string');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('circular objects, BigInt, Buffers, Symbols, functions, huge strings', () => {
    const { logger, lines } = captureLogger();
    const circular: Record<string, unknown> = { name: 'c' };
    circular.self = circular;
    logger.info('odd values', {
      circular,
      big: 2n ** 70n,
      buf: Buffer.from('hi'),
      sym: Symbol('s'),
      fn: function named() {},
      huge: 'y'.repeat(1000),
    });
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record.circular).toEqual({ name: 'c', self: '[Circular]' });
    expect(record.big).toBe('1180591620717411303424');
    expect(record.buf).toBe('[Buffer 2 bytes: aGk=]');
    expect(record.sym).toBe('Symbol(s)');
    expect(record.fn).toBe('[Function named]');
    expect(record.huge).toBe(`${'y'.repeat(200)}…[truncated 800 chars]`);
  });

  it.each([
    [
      'log.error(message, err)',
      (l: ReturnType<typeof captureLogger>['logger'], e: Error) => l.error('save failed', e),
      'save failed',
    ],
    ['log.error(err)', (l: ReturnType<typeof captureLogger>['logger'], e: Error) => l.error(e as unknown as string), 'boom'],
    [
      'log.error(message, { err })',
      (l: ReturnType<typeof captureLogger>['logger'], e: Error) => l.error('save failed', { err: e }),
      'save failed',
    ],
    [
      'log.error(message, { error })',
      (l: ReturnType<typeof captureLogger>['logger'], e: Error) => l.error('save failed', { error: e }),
      'save failed',
    ],
  ])('%s yields the exception fields and keeps the message', (_form, call, message) => {
    const { logger, lines } = captureLogger();
    const err = new TypeError('boom', { cause: new Error('root cause') });
    call(logger, err);
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({ level: 'ERROR', message, exception_type: 'TypeError', exception_message: 'boom' });
    expect(record.stack_trace).toMatch(/^TypeError: boom\n/);
    expect(record.stack_trace).toContain('Caused by: Error: root cause');
    expect(record).not.toHaveProperty('err');
    expect(record).not.toHaveProperty('error');
  });

  it('a long stack keeps every "Caused by:" line within the length limit', () => {
    const { logger, lines } = captureLogger();
    const root = new Error('root cause');
    const err = new TypeError('boom', { cause: root });
    err.stack = `TypeError: boom\n${'    at deep (/a/very/long/path/to/a/module.js:1:1)\n'.repeat(100)}`;
    logger.error('save failed', err);
    const record = JSON.parse(lines[0]!) as { stack_trace: string };
    expect(record.stack_trace.length).toBeLessThan(200 * 4 + 100);
    expect(record.stack_trace).toMatch(/^TypeError: boom\n/);
    expect(record.stack_trace).toContain('…[truncated ');
    expect(record.stack_trace).toContain('\nCaused by: Error: root cause');
  });

  it('a getter that throws does not reach the caller', () => {
    const { logger, lines } = captureLogger();
    const hostile = {
      get value(): string {
        throw new Error('no access');
      },
    };
    expect(() => logger.info('hostile', { nested: hostile })).not.toThrow();
    expect(JSON.parse(lines[0]!)).toMatchObject({ nested: { value: '[Unreadable: no access]' } });
  });
});
