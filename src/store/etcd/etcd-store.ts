/**
 * The Store on etcd v3, as kube-apiserver keeps its state: a key's
 * resourceVersion is etcd's mod revision, writes are transactions that
 * compare a key's create or mod revision, lists are ranges read at one
 * revision, and watches are etcd watches from a revision with prevKv and
 * progress notifications. Several API servers can share one etcd: etcd
 * decides every compare-and-swap. See src/store/README.md.
 */
import type { Client, Metadata, CallOptions } from '@grpc/grpc-js';
import {
  CompareResult,
  CompareTarget,
  Etcd3,
  castGrpcError,
  type IOptions,
  type IRangeRequest,
  type IResponseHeader,
} from 'etcd3';
import {
  StoreError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type Watch,
  type WatchHandlers,
} from '../store.js';
import { closedError, storeErrorOf } from './errors.js';
import { EtcdWatch } from './etcd-watch.js';
import { KeySpace, keyAfter } from './keys.js';
import { CompactionProbe } from './compaction-probe.js';
import { startEtcdCompactor, type EtcdCompactorOptions } from './compactor.js';
import { orderedProgressRequests } from './progress-requests.js';
import { SharedWatch } from './shared-watch.js';
import { decodeRangeResponse, type DecodedRange } from './range-codec.js';

/** The part of etcd3's connection pool a raw Range call uses. */
interface RangePool {
  withConnection<T>(service: 'KV', fn: (c: { client: RangeClient; metadata: Metadata }) => Promise<T>): Promise<T>;
}

/** A grpc-js client of etcd's KV service, whose generated `range` carries its path and serializer. */
type RangeClient = Client & {
  range: { path: string; requestSerialize: (req: IRangeRequest) => Buffer };
  makeUnaryRequest(
    path: string,
    serialize: (req: IRangeRequest) => Buffer,
    deserialize: (buf: Buffer) => DecodedRange,
    argument: IRangeRequest,
    metadata: Metadata,
    options: CallOptions,
    callback: (err: Error | null, res?: DecodedRange) => void,
  ): unknown;
};

interface EtcdStoreOptions {
  /** Client URLs, e.g. https://10.0.0.1:2379 (kube-apiserver's --etcd-servers). */
  endpoints: string[];
  /** PEM files for TLS to etcd (--etcd-cafile, --etcd-certfile, --etcd-keyfile). */
  tls?: { ca: Buffer; cert?: Buffer; key?: Buffer };
  /** Prepended to every key (kube-apiserver's --etcd-prefix minus /registry); '' by default. */
  keyPrefix?: string;
  /** How often each watch asks for a progress notification, in ms (default 5 s; only on etcd that orders them). */
  progressIntervalMs?: number;
  /** Timeout of one request to etcd, in ms (default 10 s). */
  requestTimeoutMs?: number;
  /** Events each shared watch keeps for watches that start a little behind it (default 1,000; at most 16 Mi characters of values). */
  watchWindow?: number;
  /** Automatic compaction (a window of revisions on a timer); false to leave it to someone else. */
  compaction?: EtcdCompactorOptions | false;
}

const revisionOf = (header: IResponseHeader) => Number(header.revision);

export class EtcdStore implements Store {
  private readonly client: Etcd3;
  private readonly keys: KeySpace;
  private readonly watches = new Set<EtcdWatch>();
  /** The shared etcd watch of each prefix being watched. */
  private readonly shared = new Map<string, SharedWatch>();
  private readonly compaction: CompactionProbe;
  private readonly compactor: { stop(): void } | undefined;
  private closed = false;
  private readonly timeoutMs: number;
  private orderedProgress: Promise<boolean> | undefined;

  constructor(private readonly opts: EtcdStoreOptions) {
    if (opts.endpoints.length === 0) throw new Error('no etcd endpoints given: pass --etcd-servers URL[,URL...]');
    const timeout = opts.requestTimeoutMs ?? 10_000;
    this.timeoutMs = timeout;
    const options: IOptions = {
      hosts: opts.endpoints,
      dialTimeout: timeout,
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
      // gRPC's default 4 MiB cap on a reply would fail a list of ~4,000 Services; kube-apiserver lifts it too.
      grpcOptions: { 'grpc.max_receive_message_length': -1 },
    };
    if (opts.tls) {
      options.credentials = {
        rootCertificate: opts.tls.ca,
        ...(opts.tls.key && { privateKey: opts.tls.key }),
        ...(opts.tls.cert && { certChain: opts.tls.cert }),
      };
    }
    this.client = new Etcd3(options);
    this.keys = new KeySpace(opts.keyPrefix);
    this.compaction = new CompactionProbe(this.client.kv, this.keys.key('/'));
    if (opts.compaction !== false) this.compactor = startEtcdCompactor(this, opts.compaction);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    const res = await this.client.kv.range({ key: this.keys.key(key) });
    const kv = res.kvs[0];
    return kv ? this.keys.toKeyValue(kv) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const res = await this.range(prefix, opts);
    return {
      ...res,
      items: res.kvs.map((kv) => ({
        key: this.keys.strip(kv.key),
        value: kv.value.toString('utf8'),
        createRevision: kv.createRevision,
        modRevision: kv.modRevision,
      })),
    };
  }

  /** The values are views of the received reply: they keep it (one page) alive while they are. */
  async listBytes(prefix: string, opts: ListOptions = {}): Promise<ListResult<Uint8Array>> {
    const res = await this.range(prefix, opts);
    return {
      ...res,
      items: res.kvs.map((kv) => ({
        key: this.keys.strip(kv.key),
        value: kv.value,
        createRevision: kv.createRevision,
        modRevision: kv.modRevision,
      })),
    };
  }

  private async range(prefix: string, opts: ListOptions) {
    this.checkOpen();
    const { key, range_end } = this.keys.range(prefix);
    const from = opts.startAfter === undefined ? key : keyAfter(this.keys.key(opts.startAfter));
    try {
      const res = await this.rawRange({
        key: Buffer.compare(from, key) > 0 ? from : key,
        range_end,
        limit: opts.limit ?? 0,
        revision: opts.revision ?? 0,
      });
      const revision = opts.revision || res.revision;
      const more = res.more;
      // etcd counts every key in [from, range_end); the ones after the page are what remains.
      const remaining = more && !opts.skipRemaining ? res.count - res.kvs.length : more ? undefined : 0;
      return { kvs: res.kvs, revision, more, ...(remaining !== undefined && { remaining }) };
    } catch (err) {
      throw await this.translated(err, opts.revision);
    }
  }

  /**
   * A Range call whose reply is decoded by range-codec.ts instead of the
   * client's generic decoder, through the client's own connection pool (its
   * hosts, failover and auth metadata), which etcd3 keeps protected.
   */
  private rawRange(req: IRangeRequest): Promise<DecodedRange> {
    const pool = (this.client as unknown as { pool: RangePool }).pool;
    return pool.withConnection('KV', ({ client, metadata }) => {
      const method = client.range;
      return new Promise<DecodedRange>((resolve, reject) => {
        client.makeUnaryRequest(
          method.path,
          method.requestSerialize,
          decodeRangeResponse,
          req,
          metadata,
          { deadline: Date.now() + this.timeoutMs },
          (err: Error | null, res?: DecodedRange) =>
            err || !res ? reject(castGrpcError(err ?? new Error('empty reply'))) : resolve(res),
        );
      });
    });
  }

  async count(prefix: string): Promise<number> {
    this.checkOpen();
    const res = await this.client.kv.range({ ...this.keys.range(prefix), count_only: true });
    return Number(res.count);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.checkOpen();
    const k = this.keys.key(key);
    const res = await this.client.kv.txn({
      compare: [{ key: k, target: CompareTarget.Create, result: CompareResult.Equal, create_revision: 0 }],
      success: [{ request_put: { key: k, value: Buffer.from(value, 'utf8') } }],
    });
    if (!res.succeeded) throw new StoreError('KeyExists', `key ${key} already exists`);
    const revision = revisionOf(res.header);
    return { key, value, createRevision: revision, modRevision: revision };
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    this.checkOpen();
    const k = this.keys.key(key);
    const res = await this.client.kv.txn({
      compare: [{ key: k, target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: expectedRevision }],
      success: [{ request_put: { key: k, value: Buffer.from(value, 'utf8'), prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    if (!res.succeeded) throw this.casFailure(key, res.responses[0]?.response_range.kvs[0]);
    const prev = res.responses[0]!.response_put.prev_kv;
    return { key, value, createRevision: Number(prev.create_revision), modRevision: revisionOf(res.header) };
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    this.checkOpen();
    const k = this.keys.key(key);
    const res = await this.client.kv.txn({
      compare: [
        expectedRevision === undefined
          ? { key: k, target: CompareTarget.Create, result: CompareResult.Greater, create_revision: 0 }
          : { key: k, target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: expectedRevision },
      ],
      success: [{ request_delete_range: { key: k, prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    if (!res.succeeded) throw this.casFailure(key, res.responses[0]?.response_range.kvs[0]);
    const prev = this.keys.toKeyValue(res.responses[0]!.response_delete_range.prev_kvs[0]!);
    // What a delete event shows: the last value at the deleting revision.
    return { ...prev, modRevision: revisionOf(res.header) };
  }

  private casFailure(key: string, current: Parameters<KeySpace['toKeyValue']>[0] | undefined): StoreError {
    if (!current) return new StoreError('NotFound', `key ${key} not found`);
    return new StoreError('Conflict', `key ${key} was modified concurrently`, this.keys.toKeyValue(current));
  }

  /**
   * Watches on one prefix share one etcd watch (shared-watch.ts); a watch
   * from before what the shared one still remembers replays from etcd on
   * its own stream.
   */
  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watch {
    if (this.closed) {
      queueMicrotask(() => handlers.onError(closedError()));
      return { cancel: () => undefined };
    }
    let shared = this.shared.get(prefix);
    if (shared && !shared.covers(afterRevision)) return this.watchAlone(prefix, afterRevision, handlers);
    if (!shared) {
      const created: SharedWatch = new SharedWatch(
        afterRevision,
        (from, h) => this.watchAlone(prefix, from, h),
        { events: this.opts.watchWindow ?? 1_000, size: 16 << 20 },
        () => {
          if (this.shared.get(prefix) === created) this.shared.delete(prefix);
        },
        (from, h) => this.watch(prefix, from, h),
      );
      this.shared.set(prefix, (shared = created));
    }
    return shared.subscribe(afterRevision, handlers);
  }

  /** One etcd watch stream for one watch. */
  private watchAlone(prefix: string, afterRevision: number, handlers: WatchHandlers): Watch {
    const watch = new EtcdWatch(
      this.client.watchClient,
      this.keys,
      prefix,
      afterRevision,
      {
        onEvents: (events) => handlers.onEvents(events),
        onError: (err) => {
          this.watches.delete(watch);
          if (err instanceof StoreError && err.code === 'Compacted') this.compaction.learnt(err.revision ?? 0);
          handlers.onError(err);
        },
        onProgress: (revision) => handlers.onProgress?.(revision),
      },
      {
        progressIntervalMs: this.opts.progressIntervalMs ?? 5_000,
        progressRequests: () => this.progressRequests(),
        retryMs: 100,
      },
    );
    this.watches.add(watch);
    return {
      cancel: () => {
        this.watches.delete(watch);
        watch.cancel();
      },
    };
  }

  /** Whether progress requests are safe on these members (asked once; asked again after a failed ask). */
  private progressRequests(): Promise<boolean> {
    this.orderedProgress ??= this.client.maintenance.status().then(
      (s) => orderedProgressRequests(s.version),
      () => {
        this.orderedProgress = undefined;
        return false;
      },
    );
    return this.orderedProgress;
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    // A count-only range of one key: the cheapest read that returns the header.
    const res = await this.client.kv.range({ key: this.keys.key('/'), count_only: true });
    return revisionOf(res.header);
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    return this.compaction.compactedRevision();
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    try {
      await this.client.kv.compact({ revision, physical: true });
      this.compaction.learnt(revision);
      for (const shared of this.shared.values()) shared.forgetBefore(revision);
    } catch (err) {
      // Compacting to a revision etcd has already compacted past is done already.
      const e = await this.translated(err, revision);
      if (!(e instanceof StoreError && e.code === 'Compacted')) throw e;
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.compactor?.stop();
    for (const w of [...this.watches]) w.fail(closedError());
    this.watches.clear();
    this.client.close();
    return Promise.resolve();
  }

  private checkOpen(): void {
    if (this.closed) throw closedError();
  }

  /** A read's error as a StoreError, with the compacted revision filled in for Compacted. */
  private async translated(err: unknown, revision: number | undefined): Promise<unknown> {
    const e = storeErrorOf(err, revision);
    if (e instanceof StoreError && e.code === 'Compacted') {
      // The error stands without the number; it is only detail for the message.
      const compacted = await this.compactedRevision().catch(() => undefined);
      return new StoreError('Compacted', e.message, undefined, compacted);
    }
    return e;
  }
}
