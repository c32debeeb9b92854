/**
 * A small typed Kubernetes REST client: the only way podnet components talk
 * to the API server. It speaks JSON over HTTP(S) with keep-alive, a bearer
 * token and a pinned CA, and works as well against a real cluster.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { KList, KObject } from '../api/meta.js';
import type { Status } from '../api/errors.js';
import { apiErrorFromResponse } from './api-error.js';
import { ExecCredentials } from './exec-credential.js';
import { loadKubeconfig, type ClientConfig } from './kubeconfig.js';
import { resourcePath, withQuery, type ResourceRef } from './resource-path.js';
import { watchStream, type WatchStream } from './watch-stream.js';
import { mayFailOver, serverList, trimUrl, withLearned } from './failover.js';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  /** "0" lets the server answer from its cache; "" or undefined: a consistent read. */
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Start after this version; undefined: the server sends the current state as ADDED events first. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** Server-side end of the watch, in seconds. */
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

export interface PatchOptions extends WriteOptions {
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
  /** e.g. "status" */
  subresource?: string;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface KubeClientOptions extends ClientConfig {
  /** Sent as User-Agent; kube logs it in audit and events. */
  userAgent?: string;
  /** Per-request timeout for non-watch calls (default 30 s). */
  requestTimeoutMs?: number;
}

const patchContentType: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

interface RawResponse {
  status: number;
  body: string;
}

export class KubeClient {
  readonly server: string;
  /** Every API server this client may use, the configured server first (failover.ts), then learned ones. */
  private bases: URL[];
  /** The servers the options name; learnServers() adds to these, never removes them. */
  private readonly configured: string[];
  /** Index in bases of the server requests go to; moves on when that server cannot be reached. */
  private current = 0;
  private agent: http.Agent;
  private readonly headers: Record<string, string>;
  private readonly exec: ExecCredentials | undefined;
  /** The client certificate the agent presents (an exec plugin may hand out a new one). */
  private agentCert: string | undefined;
  private readonly timeoutMs: number;

  /** Connection settings; see loadKubeconfig for reading them from a file. */
  constructor(readonly options: KubeClientOptions) {
    this.server = options.server.replace(/\/+$/, '');
    this.configured = serverList(this.server, options.servers);
    this.bases = this.configured.map((u) => new URL(u));
    this.agent = this.newAgent(options.clientCertPem, options.clientKeyPem);
    this.agentCert = options.clientCertPem;
    this.exec = options.exec
      ? new ExecCredentials(options.exec, { server: this.server, caCertPem: options.caCertPem })
      : undefined;
    this.headers = { accept: 'application/json', 'user-agent': options.userAgent ?? 'podnet' };
    if (options.token) this.headers.authorization = `Bearer ${options.token}`;
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  /** The API server requests go to now (another of options.servers after a failover). */
  get activeServer(): string {
    return trimUrl(this.bases[this.current]!.href);
  }

  /** Every API server this client may use now, in the order it tries them. */
  get servers(): string[] {
    return this.bases.map((b) => trimUrl(b.href));
  }

  /**
   * The API servers the cluster says are live (apiserver-discovery.ts): used
   * after the configured ones; a learned server that is no longer listed is
   * dropped. The server requests go to now stays current while it is listed.
   */
  learnServers(urls: readonly string[]): void {
    const active = this.activeServer;
    const next = [...new Set(withLearned(this.configured, urls).map((u) => trimUrl(new URL(u).href)))];
    if (next.join(' ') === this.servers.join(' ')) return;
    this.bases = next.map((u) => new URL(u));
    this.current = Math.max(0, next.indexOf(active));
  }

  /** A client from a kubeconfig file (current context unless named). */
  static fromKubeconfig(path: string, opts: { context?: string; userAgent?: string } = {}): KubeClient {
    return new KubeClient({ ...loadKubeconfig(path, opts.context), userAgent: opts.userAgent });
  }

  async get<T extends KObject = KObject>(res: ResourceRef, namespace: string | undefined, name: string): Promise<T> {
    return this.json<T>('GET', resourcePath(res, namespace, name));
  }

  /** One page (or all, without limit). namespace undefined on a namespaced resource lists all namespaces. */
  async list<T extends KObject = KObject>(
    res: ResourceRef,
    namespace?: string,
    opts: ListOptions = {},
  ): Promise<KList<T>> {
    return this.json<KList<T>>('GET', withQuery(resourcePath(res, namespace), { ...opts }));
  }

  /** Every page of a list, following continue tokens; the resourceVersion is the first page's. */
  async listAll<T extends KObject = KObject>(
    res: ResourceRef,
    namespace?: string,
    opts: Omit<ListOptions, 'continue'> = {},
  ): Promise<KList<T>> {
    const first = await this.list<T>(res, namespace, opts);
    const items = [...first.items];
    let cont = first.metadata.continue;
    while (cont) {
      const page = await this.list<T>(res, namespace, { ...opts, resourceVersion: undefined, continue: cont });
      items.push(...page.items);
      cont = page.metadata.continue;
    }
    return { ...first, metadata: { resourceVersion: first.metadata.resourceVersion }, items };
  }

  async create<T extends KObject = KObject>(
    res: ResourceRef,
    namespace: string | undefined,
    obj: KObject,
    opts: WriteOptions = {},
  ): Promise<T> {
    return this.json<T>('POST', withQuery(resourcePath(res, namespace), writeQuery(opts)), obj);
  }

  /** PUT of the whole object; metadata.resourceVersion (when set) makes it a compare-and-swap. */
  async update<T extends KObject = KObject>(
    res: ResourceRef,
    namespace: string | undefined,
    obj: KObject,
    opts: WriteOptions = {},
  ): Promise<T> {
    return this.json<T>('PUT', withQuery(resourcePath(res, namespace, nameOf(obj)), writeQuery(opts)), obj);
  }

  /** PUT to the status subresource. */
  async updateStatus<T extends KObject = KObject>(
    res: ResourceRef,
    namespace: string | undefined,
    obj: KObject,
    opts: WriteOptions = {},
  ): Promise<T> {
    return this.json<T>('PUT', withQuery(resourcePath(res, namespace, nameOf(obj), 'status'), writeQuery(opts)), obj);
  }

  /** PATCH; `apply` is server-side apply and needs opts.fieldManager. */
  async patch<T extends KObject = KObject>(
    res: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts: PatchOptions = {},
  ): Promise<T> {
    if (type === 'apply' && !opts.fieldManager) throw new Error('server-side apply needs a fieldManager');
    const q = { ...writeQuery(opts), force: opts.force ? 'true' : undefined };
    return this.json<T>(
      'PATCH',
      withQuery(resourcePath(res, namespace, name, opts.subresource), q),
      patch,
      patchContentType[type],
    );
  }

  /**
   * DELETE one object. Resolves with the object when it still exists
   * (graceful deletion, finalizers) or the Success Status when it is gone.
   */
  async delete(
    res: ResourceRef,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<KObject | Status> {
    const body = { apiVersion: 'v1', kind: 'DeleteOptions', ...opts, dryRun: opts.dryRun ? ['All'] : undefined };
    return this.json<KObject | Status>('DELETE', resourcePath(res, namespace, name), body);
  }

  /** POST to a subresource, e.g. pods/NAME/binding. */
  async createSubresource<T = KObject>(
    res: ResourceRef,
    namespace: string | undefined,
    name: string,
    subresource: string,
    body: unknown,
  ): Promise<T> {
    return this.json<T>('POST', resourcePath(res, namespace, name, subresource), body);
  }

  /** PUT to a subresource, e.g. namespaces/NAME/finalize. */
  async updateSubresource<T = KObject>(
    res: ResourceRef,
    namespace: string | undefined,
    name: string,
    subresource: string,
    body: unknown,
  ): Promise<T> {
    return this.json<T>('PUT', resourcePath(res, namespace, name, subresource), body);
  }

  /**
   * Opens a watch. Resolves once the server accepted it (rejects with
   * ApiError otherwise, e.g. 410 Expired); iterate the stream for events.
   */
  async watch<T extends KObject = KObject>(
    res: ResourceRef,
    namespace: string | undefined,
    opts: WatchOptions = {},
  ): Promise<WatchStream<T>> {
    const path = withQuery(resourcePath(res, namespace), {
      watch: 'true',
      ...opts,
      allowWatchBookmarks: opts.allowWatchBookmarks ? 'true' : undefined,
    });
    const { req, res: resp } = await this.open('GET', path);
    if (resp.statusCode! < 200 || resp.statusCode! >= 300) {
      const body = await readBody(resp);
      throw apiErrorFromResponse(resp.statusCode!, body);
    }
    return watchStream<T>(req, resp);
  }

  /**
   * Callback form of watch: events in order; onClose(err) once at the end
   * (err undefined for a normal end or close()). Returns a close function.
   */
  async watchWith<T extends KObject = KObject>(
    res: ResourceRef,
    namespace: string | undefined,
    opts: WatchOptions,
    handlers: { onEvent(ev: import('../api/meta.js').WatchEvent<T>): void; onClose?(err?: Error): void },
  ): Promise<() => void> {
    const stream = await this.watch<T>(res, namespace, opts);
    void (async () => {
      try {
        for await (const ev of stream) handlers.onEvent(ev);
        handlers.onClose?.();
      } catch (e) {
        handlers.onClose?.(e as Error);
      }
    })();
    return () => stream.close();
  }

  /** Any request; returns the parsed JSON body, throws ApiError on non-2xx. */
  async json<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const r = await this.raw(method, path, body === undefined ? undefined : JSON.stringify(body), contentType);
    if (r.status < 200 || r.status >= 300) throw apiErrorFromResponse(r.status, r.body);
    return (r.body ? JSON.parse(r.body) : undefined) as T;
  }

  /** Any request; returns status and body text without interpreting them. */
  async raw(method: string, path: string, body?: string, contentType = 'application/json'): Promise<RawResponse> {
    const { res } = await this.open(method, path, body, contentType, this.timeoutMs);
    if (res.statusCode === 401 && this.exec) {
      // The plugin's credential was refused before it expired (revoked, rotated): run it once more.
      res.resume();
      this.exec.invalidate();
      const again = await this.open(method, path, body, contentType, this.timeoutMs);
      return { status: again.res.statusCode!, body: await readBody(again.res) };
    }
    return { status: res.statusCode!, body: await readBody(res) };
  }

  private newAgent(cert: string | undefined, key: string | undefined): http.Agent {
    return this.bases[0]!.protocol === 'https:'
      ? new https.Agent({
          keepAlive: true,
          ca: this.options.caCertPem,
          cert,
          key,
          rejectUnauthorized: !this.options.insecureSkipTlsVerify,
        })
      : new http.Agent({ keepAlive: true });
  }

  /** The exec plugin's credential into the headers and the TLS agent. */
  private async credentials(headers: Record<string, string>): Promise<void> {
    const c = await this.exec!.get();
    if (c.token) headers.authorization = `Bearer ${c.token}`;
    if (c.clientCertPem && c.clientCertPem !== this.agentCert) {
      this.agent.destroy();
      this.agent = this.newAgent(c.clientCertPem, c.clientKeyPem);
      this.agentCert = c.clientCertPem;
    }
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private open(
    method: string,
    path: string,
    body?: string,
    contentType?: string,
    timeoutMs?: number,
  ): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
    const headers: Record<string, string> = { ...this.headers };
    // Only clients with an exec plugin wait for a credential first.
    if (this.exec)
      return this.credentials(headers).then(() => this.send(headers, method, path, body, contentType, timeoutMs));
    return this.send(headers, method, path, body, contentType, timeoutMs);
  }

  /**
   * Sends to the current server; when it cannot be reached, to the next
   * ones in turn (each at most once), keeping the one that answers.
   */
  private async send(
    headers: Record<string, string>,
    method: string,
    path: string,
    body?: string,
    contentType?: string,
    timeoutMs?: number,
  ): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
    if (body !== undefined) {
      headers['content-type'] = contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const first = this.current;
    for (let tried = 1; ; tried++) {
      const index = this.current;
      try {
        return await this.sendTo(this.bases[index]!, headers, method, path, body, timeoutMs);
      } catch (e) {
        const cause = (e as Error).cause;
        if (tried >= this.bases.length || !mayFailOver(method, cause)) throw e;
        // Another request may have moved on already; move only from the server that failed.
        if (this.current === index) this.current = (index + 1) % this.bases.length;
        if (this.current === first) throw e;
      }
    }
  }

  private sendTo(
    base: URL,
    headers: Record<string, string>,
    method: string,
    path: string,
    body?: string,
    timeoutMs?: number,
  ): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
    const basePath = base.pathname.replace(/\/+$/, '');
    const opts: http.RequestOptions = {
      method,
      agent: this.agent,
      headers,
      hostname: base.hostname.replace(/^\[|\]$/g, ''),
      port: base.port || undefined,
      path: basePath + path,
    };
    const server = base.href.replace(/\/+$/, '');
    return new Promise((resolve, reject) => {
      const req = (base.protocol === 'https:' ? https : http).request(opts, (res) => resolve({ req, res }));
      req.on('error', (e) => reject(new Error(`cannot reach the API server at ${server}: ${e.message}`, { cause: e })));
      if (timeoutMs) {
        req.setTimeout(timeoutMs, () =>
          req.destroy(new Error(`no answer within ${timeoutMs} ms to ${method} ${path}`)),
        );
      }
      req.end(body);
    });
  }
}

function writeQuery(o: WriteOptions): Record<string, string | undefined> {
  return { dryRun: o.dryRun ? 'All' : undefined, fieldManager: o.fieldManager, fieldValidation: o.fieldValidation };
}

function nameOf(obj: KObject): string {
  const n = obj.metadata?.name;
  if (!n) throw new Error(`${obj.kind} has no metadata.name; cannot address it`);
  return n;
}

async function readBody(res: http.IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  let s = '';
  for await (const chunk of res as AsyncIterable<string>) s += chunk;
  return s;
}
