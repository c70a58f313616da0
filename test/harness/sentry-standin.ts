// Stand-in for Sentry's OTLP ingestion endpoint, which no server that runs here implements (Bugsink, the real
// Sentry-protocol server of the error-event tests, takes envelopes only): this HTTP server speaks
// /api/<project>/integration/otlp/v1/{traces,logs}, with Sentry's authentication header
// (`x-sentry-auth: sentry sentry_key=<public key>`). Requests for another project, without the key or with a
// wrong one are answered 401 and counted; metrics are not taken (404), as Sentry takes none over OTLP.
// Accepted protobuf bodies are decoded with the test receiver's decoders into spans and log records.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { collectRecords, type OtlpSignal } from '../../src/dev/otlp-records';
import { OtlpReceiver, type ReceivedLog, type ReceivedSpan } from './otlp-receiver';
import { waitUntilNotified } from './notified';

/** Exposes the test receiver's protobuf decoding without its HTTP server. */
class OtlpDecoder extends OtlpReceiver {
  decodeBody(signal: OtlpSignal, contentType: string, body: Buffer): Record<string, unknown> | undefined {
    return this.decode(signal, contentType, body);
  }
}

export interface SentryRequestRecord {
  path: string;
  status: number;
  headers: IncomingHttpHeaders;
}

export class SentryStandin {
  readonly spans: ReceivedSpan[] = [];
  readonly logs: ReceivedLog[] = [];
  readonly requests: SentryRequestRecord[] = [];
  /** Status every authenticated export is answered with; 200 accepts (e.g. 503 or 429 for an outage). */
  respondWith = 200;
  /** With respondWith 429 or 503: the Retry-After value (seconds) to send. */
  retryAfterSeconds: number | undefined;
  /** Take requests and never answer them (a Sentry that hangs), until this is false again or the server stops. */
  hang = false;
  private server: Server | undefined;
  private readonly decoder = new OtlpDecoder();
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly project: string,
    readonly publicKey: string,
  ) {}

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = (req.url ?? '/').split('?')[0]!;
        if (this.hang) {
          this.requests.push({ path, status: 0, headers: req.headers });
          return;
        }
        const status = this.handle(req.method ?? '', path, req.headers, Buffer.concat(chunks), res);
        this.requests.push({ path, status, headers: req.headers });
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, resolve);
    });
    return this.url;
  }

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** The base URL the collector's OTLP/HTTP exporter is given (it appends /v1/traces and /v1/logs). */
  get otlpEndpoint(): string {
    return `${this.url}/api/${this.project}/integration/otlp`;
  }

  get rejected(): SentryRequestRecord[] {
    return this.requests.filter((r) => r.status === 401);
  }

  waitFor(predicate: () => boolean, timeoutMillis = 20_000, what = 'telemetry'): Promise<void> {
    return waitUntilNotified(this.listeners, predicate, timeoutMillis, () => {
      const counts = `${this.spans.length} spans, ${this.logs.length} logs, ${this.rejected.length} requests refused`;
      return `timed out waiting for ${what}: ${counts}`;
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** `sentry sentry_key=<key>[, sentry_version=…]`: the key must be this project's public key. */
  private authenticated(headers: IncomingHttpHeaders): boolean {
    const header = String(headers['x-sentry-auth'] ?? '');
    const match = /^sentry\s+(.*)$/i.exec(header.trim());
    if (!match) return false;
    const fields = new Map(
      match[1]!.split(',').map((part) => {
        const [k, ...v] = part.trim().split('=');
        return [k!.trim(), v.join('=').trim()] as const;
      }),
    );
    return fields.get('sentry_key') === this.publicKey;
  }

  private handle(method: string, path: string, headers: IncomingHttpHeaders, raw: Buffer, res: ServerResponse): number {
    const route = /^\/api\/([^/]+)\/integration\/otlp\/v1\/(traces|logs|metrics)$/.exec(path);
    if (method !== 'POST' || !route) return this.answer(res, 404, 'not found');
    if (route[1] !== this.project || !this.authenticated(headers)) return this.answer(res, 401, 'invalid sentry_key');
    const signal = route[2] as OtlpSignal;
    if (signal === 'metrics') return this.answer(res, 404, 'metrics are not ingested');
    if (this.respondWith !== 200) {
      if (this.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(this.retryAfterSeconds));
      return this.answer(res, this.respondWith, 'stand-in told to refuse');
    }
    let message: Record<string, unknown> | undefined;
    try {
      const body = headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      message = this.decoder.decodeBody(signal, String(headers['content-type'] ?? ''), body);
    } catch (err) {
      return this.answer(res, 400, String(err));
    }
    if (!message) return this.answer(res, 415, 'unsupported content type');
    collectRecords(signal, message, { spans: this.spans, logs: this.logs, metrics: [] });
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    for (const listener of this.listeners) listener();
    return 200;
  }

  private answer(res: ServerResponse, status: number, text: string): number {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: text }));
    return status;
  }
}
