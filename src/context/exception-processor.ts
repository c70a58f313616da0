// Frameworks record a handler's exception on an inner span (an express layer) and answer 500: this processor
// copies those exception events onto the request's server span when it ends as an error, so the span a
// backend lists for the request shows why it failed.
import { SpanStatusCode, type Context, type TimeInput, type Attributes } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { currentRequestContext } from './request-context';

const EXCEPTION_EVENT = 'exception';
const MAX_PER_REQUEST = 5;

interface PendingException {
  readonly attributes?: Attributes;
  readonly time: TimeInput;
}

export class ServerSpanExceptionProcessor implements SpanProcessor {
  // Keyed by the server span object: no lookup depends on async context when the server span ends.
  private readonly pending = new WeakMap<object, PendingException[]>();

  onStart(_span: Span, _parentContext: Context): void {}

  onEnding(span: Span): void {
    const server = currentRequestContext()?.serverSpan;
    if (server && server !== span) {
      for (const event of span.events) {
        if (event.name !== EXCEPTION_EVENT) continue;
        const list = this.pending.get(server) ?? [];
        if (list.length < MAX_PER_REQUEST) list.push({ attributes: event.attributes, time: event.time });
        this.pending.set(server, list);
      }
      return;
    }
    const list = this.pending.get(span);
    if (!list) return;
    this.pending.delete(span);
    const hasOwn = span.events.some((e) => e.name === EXCEPTION_EVENT);
    if (span.status.code === SpanStatusCode.ERROR && !hasOwn) {
      for (const e of list) span.addEvent(EXCEPTION_EVENT, e.attributes, e.time);
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
