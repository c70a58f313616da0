// Elasticsearch fault injector: a fake bulk endpoint for the faults a real cluster cannot be made to show on
// demand, and nothing else. A 503 on every bulk request for exactly as long as a test wants (a real node answers
// 503 only without an elected master, which a single node cannot be put into and taken out of in test time), and a
// per-document 500 (a shard failure inside an otherwise good bulk response; no request makes a healthy node do it).
// It speaks the part of the API the collector's elasticsearch exporter uses (root info with the product header, the
// bulk API) and records the documents it accepted. It is not Elasticsearch: no mappings, no search, no templates,
// no security, no `require_data_stream`. Everything else runs against the real one (test/harness/elasticsearch.ts);
// collector/README.md lists the tests that still use this and why.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { waitUntilNotified } from './notified';

export interface StoredDocument {
  /** Index or data stream the document was written to. */
  index: string;
  action: 'create' | 'index';
  id: string;
  source: Record<string, unknown>;
}

export interface BulkRequestRecord {
  path: string;
  status: number;
  actions: number;
}

const VERSION = '8.17.0';

export class ElasticsearchFaultInjector {
  readonly documents: StoredDocument[] = [];
  /** Every _bulk request, answered or refused. */
  readonly bulkRequests: BulkRequestRecord[] = [];
  /** Status every _bulk request is answered with until reset to 200 (e.g. 503: cluster unavailable). */
  bulkStatus = 200;
  /** Per-document status for the next N documents (e.g. 429: rejected by a full write queue). */
  private itemFailures: { status: number; remaining: number; indexPrefix: string } | undefined;
  private server: Server | undefined;
  private nextId = 1;
  private readonly listeners = new Set<() => void>();

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.handle(req, Buffer.concat(chunks), res));
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

  /**
   * Answers the next `count` documents with `status` in the bulk response items; with `indexPrefix`, only documents
   * for such indices count (the collector's logs and traces bulk requests arrive in either order).
   */
  failNextDocuments(status: number, count: number, indexPrefix = ''): void {
    this.itemFailures = { status, remaining: count, indexPrefix };
  }

  documentsIn(indexPrefix: string): StoredDocument[] {
    return this.documents.filter((d) => d.index.startsWith(indexPrefix));
  }

  /** Resolves once the predicate holds over the stored documents; rejects with a summary after the timeout. */
  waitFor(predicate: () => boolean, timeoutMillis = 20_000, what = 'documents'): Promise<void> {
    return waitUntilNotified(this.listeners, predicate, timeoutMillis, () => {
      const indices = [...new Set(this.documents.map((d) => d.index))].join(', ');
      return `timed out waiting for ${what}: ${this.documents.length} documents stored (${indices})`;
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, raw: Buffer, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]!;
    // Real clusters send the product header on every response; the exporter's client refuses servers without it.
    res.setHeader('X-Elastic-Product', 'Elasticsearch');
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/') return this.json(res, 200, this.rootInfo());
    if (req.method === 'POST' && /^\/([^/]+\/)?_bulk$/.test(path)) return this.bulk(req, path, raw, res);
    this.json(res, 404, { error: { type: 'not_found', reason: `${req.method} ${path} is not part of the fault injector` } });
  }

  private rootInfo(): Record<string, unknown> {
    return {
      name: 'elasticsearch-fault-injector',
      cluster_name: 'otelkit-e2e',
      cluster_uuid: 'fault-injector-cluster-uuid',
      version: {
        number: VERSION,
        build_flavor: 'default',
        build_type: 'docker',
        lucene_version: '9.12.0',
        minimum_wire_compatibility_version: '7.17.0',
        minimum_index_compatibility_version: '7.0.0',
      },
      tagline: 'You Know, for Search',
    };
  }

  private bulk(req: IncomingMessage, path: string, raw: Buffer, res: ServerResponse): void {
    let body: string;
    try {
      body = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
    } catch (err) {
      return this.json(res, 400, { error: { type: 'parse_exception', reason: String(err) } });
    }
    const lines = body.split('\n').filter((l) => l.trim() !== '');
    if (this.bulkStatus !== 200) {
      this.bulkRequests.push({ path, status: this.bulkStatus, actions: lines.length / 2 });
      return this.json(res, this.bulkStatus, {
        error: { type: 'cluster_block_exception', reason: 'fault injector told to refuse' },
        status: this.bulkStatus,
      });
    }
    const defaultIndex = /^\/([^/]+)\/_bulk$/.exec(path)?.[1];
    const items: Record<string, unknown>[] = [];
    const accepted: StoredDocument[] = [];
    let errors = false;
    for (let i = 0; i < lines.length; i++) {
      const action = JSON.parse(lines[i]!) as Record<string, { _index?: string; _id?: string }>;
      const [kind, meta] = Object.entries(action)[0]!;
      const index = meta._index ?? defaultIndex ?? '';
      if (kind !== 'create' && kind !== 'index') {
        items.push({ [kind]: { _index: index, status: 400, error: { type: 'illegal_argument_exception' } } });
        errors = true;
        if (kind === 'update') i++;
        continue;
      }
      const source = JSON.parse(lines[++i] ?? '{}') as Record<string, unknown>;
      if (this.itemFailures && this.itemFailures.remaining > 0 && index.startsWith(this.itemFailures.indexPrefix)) {
        this.itemFailures.remaining--;
        const status = this.itemFailures.status;
        items.push({
          [kind]: { _index: index, status, error: { type: 'es_rejected_execution_exception', reason: 'fault injector' } },
        });
        errors = true;
        continue;
      }
      const id = meta._id ?? `injected-${this.nextId++}`;
      accepted.push({ index, action: kind, id, source });
      items.push({ [kind]: { _index: index, _id: id, _version: 1, result: 'created', status: 201 } });
    }
    this.bulkRequests.push({ path, status: 200, actions: items.length });
    this.documents.push(...accepted);
    this.json(res, 200, { took: 1, errors, items });
    for (const listener of this.listeners) listener();
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}
