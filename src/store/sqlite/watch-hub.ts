/**
 * In-process watch fan-out. A watcher starts with the history the store read
 * for it (every row after its revision, up to the newest committed one) and
 * from then on receives each commit's rows. Both the history read and the
 * registration happen in one synchronous step, with no commit in between,
 * so the handoff from history to live has no gap and no duplicate.
 */
import type { Watch, WatchEvent, WatchHandlers } from '../store.js';
import { rowToEvent, type LogRow } from './rows.js';

// Every watcher of a commit gets the same event objects, so consumers can
// memoise work per event (the API server decodes each value once, not once per watcher).
const eventOfRow = new WeakMap<LogRow, WatchEvent>();
function sharedEvent(row: LogRow): WatchEvent {
  let ev = eventOfRow.get(row);
  if (!ev) eventOfRow.set(row, (ev = rowToEvent(row)));
  return ev;
}

class Watcher implements Watch {
  private queue: WatchEvent[] = [];
  private scheduled = false;
  private done = false;

  constructor(
    readonly prefix: string,
    /** Only rows after this revision are delivered (matters for a watch from a future revision). */
    private readonly after: number,
    private readonly handlers: WatchHandlers,
    private readonly remove: (w: Watcher) => void,
  ) {}

  offer(rows: LogRow[]): void {
    if (this.done) return;
    for (const row of rows) {
      if (row.id > this.after && row.name.startsWith(this.prefix)) this.queue.push(sharedEvent(row));
    }
    if (this.queue.length > 0) this.schedule();
  }

  fail(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.queue = [];
    this.remove(this);
    // Asynchronous like events, so a caller never sees a callback before watch() returns.
    queueMicrotask(() => this.handlers.onError(err));
  }

  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.queue = [];
    this.remove(this);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      const events = this.queue;
      this.queue = [];
      // Events stay in revision order: rows are offered in commit order and
      // each delivery takes the whole queue.
      if (!this.done && events.length > 0) this.handlers.onEvents(events);
    });
  }
}

export class WatchHub {
  private readonly watchers = new Set<Watcher>();

  /**
   * Start a watch. history must hold every row under prefix after `after`
   * up to the newest committed revision, read in the same synchronous step
   * as this call. Handlers must not throw.
   */
  add(prefix: string, after: number, history: LogRow[], handlers: WatchHandlers): Watch {
    const watcher = new Watcher(prefix, after, handlers, (w) => this.watchers.delete(w));
    this.watchers.add(watcher);
    watcher.offer(history);
    return watcher;
  }

  /** A watch that fails at once (compacted revision, closed store). */
  failed(handlers: WatchHandlers, err: Error): Watch {
    const watcher = new Watcher('', 0, handlers, () => {});
    watcher.fail(err);
    return watcher;
  }

  /** Rows of one commit, in revision order. */
  publish(rows: LogRow[]): void {
    for (const w of this.watchers) w.offer(rows);
  }

  /** End every watch with err (store closing). */
  failAll(err: Error): void {
    for (const w of [...this.watchers]) w.fail(err);
  }

  get size(): number {
    return this.watchers.size;
  }
}
