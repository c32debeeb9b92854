/**
 * One row of the log table and how it reads back as etcd-shaped values.
 * The row id is the global revision; a row is a create, an update or a
 * tombstone (delete) of one key, and carries the value it replaced so a
 * watch event can be rebuilt from the row alone, even after compaction
 * removed the row before it.
 */
import type { KeyValue, WatchEvent } from '../store.js';

export interface LogRow {
  id: number;
  name: string;
  /** 1 when this row created the key (first write, or first after a delete). */
  created: number;
  /** 1 for a tombstone. */
  deleted: number;
  create_revision: number;
  /** Revision of the row this one supersedes (0 when the key never existed). */
  prev_revision: number;
  /** For a tombstone: the last value, so delete events can show it. */
  value: string;
  /** The value this row replaced (null for a create). */
  old_value: string | null;
}

export function rowToKeyValue(row: LogRow): KeyValue {
  return { key: row.name, value: row.value, createRevision: row.create_revision, modRevision: row.id };
}

export function rowToEvent(row: LogRow): WatchEvent {
  const kv = rowToKeyValue(row);
  if (row.created === 1 || row.old_value === null) return { type: 'put', kv };
  const prevKv: KeyValue = {
    key: row.name,
    value: row.old_value,
    createRevision: row.create_revision,
    modRevision: row.prev_revision,
  };
  return { type: row.deleted === 1 ? 'delete' : 'put', kv, prevKv };
}

/**
 * Exclusive upper bound of the keys that start with prefix, for an indexed
 * range scan `name >= prefix AND name < end`. SQLite compares TEXT as UTF-8
 * bytes (code point order), and U+10FFFF is the greatest code point, so every
 * key with the prefix sorts below prefix + U+10FFFF — except keys that
 * continue with U+10FFFF itself, a noncharacter no Kubernetes key contains.
 * The empty prefix matches every key.
 */
export function prefixRangeEnd(prefix: string): string {
  return prefix + '\u{10FFFF}';
}
