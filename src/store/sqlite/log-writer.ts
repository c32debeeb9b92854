/**
 * Applies a batch of writes to the log in one transaction. Each write is
 * checked (exists / compare-and-swap) against the state that includes the
 * earlier writes of the same batch, so batching never changes the outcome a
 * caller would see if the writes ran one by one in the order issued.
 */
import type Database from 'better-sqlite3';
import { StoreError } from '../store.js';
import { rowToKeyValue, type LogRow } from './rows.js';

export type WriteOp =
  | { kind: 'create'; key: string; value: string }
  | { kind: 'update'; key: string; value: string; expectedRevision: number }
  | { kind: 'delete'; key: string; expectedRevision?: number };

/** Per write: the row it appended, or why it was refused. */
export type WriteResult = LogRow | StoreError;

export class LogWriter {
  private readonly latestRow: Database.Statement<[string], LogRow>;
  private readonly insertRow: Database.Statement<[LogRow]>;
  private readonly applyAll: (ops: WriteOp[], revision: number) => WriteResult[];

  constructor(db: Database.Database) {
    this.latestRow = db.prepare<[string], LogRow>('SELECT * FROM log WHERE name = ? ORDER BY id DESC LIMIT 1');
    this.insertRow = db.prepare<[LogRow]>(
      `INSERT INTO log (id, name, created, deleted, create_revision, prev_revision, value, old_value)
       VALUES (@id, @name, @created, @deleted, @create_revision, @prev_revision, @value, @old_value)`,
    );
    this.applyAll = db.transaction((ops: WriteOp[], revision: number) => {
      const results: WriteResult[] = [];
      let next = revision;
      for (const op of ops) {
        const outcome = this.plan(op, next + 1);
        if (!(outcome instanceof StoreError)) {
          this.insertRow.run(outcome);
          next = outcome.id;
        }
        results.push(outcome);
      }
      return results;
    });
  }

  /**
   * Commit ops after revision (the newest revision in the log); the appended
   * rows get consecutive revisions in op order. Throws (nothing written)
   * when the transaction itself fails, e.g. a full disk.
   */
  commit(ops: WriteOp[], revision: number): WriteResult[] {
    return this.applyAll(ops, revision);
  }

  /** The row op would append at revision id, or the error refusing it. */
  private plan(op: WriteOp, id: number): WriteResult {
    const latest = this.latestRow.get(op.key);
    const live = latest && latest.deleted === 0 ? latest : undefined;
    if (op.kind === 'create') {
      if (live) return new StoreError('KeyExists', `key ${op.key} already exists`, rowToKeyValue(live));
      return {
        id,
        name: op.key,
        created: 1,
        deleted: 0,
        create_revision: id,
        prev_revision: latest ? latest.id : 0,
        value: op.value,
        old_value: null,
      };
    }
    if (!live) return new StoreError('NotFound', `key ${op.key} not found`);
    if (op.expectedRevision !== undefined && op.expectedRevision !== live.id) {
      return new StoreError(
        'Conflict',
        `key ${op.key} was modified at revision ${live.id}, not ${op.expectedRevision}; read it again and retry`,
        rowToKeyValue(live),
      );
    }
    const deleted = op.kind === 'delete';
    return {
      id,
      name: op.key,
      created: 0,
      deleted: deleted ? 1 : 0,
      create_revision: live.create_revision,
      prev_revision: live.id,
      value: deleted ? live.value : op.value,
      old_value: live.value,
    };
  }
}
