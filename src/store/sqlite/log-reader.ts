/**
 * Reads over the log. "The state as of revision R" is, for every key, its
 * newest row with id <= R, unless that row is a tombstone.
 */
import type Database from 'better-sqlite3';
import { COMPACTED_REVISION } from './schema.js';
import { prefixRangeEnd, type LogRow } from './rows.js';

interface RangeParams {
  low: string;
  end: string;
  rev: number;
  limit: number;
}

/*
 * Both forms pick, per key in [low, end), its newest row with id <= rev and
 * drop tombstones; `lowOp` is >= (from a prefix) or > (after a key).
 * Pages walk the (name, id) index in key order and stop at the limit, so a
 * page costs the same at any table size; counts take the newest id per key
 * straight from the covering index and touch only those rows.
 */
function pageSql(lowOp: '>=' | '>', columns = '*'): string {
  return `SELECT ${columns} FROM log AS row INDEXED BY log_name_id
    WHERE name ${lowOp} @low AND name < @end AND id <= @rev
      AND NOT EXISTS (SELECT 1 FROM log AS newer WHERE newer.name = row.name AND newer.id > row.id AND newer.id <= @rev)
      AND deleted = 0
    ORDER BY name LIMIT @limit`;
}

function countSql(lowOp: '>=' | '>'): string {
  return `SELECT COUNT(*) AS n FROM log JOIN (
      SELECT MAX(id) AS id FROM log INDEXED BY log_name_id
      WHERE name ${lowOp} @low AND name < @end AND id <= @rev GROUP BY name
    ) AS latest ON latest.id = log.id
    WHERE log.deleted = 0`;
}

/** A page row with its value as bytes (BLOB): what listBytes returns, without old_value. */
interface ValueBytesRow {
  id: number;
  name: string;
  create_revision: number;
  value: Buffer;
}
const BYTES_COLUMNS = 'id, name, create_revision, CAST(value AS BLOB) AS value';

export class LogReader {
  private readonly latestRow: Database.Statement<[string], LogRow>;
  private readonly pageFromPrefix: Database.Statement<[RangeParams], LogRow>;
  private readonly pageAfterKey: Database.Statement<[RangeParams], LogRow>;
  private readonly bytesFromPrefix: Database.Statement<[RangeParams], ValueBytesRow>;
  private readonly bytesAfterKey: Database.Statement<[RangeParams], ValueBytesRow>;
  private readonly countFromPrefix: Database.Statement<[Omit<RangeParams, 'limit'>], { n: number }>;
  private readonly countAfterKey: Database.Statement<[Omit<RangeParams, 'limit'>], { n: number }>;
  private readonly rowsAfter: Database.Statement<[number], LogRow>;
  private readonly sequence: Database.Statement<[], { seq: number }>;
  private readonly compacted: Database.Statement<[string], { value: number }>;

  constructor(db: Database.Database) {
    this.latestRow = db.prepare('SELECT * FROM log WHERE name = ? ORDER BY id DESC LIMIT 1');
    this.pageFromPrefix = db.prepare(pageSql('>='));
    this.pageAfterKey = db.prepare(pageSql('>'));
    this.bytesFromPrefix = db.prepare(pageSql('>=', BYTES_COLUMNS));
    this.bytesAfterKey = db.prepare(pageSql('>', BYTES_COLUMNS));
    this.countFromPrefix = db.prepare(countSql('>='));
    this.countAfterKey = db.prepare(countSql('>'));
    this.rowsAfter = db.prepare('SELECT * FROM log WHERE id > ? ORDER BY id');
    this.sequence = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'log'");
    this.compacted = db.prepare('SELECT value FROM meta WHERE key = ?');
  }

  /** The newest row of key (possibly a tombstone). */
  latest(key: string): LogRow | undefined {
    return this.latestRow.get(key);
  }

  /**
   * Live keys under prefix as of rev, in key order, strictly after startAfter
   * when given; at most limit rows (negative: no limit).
   */
  page(prefix: string, rev: number, limit: number, startAfter?: string): LogRow[] {
    const end = prefixRangeEnd(prefix);
    if (startAfter !== undefined && startAfter >= prefix) {
      return this.pageAfterKey.all({ low: startAfter, end, rev, limit });
    }
    return this.pageFromPrefix.all({ low: prefix, end, rev, limit });
  }

  /**
   * page, with values as bytes. Buffers live outside the JS heap, so a large
   * list makes no garbage-collector work the way 10k value strings do.
   */
  pageBytes(prefix: string, rev: number, limit: number, startAfter?: string): ValueBytesRow[] {
    const end = prefixRangeEnd(prefix);
    if (startAfter !== undefined && startAfter >= prefix) {
      return this.bytesAfterKey.all({ low: startAfter, end, rev, limit });
    }
    return this.bytesFromPrefix.all({ low: prefix, end, rev, limit });
  }

  /** Number of live keys under prefix as of rev, strictly after startAfter when given. */
  count(prefix: string, rev: number, startAfter?: string): number {
    const end = prefixRangeEnd(prefix);
    const row =
      startAfter !== undefined && startAfter >= prefix
        ? this.countAfterKey.get({ low: startAfter, end, rev })
        : this.countFromPrefix.get({ low: prefix, end, rev });
    return row?.n ?? 0;
  }

  /** Every row under prefix with revision > after, in revision order. */
  history(prefix: string, after: number): LogRow[] {
    const rows: LogRow[] = [];
    // Scan by revision (the primary key) and filter names here: the watch
    // window is bounded by compaction, and this needs no sort.
    for (const row of this.rowsAfter.iterate(after)) {
      if (row.name.startsWith(prefix)) rows.push(row);
    }
    return rows;
  }

  /** The newest revision ever assigned (survives compaction of the newest rows). */
  currentRevision(): number {
    return this.sequence.get()?.seq ?? 0;
  }

  compactedRevision(): number {
    return this.compacted.get(COMPACTED_REVISION)?.value ?? 0;
  }
}
