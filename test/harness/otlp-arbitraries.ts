// What the OTLP encoding tests (spans, log records) generate alike: strings, numbers at the edges of the int64 and
// double encodings, ids, and two resources (one with a list and an integer attribute, one with non-ASCII text).
import fc from 'fast-check';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';

export const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ minLength: 130, maxLength: 300 }),
);

export const number = fc.oneof(
  fc.integer(),
  fc.integer({ min: 0, max: 2 ** 40 }),
  fc.constantFrom(2 ** 32, 2 ** 53, -(2 ** 53), 2 ** 63, -(2 ** 63), -1, 0, -0),
  fc.double({ noNaN: false }),
);

/** A lower-case hex id of `length` digits, never all zeros (an invalid id). */
export const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`)).filter((id) => !/^0+$/.test(id));

export const resources = (): Resource[] => [
  resourceFromAttributes({ 'service.name': 'orders', 'process.command_args': ['node', 'app.js'], 'host.cores': 2 }),
  resourceFromAttributes({ 'service.name': 'ünïcode-svc', 'deployment.environment.name': 'prod' }),
];
