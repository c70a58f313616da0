// A local OTLP/HTTP receiver: the embedded default behind the demo (and the dev receiver), and the base of the
// test receiver. Speaks OTLP/JSON; a subclass may add decoders for other content types.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import {
  collectRecords,
  type OtlpRecords,
  type OtlpSignal,
  type ReceivedLog,
  type ReceivedMetric,
  type ReceivedSpan,
} from './otlp-records';

export interface ReceivedRequest {
  readonly signal: OtlpSignal;
  readonly contentType: string;
  readonly encoding: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

export class OtlpHttpReceiver implements OtlpRecords {
  readonly spans: ReceivedSpan[] = [];
  readonly logs: ReceivedLog[] = [];
  readonly metrics: ReceivedMetric[] = [];
  readonly requests: ReceivedRequest[] = [];
  /** HTTP status to answer every export with; 200 accepts. */
  respondWith = 200;
  private server: Server | undefined;
  private baseUrl = '';
  private readonly listeners = new Set<(signal: OtlpSignal) => void>();

  /** Answers an export while `respondWith` is not 200; a subclass may add headers or hold the answer. */
  protected refuse(res: ServerResponse): void {
    res.writeHead(this.respondWith).end();
  }

  /** Decodes one request body into the OTLP/JSON shape; undefined means "content type not supported". */
  protected decode(_signal: OtlpSignal, contentType: string, body: Buffer): Record<string, unknown> | undefined {
    return contentType.includes('json') ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : undefined;
  }

  /** Called after the records of each accepted request were added. */
  onExport(listener: (signal: OtlpSignal) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      });
      req.on('end', () => {
        const signal = /\/v1\/(traces|metrics|logs)$/.exec(req.url ?? '')?.[1] as OtlpSignal | undefined;
        if (!signal || req.method !== 'POST') return void res.writeHead(404).end();
        if (size > MAX_BODY_BYTES) return void res.writeHead(413).end();
        if (this.respondWith !== 200) return void this.refuse(res);
        this.accept(signal, req.headers, Buffer.concat(chunks), res);
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, resolve);
    });
    this.baseUrl = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  private accept(signal: OtlpSignal, headers: IncomingHttpHeaders, raw: Buffer, res: ServerResponse): void {
    const contentType = String(headers['content-type'] ?? '');
    const encoding = String(headers['content-encoding'] ?? '');
    let message: Record<string, unknown> | undefined;
    let body = raw;
    try {
      if (encoding === 'gzip') body = gunzipSync(raw);
      message = this.decode(signal, contentType, body);
    } catch (err) {
      return void res.writeHead(400).end(String(err));
    }
    if (!message) return void res.writeHead(415).end('send OTLP/JSON: OTEL_EXPORTER_OTLP_PROTOCOL=http/json\n');
    this.requests.push({ signal, contentType, encoding, headers, body });
    collectRecords(signal, message, this);
    const json = contentType.includes('json');
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : undefined);
    for (const listener of this.listeners) listener(signal);
  }

  /** Kept after stop(), so a test can point an app at a port where nothing listens any more. */
  get url(): string {
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
