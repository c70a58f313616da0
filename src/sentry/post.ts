// One HTTP POST of a Sentry envelope with node:http(s); shared by the client's transport and `otelkit sentry-test`.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface SentryResponse {
  readonly statusCode?: number;
  readonly headers: { 'x-sentry-rate-limits': string | null; 'retry-after': string | null };
  /** The answer's text (bounded): Sentry says there why it refused an envelope. */
  readonly body: string;
}

const MAX_BODY = 4096;

/** One POST of an envelope; rejects on network errors and after `timeoutMillis` without an answer. */
export function postEnvelope(
  url: string,
  body: string | Uint8Array,
  headers: Record<string, string>,
  timeoutMillis: number,
): Promise<SentryResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    // agent: false: one connection per envelope, closed after it, so no idle socket outlives a flush.
    const req = send(target, {
      method: 'POST',
      agent: false,
      timeout: timeoutMillis,
      headers: { ...headers, 'content-type': 'application/x-sentry-envelope', 'content-length': String(Buffer.byteLength(body)) },
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMillis} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < MAX_BODY) text += chunk;
      });
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          statusCode: res.statusCode,
          headers: {
            'x-sentry-rate-limits': headerText(res.headers['x-sentry-rate-limits']),
            'retry-after': headerText(res.headers['retry-after']),
          },
          body: text.slice(0, MAX_BODY),
        }),
      );
    });
    req.end(body);
  });
}

function headerText(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(',') : value;
}
