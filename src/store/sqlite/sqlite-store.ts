/**
 * The embedded Store: an append-only log in one SQLite file, in the manner
 * of k3s's kine. Every write appends one row whose autoincrement id is the
 * global revision; the newest row of a key is its current value (or a
 * tombstone). See src/store/README.md for layout, durability and compaction.
 */
import type Database from 'better-sqlite3';
import {
  StoreError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type Watch,
  type WatchHandlers,
} from '../store.js';
import { Compactor } from './compactor.js';
import { LogReader } from './log-reader.js';
import { LogWriter, type WriteOp } from './log-writer.js';
import { rowToKeyValue, type LogRow } from './rows.js';
import { openDatabase } from './schema.js';
import { WatchHub } from './watch-hub.js';
import { WriteQueue } from './write-queue.js';

interface SqliteStoreOptions {
  /** Revisions of history kept by automatic compaction (default 10,000). */
  compactWindow?: number;
  /** How often automatic compaction runs, in ms (default 5 minutes). */
  compactIntervalMs?: number;
}

const DEFAULT_COMPACT_WINDOW = 10_000;
const DEFAULT_COMPACT_INTERVAL_MS = 5 * 60 * 1000;

export class SqliteStore implements Store {
  private readonly reader: LogReader;
  private readonly writer: LogWriter;
  private readonly queue: WriteQueue;
  private readonly hub = new WatchHub();
  private readonly compactor: Compactor;
  private readonly compactWindow: number;
  private readonly compactTimer: NodeJS.Timeout;
  /** Newest committed revision; this process is the only writer (exclusive lock). */
  private revision: number;
  private autoCompacting = false;
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    opts: SqliteStoreOptions,
  ) {
    this.reader = new LogReader(db);
    this.writer = new LogWriter(db);
    this.compactor = new Compactor(db);
    this.revision = this.reader.currentRevision();
    this.compactWindow = Math.max(1, opts.compactWindow ?? DEFAULT_COMPACT_WINDOW);
    this.queue = new WriteQueue(
      (ops) => this.writer.commit(ops, this.revision),
      (rows) => this.committed(rows),
    );
    // A failed automatic run is retried at the next tick; the log only grows meanwhile.
    this.compactTimer = setInterval(() => {
      void this.compactOldRevisions().catch(() => undefined); // retried at the next tick
    }, opts.compactIntervalMs ?? DEFAULT_COMPACT_INTERVAL_MS);
    this.compactTimer.unref();
    this.compactor.resume().catch(() => undefined); // an unfinished compaction is resumed again at the next one
  }

  /**
   * Open the store at path (parent directories are created), or ':memory:'
   * for a throwaway store. Throws when another process has the file open.
   */
  static open(path: string, opts: SqliteStoreOptions = {}): SqliteStore {
    return new SqliteStore(openDatabase(path), opts);
  }

  get(key: string): Promise<KeyValue | undefined> {
    return this.read(() => {
      const row = this.reader.latest(key);
      return row && row.deleted === 0 ? rowToKeyValue(row) : undefined;
    });
  }

  list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    return this.read(() =>
      this.listPage(prefix, opts, (rev, limit) =>
        this.reader.page(prefix, rev, limit, opts.startAfter).map(rowToKeyValue),
      ),
    );
  }

  listBytes(prefix: string, opts: ListOptions = {}): Promise<ListResult<Uint8Array>> {
    return this.read(() =>
      this.listPage(prefix, opts, (rev, limit) =>
        this.reader.pageBytes(prefix, rev, limit, opts.startAfter).map((row) => ({
          key: row.name,
          value: row.value,
          createRevision: row.create_revision,
          modRevision: row.id,
        })),
      ),
    );
  }

  /** One page of a list: `read` fetches up to `limit` rows (-1: all) as of the revision. */
  private listPage<V>(
    prefix: string,
    opts: ListOptions,
    read: (revision: number, limit: number) => KeyValue<V>[],
  ): ListResult<V> {
    const revision = opts.revision ? this.checkReadable(opts.revision) : this.revision;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    // One extra row tells whether the limit cut the result short.
    const rows = read(revision, limit ? limit + 1 : -1);
    const more = limit > 0 && rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    const result: ListResult<V> = { items, revision, more };
    if (more && !opts.skipRemaining)
      result.remaining = this.reader.count(prefix, revision, items[items.length - 1]!.key);
    return result;
  }

  count(prefix: string): Promise<number> {
    return this.read(() => this.reader.count(prefix, this.revision));
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.write({ kind: 'create', key, value });
  }

  update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    return this.write({ kind: 'update', key, value, expectedRevision });
  }

  /** Resolves to the last value, with the deleting revision as modRevision (as a delete event shows it). */
  delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    return this.write({ kind: 'delete', key, expectedRevision });
  }

  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watch {
    if (this.closed) return this.hub.failed(handlers, closedError());
    const compacted = this.reader.compactedRevision();
    if (afterRevision < compacted) return this.hub.failed(handlers, compactedError(afterRevision, compacted));
    // History and registration in one synchronous step: no commit can land between them.
    const history = afterRevision < this.revision ? this.reader.history(prefix, afterRevision) : [];
    return this.hub.add(prefix, afterRevision, history, handlers);
  }

  currentRevision(): Promise<number> {
    return this.read(() => this.revision);
  }

  compactedRevision(): Promise<number> {
    return this.read(() => this.reader.compactedRevision());
  }

  compact(revision: number): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    if (revision > this.revision) {
      return Promise.reject(
        new StoreError(
          'FutureRevision',
          `cannot compact to revision ${revision}: the current revision is ${this.revision}`,
        ),
      );
    }
    return this.compactor.compact(revision);
  }

  /**
   * Compact to the current revision minus the window, if that moves the
   * compacted revision. Runs periodically on its own; resolves to the
   * compacted revision afterwards.
   */
  async compactOldRevisions(): Promise<number> {
    if (this.closed) return this.reader.compactedRevision();
    const target = this.revision - this.compactWindow;
    if (target > this.reader.compactedRevision()) await this.compactor.compact(target);
    return this.reader.compactedRevision();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Commit what callers already issued, so every promise settles.
    this.queue.flush();
    this.closed = true;
    clearInterval(this.compactTimer);
    this.hub.failAll(closedError());
    // A compaction under way stops after its current chunk; the next open resumes it.
    await this.compactor.stop();
    this.db.close();
  }

  private write(op: WriteOp): Promise<KeyValue> {
    if (this.closed) return Promise.reject(closedError());
    return this.queue.enqueue(op).then(rowToKeyValue);
  }

  private committed(rows: LogRow[]): void {
    this.revision = rows[rows.length - 1]!.id;
    this.hub.publish(rows);
    // Bound the table under heavy write load between timer runs.
    if (!this.autoCompacting && this.revision - this.reader.compactedRevision() >= 2 * this.compactWindow) {
      this.autoCompacting = true;
      setImmediate(() => {
        this.compactOldRevisions()
          .catch(() => undefined) // the timer retries
          .finally(() => {
            this.autoCompacting = false;
          });
      });
    }
  }

  private read<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(closedError());
    // The executor runs fn now; what it throws becomes the rejection.
    return new Promise((resolve) => resolve(fn()));
  }

  /** revision if it can be read at, else the StoreError saying why not. */
  private checkReadable(revision: number): number {
    const compacted = this.reader.compactedRevision();
    if (revision < compacted) throw compactedError(revision, compacted);
    if (revision > this.revision) {
      throw new StoreError(
        'FutureRevision',
        `revision ${revision} is in the future: the current revision is ${this.revision}`,
      );
    }
    return revision;
  }
}

function closedError(): StoreError {
  return new StoreError('Closed', 'the store is closed');
}

function compactedError(revision: number, compacted: number): StoreError {
  return new StoreError(
    'Compacted',
    `revision ${revision} has been compacted (history before ${compacted} is gone); start again from a current list`,
    undefined,
    compacted,
  );
}
