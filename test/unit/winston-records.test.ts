// otelkit's conversion of winston records (src/logging/winston-records.ts, which the bundle gives OpenTelemetry's
// winston transport in place of its own) emits exactly what the installed @opentelemetry/winston-transport emits,
// property for property and in the same order, for any record (property-based: every value type, errors with causes,
// circular references, splat, flattened stacks, event names, correlation fields, level names of three families,
// severity mappings and thresholds).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ROOT_CONTEXT, createContextKey } from '@opentelemetry/api';
import { SeverityNumber, type LogRecord, type Logger } from '@opentelemetry/api-logs';
import * as ours from '../../src/logging/winston-records';

// The package's own module, from node_modules (the bundle no longer carries it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const upstream = require('@opentelemetry/winston-transport/build/src/utils.js') as typeof ours;

const LEVEL = Symbol.for('level');
const SPLAT = Symbol.for('splat');
const OTEL_CONTEXT = Symbol.for('opentelemetry.js.contrib.winston.context');

function emitted(emit: typeof ours.emitLogRecord, record: Record<string | symbol, unknown>, ...rest: unknown[]) {
  const out: LogRecord[] = [];
  const logger = { emit: (r: LogRecord) => out.push(r) } as unknown as Logger;
  let thrown: unknown;
  try {
    (emit as (...args: unknown[]) => void)(record, logger, ...rest);
  } catch (error) {
    thrown = error;
  }
  return { out, thrown };
}

/** Property names at every level, in order, so that equal records also list their properties alike. */
function shape(value: unknown, seen = new Set<unknown>()): unknown {
  if (value === null || typeof value !== 'object' || seen.has(value)) return typeof value;
  seen.add(value);
  return Object.keys(value).map((key) => [key, shape((value as Record<string, unknown>)[key], seen)]);
}

function expectSame(record: Record<string | symbol, unknown>, ...rest: unknown[]): void {
  const theirs = emitted(upstream.emitLogRecord, record, ...rest);
  const mine = emitted(ours.emitLogRecord, record, ...rest);
  expect(mine.thrown).toEqual(theirs.thrown);
  expect(mine.out).toStrictEqual(theirs.out);
  expect(shape(mine.out)).toEqual(shape(theirs.out));
}

class Money {
  constructor(readonly cents: number) {}
}

const leaf = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constantFrom(null, undefined, 10n, Symbol.for('s'), () => 1, new Uint8Array([1, 2]), new Money(5), new Date(0)),
);
const nested = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object'), tie('error')),
  array: fc.array(tie('value'), { maxLength: 3 }),
  object: fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 3 }),
  error: fc
    .record({ message: fc.string({ maxLength: 10 }), code: fc.option(fc.oneof(fc.string({ maxLength: 4 }), fc.integer())) })
    .map(({ message, code }) => Object.assign(new TypeError(message), code == null ? {} : { code })),
}));
const cause = fc.oneof(
  fc.constantFrom(undefined, null, 'timeout', 42, true),
  fc.record({
    code: fc.option(fc.oneof(fc.string(), fc.integer())),
    name: fc.option(fc.string()),
    message: fc.option(fc.string()),
  }),
  fc.string({ maxLength: 8 }).map((m) => new RangeError(m)),
);
const errorish = fc.oneof(
  nested.value,
  cause.map((c) => (c === undefined ? new Error('failed') : new Error('failed', { cause: c }))),
  fc.record({ message: fc.string({ maxLength: 8 }), cause }),
);
const KEYS = [
  'message',
  'level',
  'otel.event.name',
  'trace_id',
  'span_id',
  'trace_flags',
  'err',
  'error',
  'stack',
  'code',
  'name',
  'cause',
  'order_id',
  'user',
  '0',
];
const record = fc
  .record(
    {
      fields: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })), errorish), { maxLength: 8 }),
      level: fc.constantFrom(
        'info',
        'error',
        'warn',
        'http',
        'verbose',
        'silly',
        'emerg',
        'notice',
        'help',
        'prompt',
        'critical',
        'nope',
        undefined,
      ),
      splat: fc.option(fc.array(errorish, { maxLength: 3 })),
      stack: fc.option(fc.constantFrom('TypeError: bad\n    at x', 'no type here', 'Error:')),
      context: fc.boolean(),
      inherited: fc.boolean(),
    },
    { requiredKeys: ['fields', 'level', 'context', 'inherited'] },
  )
  .map(({ fields, level, splat, stack, context, inherited }) => {
    // winston records are plain objects; an inherited property (a prototype with fields) must stay out of the attributes.
    const r: Record<string | symbol, unknown> = inherited ? Object.create({ inheritedField: 1, message: 'from proto' }) : {};
    for (const [key, value] of fields)
      Object.defineProperty(r, key, { value, enumerable: true, writable: true, configurable: true });
    if (level !== undefined) r[LEVEL] = level;
    if (splat != null) r[SPLAT] = splat;
    if (stack != null) r.stack = stack;
    if (context) r[OTEL_CONTEXT] = ROOT_CONTEXT.setValue(createContextKey('k'), 1);
    return r;
  });
const mapping = fc.option(fc.constantFrom({ critical: SeverityNumber.FATAL, info: SeverityNumber.INFO2 }, {}), {
  nil: undefined,
});
const threshold = fc.option(fc.constantFrom(SeverityNumber.INFO, SeverityNumber.ERROR, SeverityNumber.UNSPECIFIED), {
  nil: undefined,
});

describe('winston records for OpenTelemetry', () => {
  it('are what the installed @opentelemetry/winston-transport emits, for any record', () => {
    fc.assert(
      fc.property(record, mapping, threshold, (r, severityMapping, logSeverity) => {
        expectSame(r, severityMapping, logSeverity);
      }),
      { numRuns: 3000 },
    );
  });

  it('are alike for circular values, errors inside errors and an unstringifiable value inside an error', () => {
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    const list: unknown[] = [1];
    list.push(list);
    const inner = new Error('inner');
    const outer = Object.assign(new Error('outer', { cause: inner }), { errors: [inner, { deep: loop }], tag: Symbol('t') });
    for (const r of [
      { [LEVEL]: 'info', message: 'm', loop, list },
      { [LEVEL]: 'error', message: 'm', err: outer, other: outer },
      { [LEVEL]: 'error', message: 'm', detail: outer },
      { [LEVEL]: 'error', message: 'm', [SPLAT]: [{ a: 1 }, 'text'] },
      { [LEVEL]: 'info', message: 'm', 'otel.event.name': 42, [OTEL_CONTEXT]: null },
      // An own `__proto__` (JSON.parse makes one): upstream's attribute assignment sets the prototype, and so does this.
      JSON.parse('{"message": "m", "__proto__": {"a": 1}, "b": 2}') as Record<string, unknown>,
      JSON.parse('{"message": "m", "__proto__": "text"}') as Record<string, unknown>,
      { [LEVEL]: 'info', message: 'm', 'otel.event.name': 'order.viewed', trace_id: 'x', span_id: 'y', trace_flags: '01' },
    ]) {
      expectSame(r, { info: SeverityNumber.INFO }, undefined);
    }
  });

  it('are what the bundled transport builds: the package’s own conversion is not in the built files', () => {
    const dist = join(__dirname, '..', '..', 'dist');
    const files = ['chunks', 'packages'].flatMap((folder) =>
      readdirSync(join(dist, folder))
        .filter((name) => name.endsWith('.js'))
        .map((name) => readFileSync(join(dist, folder, name), 'utf8')),
    );
    const withTransport = files.filter((code) =>
      code.includes('// node_modules/@opentelemetry/winston-transport/build/src/OpenTelemetryTransportV3.js'),
    );
    expect(withTransport).toHaveLength(1);
    expect(withTransport[0]).toContain('// dist/logging/winston-records.js');
    expect(files.join('\n')).not.toContain('// node_modules/@opentelemetry/winston-transport/build/src/utils.js');
  });
});
