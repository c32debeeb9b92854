/**
 * One etcd watch on a prefix, shared by every Store watch on that prefix
 * (kube-apiserver's watch cache does the same): etcd sends each event to
 * this API server once, it is decoded once, and every subscriber gets the
 * same event objects, so the API server's per-object decode and JSON
 * caches (keyed on those objects) work across watchers.
 *
 * It keeps the last events (up to a count and a size of values), so a
 * watch from a recent revision (an informer's list, then watch) joins
 * without asking etcd to replay. The window holds copies of the events:
 * the API server caches decoded objects and encoded lines on the live
 * event objects, and those caches must die with the live delivery, not
 * live on in the window.
 * A subscriber gets exactly the events after its own revision, in order,
 * once: replayed from the window, then live. Delivery is never inside
 * subscribe(): the replay goes out in a microtask, and live batches that
 * arrive before it wait behind it.
 */
import { StoreError, type Watch, type WatchEvent, type WatchHandlers } from '../store.js';

/** What a subscriber still has to receive, in order, before it is live. */
type Pending = { events: WatchEvent[] } | { progress: number } | { error: Error };

interface Subscriber {
  /** Every event up to this revision has been delivered to it (or it asked to start after it). */
  after: number;
  handlers: WatchHandlers;
  /** Set until the replay has gone out; live deliveries queue here meanwhile. */
  queue: Pending[] | undefined;
  done: boolean;
  /** The watch that took over when the shared one failed under it (see handOver). */
  replacement?: Watch;
}

/** The source of the shared stream: an EtcdWatch from a revision. */
export type OpenWatch = (afterRevision: number, handlers: WatchHandlers) => Watch;

export class SharedWatch {
  private readonly subscribers = new Set<Subscriber>();
  /** Recent events in revision order; every event after windowStart is here (or still to come). */
  private recent: WatchEvent[] = [];
  /** UTF-16 length of the values in `recent`, a measure of what it holds. */
  private recentSize = 0;
  private windowStart: number;
  /** Every change up to this revision has arrived from etcd. */
  private delivered: number;
  private readonly source: Watch;
  private ended = false;

  constructor(
    afterRevision: number,
    open: OpenWatch,
    private readonly window: { events: number; size: number },
    /** Called once when the shared watch ends (no subscribers left, or it failed). */
    private readonly onEnd: () => void,
    /** A subscriber's watch failed with Compacted at this revision though it started at or after it: watch again. */
    private readonly resubscribe: (after: number, handlers: WatchHandlers) => Watch,
  ) {
    this.windowStart = this.delivered = afterRevision;
    this.source = open(afterRevision, {
      onEvents: (events) => this.received(events),
      onProgress: (revision) => this.progressed(revision),
      onError: (err) => this.failed(err),
    });
  }

  /** Whether a watch from this revision can be served from here (its start is in the window, or ahead). */
  covers(afterRevision: number): boolean {
    return !this.ended && afterRevision >= this.windowStart;
  }

  /** Forget what precedes revision (compaction): watches from before it must ask etcd, which says Compacted. */
  forgetBefore(revision: number): void {
    if (revision <= this.windowStart) return;
    this.windowStart = revision;
    const keep = this.recent.findIndex((e) => e.kv.modRevision > revision);
    this.dropFirst(keep < 0 ? this.recent.length : keep);
  }

  subscribe(afterRevision: number, handlers: WatchHandlers): Watch {
    // Copies again: what the API server caches on the replayed objects must not stay in the window.
    const replay = this.recent.filter((e) => e.kv.modRevision > afterRevision).map(copyOf);
    const sub: Subscriber = {
      after: Math.max(afterRevision, this.delivered),
      handlers,
      queue: replay.length > 0 ? [{ events: replay }] : [],
      done: false,
    };
    this.subscribers.add(sub);
    queueMicrotask(() => this.flush(sub));
    return { cancel: () => this.unsubscribe(sub) };
  }

  private unsubscribe(sub: Subscriber): void {
    sub.done = true;
    sub.queue = undefined;
    sub.replacement?.cancel();
    this.subscribers.delete(sub);
    if (this.subscribers.size === 0) this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.source.cancel();
    this.onEnd();
  }

  private received(events: WatchEvent[]): void {
    const last = events[events.length - 1]!.kv.modRevision;
    this.delivered = last;
    for (const e of events) {
      this.recent.push(copyOf(e));
      this.recentSize += sizeOf(e);
    }
    const { events: maxEvents, size: maxSize } = this.window;
    if (this.recent.length > maxEvents || this.recentSize > maxSize) {
      // Down to three quarters, so the copy is paid once per many events; whole revisions only,
      // as windowStart must be a revision none of whose events is left.
      let cut = 0;
      let size = this.recentSize;
      while (cut < this.recent.length && (this.recent.length - cut > (maxEvents * 3) / 4 || size > (maxSize * 3) / 4))
        size -= sizeOf(this.recent[cut++]!);
      const rev = this.recent[cut - 1]!.kv.modRevision;
      while (cut < this.recent.length && this.recent[cut]!.kv.modRevision === rev) cut++;
      this.windowStart = rev;
      this.dropFirst(cut);
    }
    for (const sub of [...this.subscribers]) {
      if (last <= sub.after) continue;
      const mine = events[0]!.kv.modRevision > sub.after ? events : events.filter((e) => e.kv.modRevision > sub.after);
      sub.after = last;
      this.send(sub, { events: mine });
    }
  }

  private dropFirst(n: number): void {
    for (let i = 0; i < n; i++) this.recentSize -= sizeOf(this.recent[i]!);
    this.recent = this.recent.slice(n);
  }

  private progressed(revision: number): void {
    if (revision > this.delivered) this.delivered = revision;
    for (const sub of [...this.subscribers]) {
      if (revision <= sub.after) continue;
      sub.after = revision;
      this.send(sub, { progress: revision });
    }
  }

  private failed(err: Error): void {
    this.ended = true;
    this.onEnd();
    const compactedAt = err instanceof StoreError && err.code === 'Compacted' ? err.revision : undefined;
    for (const sub of [...this.subscribers]) {
      this.subscribers.delete(sub);
      if (compactedAt !== undefined && compactedAt > 0 && sub.after >= compactedAt) {
        // The stream was started (or restarted) from before this subscriber's revision, which is still
        // readable: only the shared stream's start was compacted. Watch again from where it is.
        this.handOver(sub);
        continue;
      }
      this.send(sub, { error: err });
    }
  }

  /**
   * Move a subscriber to a new watch from its revision. What it has queued still goes out
   * first: the new watch delivers in a later microtask or from the network.
   */
  private handOver(sub: Subscriber): void {
    sub.replacement = this.resubscribe(sub.after, {
      onEvents: (events) => sub.handlers.onEvents(events),
      onProgress: (revision) => sub.handlers.onProgress?.(revision),
      onError: (e) => sub.handlers.onError(e),
    });
  }

  private send(sub: Subscriber, item: Pending): void {
    if (sub.done) return;
    if (sub.queue) {
      sub.queue.push(item);
      return;
    }
    this.deliver(sub, item);
  }

  private flush(sub: Subscriber): void {
    const queue = sub.queue;
    sub.queue = undefined;
    for (const item of queue ?? []) {
      if (sub.done) return;
      this.deliver(sub, item);
    }
  }

  private deliver(sub: Subscriber, item: Pending): void {
    try {
      if ('events' in item) {
        if (item.events.length > 0) sub.handlers.onEvents(item.events);
      } else if ('progress' in item) sub.handlers.onProgress?.(item.progress);
      else {
        sub.done = true;
        sub.handlers.onError(item.error);
      }
    } catch (err) {
      // Handlers must not throw; one that does loses its watch, never the other subscribers'.
      this.unsubscribe(sub);
      sub.handlers.onError(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

const sizeOf = (e: WatchEvent) => e.kv.value.length + (e.prevKv?.value.length ?? 0);

/** The same event in new objects (the strings are shared, not copied). */
function copyOf(e: WatchEvent): WatchEvent {
  return { type: e.type, kv: { ...e.kv }, ...(e.prevKv && { prevKv: { ...e.prevKv } }) };
}
