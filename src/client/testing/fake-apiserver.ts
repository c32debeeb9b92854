/**
 * An in-process HTTP server speaking enough of the Kubernetes REST protocol
 * (get, list, watch with bookmarks and 410 Expired, create, update, merge
 * patch, delete, subresources) to test the client, informers and
 * controllers without the real API server. For tests only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KObject, WatchEventType } from '../../api/meta.js';

interface Parsed {
  gv: string;
  namespace?: string;
  resource: string;
  name?: string;
  sub?: string;
}

interface Stored {
  gv: string;
  resource: string;
  obj: KObject;
}

interface HistoryEvent {
  rv: number;
  type: WatchEventType;
  gv: string;
  resource: string;
  obj: KObject;
}

interface Watcher {
  p: Parsed;
  res: ServerResponse;
  bookmarks: boolean;
  labels?: Record<string, string>;
}

/** A recorded request: method, path with query, parsed JSON body. */
interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  contentType?: string;
}

export class FakeApiServer {
  private readonly objects = new Map<string, Stored>();
  private readonly history: HistoryEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private rv = 100;
  private compacted = 0;
  private uidSeq = 0;
  readonly requests: RecordedRequest[] = [];
  /** Answer the next requests with these statuses first (e.g. 500 to test retries). */
  readonly failNext: number[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeApiServer> {
    // No request can arrive before `self` is set: listening resolves first.
    const server = createServer((req, res) => void self.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const self = new FakeApiServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  async close(): Promise<void> {
    this.dropWatches();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Create or replace an object as a write through the API would (new resourceVersion, watch event). */
  put(gv: string, resource: string, obj: KObject): KObject {
    const key = this.key(gv, resource, obj.metadata.namespace, obj.metadata.name!);
    const old = this.objects.get(key);
    const next = structuredClone(obj);
    next.metadata.resourceVersion = String(++this.rv);
    next.metadata.uid ??= old?.obj.metadata.uid ?? `uid-${++this.uidSeq}`;
    next.metadata.creationTimestamp ??= old?.obj.metadata.creationTimestamp ?? '2024-01-01T00:00:00Z';
    this.objects.set(key, { gv, resource, obj: next });
    this.record(old ? 'MODIFIED' : 'ADDED', gv, resource, next);
    return next;
  }

  /** Delete an object (watchers see DELETED). */
  remove(gv: string, resource: string, namespace: string | undefined, name: string): void {
    const key = this.key(gv, resource, namespace, name);
    const old = this.objects.get(key);
    if (!old) return;
    this.objects.delete(key);
    const gone = structuredClone(old.obj);
    gone.metadata.resourceVersion = String(++this.rv);
    this.record('DELETED', gv, resource, gone);
  }

  getObject(gv: string, resource: string, namespace: string | undefined, name: string): KObject | undefined {
    return this.objects.get(this.key(gv, resource, namespace, name))?.obj;
  }

  listObjects(gv: string, resource: string): KObject[] {
    return [...this.objects.values()].filter((s) => s.gv === gv && s.resource === resource).map((s) => s.obj);
  }

  /** Forget all history: watches from older versions get 410 Expired. */
  compact(): void {
    this.compacted = this.rv;
    this.history.length = 0;
  }

  /** Cut every open watch connection (as a network failure would). */
  dropWatches(): void {
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
  }

  /** Send a BOOKMARK at the current version to watchers that asked for bookmarks. */
  bookmark(): void {
    for (const w of this.watchers) {
      if (w.bookmarks)
        this.send(w.res, 'BOOKMARK', {
          kind: 'Bookmark',
          apiVersion: 'v1',
          metadata: { resourceVersion: String(this.rv) },
        });
    }
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  private key(gv: string, resource: string, namespace: string | undefined, name: string): string {
    return `${gv}|${resource}|${namespace ?? ''}|${name}`;
  }

  private record(type: WatchEventType, gv: string, resource: string, obj: KObject): void {
    const ev = { rv: this.rv, type, gv, resource, obj };
    this.history.push(ev);
    for (const w of this.watchers) if (this.matches(w.p, ev, w.labels)) this.send(w.res, type, obj);
  }

  private matches(
    p: Parsed,
    ev: { gv: string; resource: string; obj: KObject },
    labels?: Record<string, string>,
  ): boolean {
    if (ev.gv !== p.gv || ev.resource !== p.resource) return false;
    if (p.namespace && ev.obj.metadata.namespace !== p.namespace) return false;
    return !labels || Object.entries(labels).every(([k, v]) => ev.obj.metadata.labels?.[k] === v);
  }

  private send(res: ServerResponse, type: WatchEventType, object: unknown): void {
    res.write(JSON.stringify({ type, object }) + '\n');
  }

  private status(res: ServerResponse, code: number, reason: string, message: string): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const c of req) text += c;
    const body = text ? JSON.parse(text) : undefined;
    this.requests.push({ method: req.method!, path: req.url!, body, contentType: req.headers['content-type'] });
    const fail = this.failNext.shift();
    if (fail) return this.status(res, fail, 'InternalError', 'injected failure');
    const url = new URL(req.url!, 'http://x');
    const p = parsePath(url.pathname);
    if (!p) return this.status(res, 404, 'NotFound', 'the server could not find the requested resource');
    const q = url.searchParams;
    const labels = q.get('labelSelector')
      ? Object.fromEntries(
          q
            .get('labelSelector')!
            .split(',')
            .map((kv) => kv.split('=')),
        )
      : undefined;
    const json = (code: number, o: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(o));
    };
    const key = (name: string) => this.key(p.gv, p.resource, p.namespace, name);
    const gr = p.resource;

    if (req.method === 'GET' && !p.name && q.get('watch')) {
      const from = Number(q.get('resourceVersion') || 0);
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.flushHeaders();
      if (from && from < this.compacted) {
        this.send(res, 'ERROR', {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `too old resource version: ${from} (${this.compacted})`,
          reason: 'Expired',
          code: 410,
        });
        return void res.end();
      }
      const w: Watcher = { p, res, bookmarks: q.get('allowWatchBookmarks') === 'true', labels };
      if (from)
        for (const ev of this.history) if (ev.rv > from && this.matches(p, ev, labels)) this.send(res, ev.type, ev.obj);
      this.watchers.add(w);
      res.on('close', () => this.watchers.delete(w));
      return;
    }
    if (req.method === 'GET' && !p.name) {
      const items = [...this.objects.values()].filter((s) => this.matches(p, s, labels)).map((s) => s.obj);
      return json(200, { apiVersion: p.gv, kind: 'List', metadata: { resourceVersion: String(this.rv) }, items });
    }
    if (req.method === 'POST' && !p.name) {
      const obj = body as KObject;
      obj.metadata.namespace = p.namespace;
      if (!obj.metadata.name && obj.metadata.generateName)
        obj.metadata.name = `${obj.metadata.generateName}${(++this.uidSeq).toString(36).padStart(5, 'x')}`;
      if (this.objects.has(key(obj.metadata.name!)))
        return this.status(res, 409, 'AlreadyExists', `${gr} "${obj.metadata.name}" already exists`);
      return json(201, this.put(p.gv, p.resource, obj));
    }
    if (!p.name) return this.status(res, 405, 'MethodNotAllowed', 'not allowed');
    const cur = this.objects.get(key(p.name));
    if (req.method === 'POST' && p.sub) return json(201, body);
    if (!cur) return this.status(res, 404, 'NotFound', `${gr} "${p.name}" not found`);
    switch (req.method) {
      case 'GET':
        return json(200, cur.obj);
      case 'PUT': {
        const obj = body as KObject;
        if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== cur.obj.metadata.resourceVersion) {
          return this.status(
            res,
            409,
            'Conflict',
            `Operation cannot be fulfilled on ${gr} "${p.name}": the object has been modified; please apply your changes to the latest version and try again`,
          );
        }
        return json(200, this.put(p.gv, p.resource, { ...obj, metadata: { ...obj.metadata, namespace: p.namespace } }));
      }
      case 'PATCH':
        return json(200, this.put(p.gv, p.resource, mergePatch(cur.obj, body) as KObject));
      case 'DELETE':
        this.remove(p.gv, p.resource, p.namespace, p.name);
        return json(200, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Success',
          details: { name: p.name, kind: gr },
        });
    }
    return this.status(res, 405, 'MethodNotAllowed', 'not allowed');
  }
}

function parsePath(path: string): Parsed | undefined {
  const s = path.split('/').filter(Boolean).map(decodeURIComponent);
  let gv: string;
  let rest: string[];
  if (s[0] === 'api' && s[1]) [gv, rest] = [s[1], s.slice(2)];
  else if (s[0] === 'apis' && s[1] && s[2]) [gv, rest] = [`${s[1]}/${s[2]}`, s.slice(3)];
  else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) [namespace, rest] = [rest[1], rest.slice(2)];
  if (!rest[0]) return undefined;
  return { gv, namespace, resource: rest[0], name: rest[1], sub: rest[2] };
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
