// Frameworks record a handler's exception on an inner span (an express layer) and answer 500: this processor
// copies those exception events onto the request's server span when it ends as an error, so the span a
// backend lists for the request shows why it failed. Errors reported without any inner span (express's router
// error channel, see instrumentations/express-errors.ts) are noted the same way and recorded there.
import { SpanStatusCode, type Context, type TimeInput, type Attributes } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { currentRequestContext } from './request-context';

const EXCEPTION_EVENT = 'exception';
const MAX_PER_REQUEST = 5;

type PendingException =
  { readonly attributes?: Attributes; readonly time: TimeInput } | { readonly error: unknown; readonly time: TimeInput };

// Keyed by the server span object: no lookup depends on async context when the server span ends.
const pending = new WeakMap<object, PendingException[]>();

/** What makes two exceptions the same: NestJS records one exception on its controller span and its handler span. */
function identity(exception: PendingException): string {
  if ('error' in exception) {
    const e = exception.error as { name?: unknown; message?: unknown; stack?: unknown } | undefined;
    return `${String(e?.name)}\n${String(e?.message)}\n${String(e?.stack)}`;
  }
  const a = exception.attributes ?? {};
  return `${String(a['exception.type'])}\n${String(a['exception.message'])}\n${String(a['exception.stacktrace'])}`;
}

function note(server: object, exception: PendingException): void {
  const list = pending.get(server) ?? [];
  if (list.length < MAX_PER_REQUEST && !list.some((e) => identity(e) === identity(exception))) list.push(exception);
  pending.set(server, list);
}

/** An error the current request's handling ran into: recorded on its server span if that ends as an error. */
export function noteRequestError(error: unknown): void {
  const server = currentRequestContext()?.serverSpan;
  if (server) note(server, { error, time: Date.now() });
}

export class ServerSpanExceptionProcessor implements SpanProcessor {
  onStart(_span: Span, _parentContext: Context): void {}

  onEnding(span: Span): void {
    const server = currentRequestContext()?.serverSpan;
    if (server && server !== span) {
      for (const event of span.events) {
        if (event.name === EXCEPTION_EVENT) note(server, { attributes: event.attributes, time: event.time });
      }
      return;
    }
    const list = pending.get(span);
    if (!list) return;
    pending.delete(span);
    const hasOwn = span.events.some((e) => e.name === EXCEPTION_EVENT);
    if (span.status.code === SpanStatusCode.ERROR && !hasOwn) {
      for (const e of list) {
        if ('error' in e) span.recordException(e.error as Error, e.time);
        else span.addEvent(EXCEPTION_EVENT, e.attributes, e.time);
      }
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
