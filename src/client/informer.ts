/**
 * An informer: lists a resource, then watches from the list's
 * resourceVersion, keeping an indexed cache and telling handlers what
 * changed. On 410 Expired it relists and emits the difference, so a
 * consumer never misses a deletion; on network errors it reconnects with
 * backoff. The shape of client-go's shared informer, minus the sharing.
 */
import type { KObject, WatchEvent } from '../api/meta.js';
import { apiErrorFromStatus, isExpired } from './api-error.js';
import type { KubeClient } from './client.js';
import type { ResourceRef } from './resource-path.js';
import type { WatchStream } from './watch-stream.js';

export interface InformerHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** obj is the last state the informer knew. */
  onDelete?(obj: T): void;
}

/** An index function: the index values of one object (e.g. pods by spec.nodeName). */
export type IndexFunc<T> = (obj: T) => string[];

export interface InformerOptions<T> {
  /** Only this namespace (default: all namespaces). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  indexers?: Record<string, IndexFunc<T>>;
  /** Backoff after a failed list/watch: starts here (default 250 ms), doubles up to maxBackoffMs (default 30 s). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Called with errors the informer recovers from (default: ignored). */
  onError?(err: unknown): void;
  /**
   * Applied to every object as it arrives, before it is cached or handed
   * out (client-go's SetTransform): a consumer that reads a few fields of
   * many objects keeps only those. Must keep metadata.name, namespace, uid
   * and resourceVersion.
   */
  transform?(obj: T): T;
  /** List in pages of this many (limit/continue) so a large list is never held whole; default: one request. */
  pageSize?: number;
  /**
   * The map to cache objects in, by key (default: a new one). A consumer
   * that keeps its own table of the same objects by the same key passes
   * it here, so a large cache is held once. The informer writes it before
   * calling handlers; the consumer may only repeat those writes (set the
   * same object, delete the same key), as it does when fed without one.
   */
  store?: Map<string, T>;
  /**
   * The cache key of an object (default: keyOf, "namespace/name"). A
   * transform that already holds the key string returns it here, so each
   * cached object costs one key string, not two.
   */
  key?(obj: T): string;
}

/** The cache key of an object: "namespace/name", or "name" for cluster-scoped objects. */
export function keyOf(obj: KObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name}` : `${name}`;
}

/** Splits a cache key back into namespace (undefined when cluster-scoped) and name. */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export class Informer<T extends KObject = KObject> {
  private readonly items: Map<string, T>;
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private synced = false;
  private stopped = true;
  private stream: WatchStream<T> | undefined;
  private lastRv = '';
  private loop: Promise<void> | undefined;
  private syncWaiters: (() => void)[] = [];
  private wake: (() => void) | undefined;

  constructor(
    private readonly client: KubeClient,
    readonly resource: ResourceRef,
    private readonly opts: InformerOptions<T> = {},
  ) {
    this.items = opts.store ?? new Map<string, T>();
    for (const name of Object.keys(opts.indexers ?? {})) this.indices.set(name, new Map());
  }

  /** Handlers added after the first sync receive an onAdd for every cached object first. */
  addHandlers(h: InformerHandlers<T>): void {
    this.handlers.push(h);
    if (this.synced) for (const o of this.items.values()) h.onAdd?.(o);
  }

  /** Starts list+watch in the background; idempotent. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Stops watching; the cache stays readable. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stream?.close();
    this.wake?.();
    await this.loop;
  }

  /** True once the first list is in the cache. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves when the first list is in the cache. */
  waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((r) => this.syncWaiters.push(r));
  }

  /** The object with this key ("ns/name" or "name"). */
  get(key: string): T | undefined {
    return this.items.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  list(namespace?: string): T[] {
    const all = [...this.items.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  /** Objects whose index function returned `value` for index `indexName`. */
  byIndex(indexName: string, value: string): T[] {
    const idx = this.indices.get(indexName);
    if (!idx) throw new Error(`informer for ${this.resource.resource} has no index "${indexName}"`);
    return [...(idx.get(value) ?? [])].map((k) => this.items.get(k)!).filter(Boolean);
  }

  /** The resourceVersion the cache is at. */
  get resourceVersion(): string {
    return this.lastRv;
  }

  private async run(): Promise<void> {
    let backoff = this.opts.minBackoffMs ?? 250;
    const maxBackoff = this.opts.maxBackoffMs ?? 30_000;
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        const started = Date.now();
        const progressed = await this.watchOnce();
        // A watch that delivered events or lived a while ended normally (server timeout): reconnect at once.
        if (progressed || Date.now() - started > 1000) {
          backoff = this.opts.minBackoffMs ?? 250;
          continue;
        }
      } catch (e) {
        if (this.stopped) break;
        if (isExpired(e)) {
          needList = true; // our resourceVersion is compacted away: start over from a fresh list
          continue;
        }
        this.opts.onError?.(e);
      }
      await this.sleep(backoff + Math.random() * backoff * 0.2);
      backoff = Math.min(maxBackoff, backoff * 2);
    }
  }

  /** List everything and bring the cache (and the handlers) to exactly that state. */
  private async relist(): Promise<void> {
    const { items, resourceVersion } = await this.listTransformed();
    if (this.stopped) return;
    const seen = new Set<string>();
    for (const item of items) {
      const key = this.keyFor(item);
      seen.add(key);
      this.apply('ADDED', item, false);
    }
    for (const [key, old] of [...this.items]) if (!seen.has(key)) this.apply('DELETED', old, false);
    this.lastRv = resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  /** Every object, transformed page by page (pages of opts.pageSize at the list's resourceVersion). */
  private async listTransformed(): Promise<{ items: T[]; resourceVersion: string }> {
    const sel = { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector };
    const t = this.opts.transform?.bind(this.opts);
    if (!this.opts.pageSize) {
      const list = await this.client.listAll<T>(this.resource, this.opts.namespace, sel);
      return { items: t ? list.items.map(t) : list.items, resourceVersion: list.metadata.resourceVersion ?? '' };
    }
    const items: T[] = [];
    let resourceVersion = '';
    let cont: string | undefined;
    do {
      const page = await this.client.list<T>(this.resource, this.opts.namespace, {
        ...sel,
        limit: this.opts.pageSize,
        continue: cont,
      });
      if (!resourceVersion) resourceVersion = page.metadata.resourceVersion ?? '';
      for (const item of page.items) items.push(t ? t(item) : item);
      cont = page.metadata.continue;
    } while (cont && !this.stopped);
    return { items, resourceVersion };
  }

  /** One watch connection; returns whether any event arrived. Throws on ERROR events. */
  private async watchOnce(): Promise<boolean> {
    const stream = await this.client.watch<T>(this.resource, this.opts.namespace, {
      resourceVersion: this.lastRv,
      allowWatchBookmarks: true,
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
      // kube clients spread watch lifetimes over 5-10 minutes so reconnects do not all happen together
      timeoutSeconds: Math.floor(300 + Math.random() * 300),
    });
    this.stream = stream;
    if (this.stopped) stream.close();
    let any = false;
    for await (const ev of stream) {
      any = true;
      if (ev.type === 'ERROR') throw apiErrorFromStatus(ev.object);
      const rv = ev.object?.metadata?.resourceVersion;
      if (ev.type !== 'BOOKMARK') this.apply(ev.type, ev.object);
      if (rv) this.lastRv = rv;
    }
    return any;
  }

  private apply(type: Exclude<WatchEvent['type'], 'BOOKMARK' | 'ERROR'>, obj: T, fresh = true): void {
    if (fresh && this.opts.transform) obj = this.opts.transform(obj);
    const key = this.keyFor(obj);
    const old = this.items.get(key);
    if (type === 'DELETED') {
      if (!old) return;
      this.items.delete(key);
      this.reindex(key, old, undefined);
      this.emit((h) => h.onDelete?.(obj));
      return;
    }
    if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion && old.metadata.uid === obj.metadata.uid)
      return;
    this.items.set(key, obj);
    this.reindex(key, old, obj);
    if (old) this.emit((h) => h.onUpdate?.(old, obj));
    else this.emit((h) => h.onAdd?.(obj));
  }

  private keyFor(obj: T): string {
    return this.opts.key ? this.opts.key(obj) : keyOf(obj);
  }

  private reindex(key: string, oldObj: T | undefined, newObj: T | undefined): void {
    for (const [name, fn] of Object.entries(this.opts.indexers ?? {})) {
      const idx = this.indices.get(name)!;
      for (const v of oldObj ? fn(oldObj) : []) {
        const s = idx.get(v);
        s?.delete(key);
        if (s && !s.size) idx.delete(v);
      }
      for (const v of newObj ? fn(newObj) : []) {
        let s = idx.get(v);
        if (!s) idx.set(v, (s = new Set()));
        s.add(key);
      }
    }
  }

  private emit(call: (h: InformerHandlers<T>) => void): void {
    for (const h of this.handlers) {
      try {
        call(h);
      } catch (e) {
        this.opts.onError?.(e);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}
