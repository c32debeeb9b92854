/**
 * Group commit: writes issued during one turn of the event loop are queued
 * and committed together, so many concurrent writers share one fsync. Each
 * caller's promise settles only after the transaction holding its write has
 * committed (or failed).
 */
import type { StoreError } from '../store.js';
import type { LogRow } from './rows.js';
import type { WriteOp, WriteResult } from './log-writer.js';

interface Pending {
  op: WriteOp;
  resolve(row: LogRow): void;
  reject(err: Error): void;
}

export class WriteQueue {
  private pending: Pending[] = [];
  private scheduled = false;

  /** commit applies ops in order in one transaction (throwing if it fails); committed sees the appended rows, in revision order. */
  constructor(
    private readonly commit: (ops: WriteOp[]) => WriteResult[],
    private readonly committed: (rows: LogRow[]) => void,
  ) {}

  enqueue(op: WriteOp): Promise<LogRow> {
    return new Promise<LogRow>((resolve, reject) => {
      this.pending.push({ op, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: it lets writes that arrive with the
        // I/O of this loop turn (other HTTP requests) join the same commit.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commit everything queued now (also called on close). */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    let results: WriteResult[];
    try {
      results = this.commit(batch.map((p) => p.op));
    } catch (err) {
      for (const p of batch) p.reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const rows = results.filter((r): r is LogRow => !isStoreError(r));
    if (rows.length > 0) this.committed(rows);
    results.forEach((result, i) => {
      if (isStoreError(result)) batch[i]!.reject(result);
      else batch[i]!.resolve(result);
    });
  }
}

function isStoreError(r: WriteResult): r is StoreError {
  return r instanceof Error;
}
