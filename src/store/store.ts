/**
 * The one storage seam. Semantics are etcd's, so an etcd v3 implementation
 * drops in unchanged: a single global revision that increases with every
 * write; each key carries createRevision and modRevision; writes are
 * compare-and-swap on modRevision; a watch replays every change after a
 * revision, in order, exactly once; compaction forgets history before a
 * revision, after which watching or reading from it fails with Compacted.
 */

/** A key and its value: text, or (from listBytes) the text's UTF-8 bytes. */
export interface KeyValue<V = string> {
  key: string;
  value: V;
  /** Revision of the write that created this key (since its last deletion). */
  createRevision: number;
  /** Revision of the last write to this key; the object's resourceVersion. */
  modRevision: number;
}

export interface ListOptions {
  /** Return at most this many keys (0 or undefined: all). */
  limit?: number;
  /** Start strictly after this key (for continue tokens). */
  startAfter?: string;
  /** Read as of this revision (0 or undefined: latest). Fails with Compacted if older than the compacted revision. */
  revision?: number;
  /** Leave `remaining` out: counting the keys after a page costs a walk of all of them. */
  skipRemaining?: boolean;
}

export interface ListResult<V = string> {
  items: KeyValue<V>[];
  /** The revision the list was read at. */
  revision: number;
  /** True when limit cut the result short. */
  more: boolean;
  /** Keys left after this page (when more, unless skipRemaining). */
  remaining?: number;
}

export interface WatchEvent {
  type: 'put' | 'delete';
  /** For put: the new value. For delete: the key with the deleting revision as modRevision and the last value. */
  kv: KeyValue;
  /** The value before this event, when the key existed. */
  prevKv?: KeyValue;
}

export interface Watch {
  /** Stop delivering events; idempotent. */
  cancel(): void;
}

export interface WatchHandlers {
  /** Called in revision order; a batch never splits one revision. */
  onEvents(events: WatchEvent[]): void;
  /** Called once if the watch can't go on (e.g. Compacted); no events follow. */
  onError(err: Error): void;
  /**
   * Optional: every change up to this revision has been delivered, though
   * none since the last batch touched the prefix (a bookmark). Stores call
   * it when they learn it (etcd's progress notifications).
   */
  onProgress?(revision: number): void;
}

export class StoreError extends Error {
  constructor(
    readonly code: 'KeyExists' | 'NotFound' | 'Conflict' | 'Compacted' | 'FutureRevision' | 'Closed',
    message: string,
    /** For Conflict: the current value; for Compacted: the compacted revision is in `revision`. */
    readonly current?: KeyValue,
    readonly revision?: number,
  ) {
    super(message);
  }
}

export interface Store {
  /** Latest value of a key, or undefined. */
  get(key: string): Promise<KeyValue | undefined>;
  /** Keys with this prefix in key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /**
   * list, with each value as its UTF-8 bytes: for callers that pass values on
   * without reading them (a list response), saving a decode into strings and
   * the encode back (etcd hands out bytes anyway).
   */
  listBytes(prefix: string, opts?: ListOptions): Promise<ListResult<Uint8Array>>;
  /** Count of keys with this prefix (latest). */
  count(prefix: string): Promise<number>;
  /** Create a key that must not exist (KeyExists otherwise). */
  create(key: string, value: string): Promise<KeyValue>;
  /** Replace a key whose modRevision equals expectedRevision (Conflict / NotFound otherwise). */
  update(key: string, value: string, expectedRevision: number): Promise<KeyValue>;
  /** Delete a key; when expectedRevision is given it must match (Conflict otherwise). Returns the deleted value. */
  delete(key: string, expectedRevision?: number): Promise<KeyValue>;
  /**
   * Deliver every change to keys under prefix with revision > afterRevision,
   * then live changes. Fails via onError with Compacted when afterRevision is
   * older than the compacted revision.
   */
  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watch;
  /** The latest revision. */
  currentRevision(): Promise<number>;
  /** The oldest revision that can still be watched from or read at. */
  compactedRevision(): Promise<number>;
  /** Forget history up to (not including) revision. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}
