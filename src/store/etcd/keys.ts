/**
 * Keys on the wire: etcd keys are bytes, the Store's are strings. A store
 * may live under a key prefix (kube-apiserver's --etcd-prefix), which is
 * added on the way in and taken off on the way out.
 */
import type { IKeyValue } from 'etcd3';
import type { KeyValue } from '../store.js';

export class KeySpace {
  private readonly prefix: Buffer;

  constructor(prefix = '') {
    this.prefix = Buffer.from(prefix, 'utf8');
  }

  /** The etcd key for a Store key. */
  key(key: string): Buffer {
    return Buffer.concat([this.prefix, Buffer.from(key, 'utf8')]);
  }

  /** The Store key for an etcd key. */
  strip(key: Buffer): string {
    return key.subarray(this.prefix.length).toString('utf8');
  }

  /** [key, range_end) covering every key that starts with prefix. */
  range(prefix: string): { key: Buffer; range_end: Buffer } {
    const key = this.key(prefix);
    return { key, range_end: prefixEnd(key) };
  }

  toKeyValue(kv: IKeyValue): KeyValue {
    return {
      key: this.strip(kv.key),
      value: kv.value.toString('utf8'),
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
    };
  }

  toKeyValueBytes(kv: IKeyValue): KeyValue<Uint8Array> {
    return {
      key: this.strip(kv.key),
      value: kv.value,
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
    };
  }
}

/**
 * The smallest key greater than every key starting with prefix: the prefix
 * with its last byte below 0xff incremented (etcd's rule; all 0xff or empty
 * means "to the end", the single byte 0).
 */
function prefixEnd(prefix: Uint8Array): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

/** The key right after `key` in byte order: where a page that ended at key resumes. */
export function keyAfter(key: Buffer): Buffer {
  return Buffer.concat([key, Buffer.from([0])]);
}
