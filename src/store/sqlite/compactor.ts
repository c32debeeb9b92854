/**
 * Compaction: forget the history before a revision while keeping every
 * read at or after it exact. A row is garbage once the row that superseded
 * it (its successor, whose prev_revision points at it) is at or below the
 * compaction revision; a tombstone below it is garbage as well. So the
 * rows to drop are found from the successors written since the last
 * compaction, not by scanning the whole table.
 *
 * The compacted revision is recorded first, so no read below it can start
 * while rows go; the deletion then runs in small transactions, yielding to
 * the event loop between them, and records its progress so a crash midway
 * leaves nothing behind for the next run.
 */
import type Database from 'better-sqlite3';
import { COMPACTED_REVISION } from './schema.js';

const COMPACT_PROGRESS = 'compact_progress';
/** Revisions per transaction: short enough not to stall writers for long. */
const CHUNK = 1000;

export class Compactor {
  private readonly setMeta: Database.Statement<[string, number]>;
  private readonly getMeta: Database.Statement<[string], { value: number }>;
  private readonly dropSuperseded: Database.Statement<[{ lo: number; hi: number }]>;
  private readonly dropTombstones: Database.Statement<[{ lo: number; hi: number; rev: number }]>;
  private readonly chunk: (lo: number, hi: number, rev: number) => void;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(db: Database.Database) {
    this.setMeta = db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.getMeta = db.prepare('SELECT value FROM meta WHERE key = ?');
    // Predecessors of the rows in (lo, hi]: each was superseded at or below hi.
    this.dropSuperseded = db.prepare(
      'DELETE FROM log WHERE id IN (SELECT prev_revision FROM log WHERE id > @lo AND id <= @hi AND prev_revision > 0)',
    );
    // Tombstones in [lo, hi) below rev; their predecessors went in this or an earlier chunk.
    this.dropTombstones = db.prepare('DELETE FROM log WHERE id >= @lo AND id < @hi AND id < @rev AND deleted = 1');
    this.chunk = db.transaction((lo: number, hi: number, rev: number) => {
      this.dropSuperseded.run({ lo, hi });
      this.dropTombstones.run({ lo, hi, rev });
      this.setMeta.run(COMPACT_PROGRESS, hi);
    });
  }

  /**
   * Compact to rev (callers check rev against the current revision). Runs
   * after any compaction already under way; a rev at or below the compacted
   * revision does nothing. Resolves when the rows are gone; the compacted
   * revision is visible to reads as soon as the call is made.
   */
  compact(rev: number): Promise<void> {
    const compacted = this.getMeta.get(COMPACTED_REVISION)?.value ?? 0;
    // Already compacted that far: wait for a run under way; its failure was reported to its own caller.
    if (rev <= compacted) return this.running.catch(() => undefined);
    this.setMeta.run(COMPACTED_REVISION, rev);
    // A failed earlier run must not block this one; its progress is on disk.
    this.running = this.running.catch(() => undefined).then(() => this.deleteUpTo(rev)); // see above
    return this.running;
  }

  /** Finish a compaction a crash or close interrupted (progress short of the compacted revision). */
  resume(): Promise<void> {
    const compacted = this.getMeta.get(COMPACTED_REVISION)?.value ?? 0;
    const progress = this.getMeta.get(COMPACT_PROGRESS)?.value ?? 0;
    if (progress >= compacted) return this.running;
    // A failed earlier run must not block this one; its progress is on disk.
    this.running = this.running.catch(() => undefined).then(() => this.deleteUpTo(compacted));
    return this.running;
  }

  /** Stop after the chunk in progress (before closing the database); a later compaction resumes. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running.catch(() => undefined); // a failed run resumes at the next open
  }

  private async deleteUpTo(rev: number): Promise<void> {
    let lo = this.getMeta.get(COMPACT_PROGRESS)?.value ?? 0;
    while (lo < rev && !this.stopped) {
      const hi = Math.min(lo + CHUNK, rev);
      this.chunk(lo, hi, rev);
      lo = hi;
      if (lo < rev) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
