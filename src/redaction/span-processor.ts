// A span processor that runs before export: masks sensitive attribute values (query strings included).
import type { AttributeValue, Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Redactor } from './redact';

// Attributes that carry a query string (stable and older HTTP semantic conventions).
const URL_ATTRIBUTES = new Set(['url.query', 'url.full', 'http.target', 'http.url']);

export class RedactingSpanProcessor implements SpanProcessor {
  constructor(private readonly redactor: Redactor) {}

  onStart(_span: Span, _parentContext: Context): void {}

  onEnding(span: Span): void {
    const attributes = span.attributes;
    // for-in, not Object.entries: no array per attribute, on every span.
    for (const key in attributes) {
      const value = attributes[key];
      let redacted = this.redactor.redactValue(key, value);
      if (typeof redacted === 'string' && URL_ATTRIBUTES.has(key)) redacted = this.redactor.redactQuery(redacted);
      if (redacted !== value) span.setAttribute(key, redacted as AttributeValue);
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
