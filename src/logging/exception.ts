// The exception fields of a log record: type, message and a stack trace that follows the `cause` chain.
import { safeRead, truncate } from './serialize';

export interface ExceptionFields {
  exception_type: string;
  exception_message: string;
  stack_trace: string;
}

const MAX_CAUSES = 5;

function typeOf(err: unknown): string {
  if (err instanceof Error) return safeRead(() => err.name) || safeRead(() => err.constructor.name) || 'Error';
  return typeof err;
}

function stackOf(err: unknown): string {
  if (err instanceof Error) return String(safeRead(() => err.stack) ?? `${typeOf(err)}: ${safeRead(() => err.message)}`);
  return safeRead(() => String(err)) ?? '[unprintable]';
}

export function exceptionFields(err: unknown, maxLength: number): ExceptionFields {
  const parts = [stackOf(err)];
  const seen = new Set<unknown>([err]);
  let cause = err instanceof Error ? safeRead(() => err.cause) : undefined;
  for (let i = 0; i < MAX_CAUSES && cause !== undefined && !seen.has(cause); i++) {
    seen.add(cause);
    parts.push(`Caused by: ${stackOf(cause)}`);
    cause = cause instanceof Error ? safeRead(() => (cause instanceof Error ? cause.cause : undefined)) : undefined;
  }
  const message = err instanceof Error ? safeRead(() => err.message) : safeRead(() => String(err));
  // Each stack in the chain gets an equal share of the limit, so a long top stack never hides the
  // "Caused by:" lines that usually say what went wrong.
  const share = Math.floor((maxLength * 4) / parts.length);
  return {
    exception_type: typeOf(err),
    exception_message: truncate(String(message ?? ''), maxLength),
    stack_trace: parts.map((part) => truncate(part, share)).join('\n'),
  };
}
