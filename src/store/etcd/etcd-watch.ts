/**
 * One Store watch on one etcd gRPC watch stream: created from the next
 * revision wanted, with prevKv and progress notifications (requested ones
 * only where etcd orders them with events), re-created from
 * the last revision delivered when the stream breaks (a member died, the
 * connection dropped), so a failover misses nothing and repeats nothing.
 * etcd cancelling for compaction ends it with Compacted.
 */
import type { IDuplexStream, IEvent, IWatchRequest, IWatchResponse, WatchClient } from 'etcd3';
import { StoreError, type KeyValue, type Watch, type WatchEvent, type WatchHandlers } from '../store.js';
import type { KeySpace } from './keys.js';

interface EtcdWatchOptions {
  /** How often to ask etcd for a progress notification (a bookmark), in ms. */
  progressIntervalMs: number;
  /** Whether the members answer progress requests in order with events (progress-requests.ts); else none are sent. */
  progressRequests(): Promise<boolean>;
  /** Pause before re-creating a broken stream, in ms (doubles up to 10x). */
  retryMs: number;
}

export class EtcdWatch implements Watch {
  private stream: IDuplexStream<IWatchRequest, IWatchResponse> | undefined;
  private stopped = false;
  /** Every change up to this revision has been delivered. */
  private delivered: number;
  private progressTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(
    private readonly client: WatchClient,
    private readonly keys: KeySpace,
    private readonly prefix: string,
    afterRevision: number,
    private readonly handlers: WatchHandlers,
    private readonly opts: EtcdWatchOptions,
  ) {
    this.delivered = afterRevision;
    this.connect();
  }

  cancel(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.progressTimer);
    clearTimeout(this.retryTimer);
    // etcd keeps serving a watch stream its client only half-closed (clients such as grpc-gateway
    // close their side and still read), so the stream must be cancelled too, or etcd's watcher and
    // its events live on. End it first: etcd3 counts an error on a stream still writable against
    // the member's circuit breaker (three open it and reset every connection), not on an ended one.
    this.stream?.end();
    this.stream?.cancel();
    this.stream = undefined;
  }

  /** End with an error: onError once, nothing after. */
  fail(err: Error): void {
    if (this.stopped) return;
    this.cancel();
    this.handlers.onError(err);
  }

  private connect(): void {
    this.client.watch().then(
      (stream) => {
        if (this.stopped) {
          stream.on('error', () => undefined);
          stream.end();
          return stream.cancel();
        }
        this.stream = stream;
        stream.on('data', (res) => this.received(stream, res));
        stream.on('error', () => this.broken(stream));
        stream.on('end', () => this.broken(stream));
        stream.write({
          create_request: {
            ...this.keys.range(this.prefix),
            start_revision: this.delivered + 1,
            prev_kv: true,
            progress_notify: true,
          },
        });
        void this.opts.progressRequests().then((ordered) => {
          if (!ordered || this.stopped || stream !== this.stream) return;
          this.progressTimer = setInterval(() => stream.write({ progress_request: {} }), this.opts.progressIntervalMs);
          this.progressTimer.unref();
        });
      },
      () => this.broken(undefined),
    );
  }

  /** The stream ended without our asking: open another from where delivery stopped. */
  private broken(stream: IDuplexStream<IWatchRequest, IWatchResponse> | undefined): void {
    if (this.stopped || stream !== this.stream) return;
    clearInterval(this.progressTimer);
    this.stream?.cancel();
    this.stream = undefined;
    const delay = this.opts.retryMs * Math.min(10, 2 ** this.failures++);
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.retryTimer.unref();
  }

  private received(stream: IDuplexStream<IWatchRequest, IWatchResponse>, res: IWatchResponse): void {
    if (this.stopped || stream !== this.stream) return;
    if (res.canceled) {
      const compacted = Number(res.compact_revision);
      return this.fail(
        compacted > 0
          ? new StoreError(
              'Compacted',
              `watch from revision ${this.delivered + 1}: revisions before ${compacted} have been compacted`,
              undefined,
              compacted,
            )
          : new Error(`etcd cancelled the watch on ${this.prefix}: ${res.cancel_reason || 'no reason given'}`),
      );
    }
    if (res.created) {
      this.failures = 0;
      return;
    }
    if (res.events.length === 0) {
      // A progress notification: every change up to header.revision has been sent.
      const revision = Number(res.header.revision);
      if (revision > this.delivered) {
        this.delivered = revision;
        this.handlers.onProgress?.(revision);
      }
      return;
    }
    const events = res.events.map((e) => this.toStoreEvent(e));
    this.delivered = events[events.length - 1]!.kv.modRevision;
    this.handlers.onEvents(events);
  }

  private toStoreEvent(e: IEvent): WatchEvent {
    const prevKv: KeyValue | undefined = e.prev_kv ? this.keys.toKeyValue(e.prev_kv) : undefined;
    if (e.type === 'Delete') {
      // etcd's delete event carries only the key and the deleting revision; the Store's carries the last value.
      return {
        type: 'delete',
        kv: {
          key: this.keys.strip(e.kv.key),
          value: prevKv?.value ?? '',
          createRevision: prevKv?.createRevision ?? 0,
          modRevision: Number(e.kv.mod_revision),
        },
        ...(prevKv && { prevKv }),
      };
    }
    const kv = this.keys.toKeyValue(e.kv);
    return { type: 'put', kv, ...(prevKv && kv.createRevision !== kv.modRevision && { prevKv }) };
  }
}
