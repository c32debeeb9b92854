/**
 * Items of a list answer straight from the stored bytes: stored values start
 * with apiVersion, kind, metadata (see Registry.encode), so the first
 * `"metadata":{` is the object's own and its resourceVersion is spliced in
 * there as bytes, without parsing the object and encoding it again.
 */
import type { KObject } from '../../api/meta.js';
import type { KeyValue } from '../../store/store.js';

const METADATA_OPEN_BYTES = Buffer.from('"metadata":{');
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;
const versionField = (rev: number) => `"resourceVersion":"${rev}"`;

/** A Buffer view of bytes, without copying. */
export const asBuffer = (b: Uint8Array): Buffer =>
  Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/**
 * `before`, the items' JSON separated by commas (and preceded by one when
 * `leadingComma`), then `after`, in one buffer of exactly that size.
 * `decode` is the fallback for a value that does not start as expected.
 */
export function joinStoredItems(
  kvs: readonly KeyValue<Uint8Array>[],
  decode: (kv: KeyValue<Uint8Array>) => KObject,
  opts: { before?: string; after?: string; leadingComma?: boolean } = {},
): Buffer {
  const before = Buffer.from(opts.before ?? '');
  const after = Buffer.from(opts.after ?? '');
  // Pass 1: where each version goes, and the exact size of the answer.
  const cuts = new Int32Array(kvs.length);
  const reencoded: (Buffer | undefined)[] = [];
  const commas = kvs.length === 0 ? 0 : kvs.length - 1 + (opts.leadingComma ? 1 : 0);
  let size = before.length + commas + after.length;
  for (let i = 0; i < kvs.length; i++) {
    const v = asBuffer(kvs[i]!.value);
    const at = v.indexOf(METADATA_OPEN_BYTES);
    if (at < 0) {
      reencoded[i] = Buffer.from(JSON.stringify(decode(kvs[i]!)));
      size += reencoded[i]!.length;
      continue;
    }
    const cut = at + METADATA_OPEN_BYTES.length;
    cuts[i] = cut;
    size += v.length + versionField(kvs[i]!.modRevision).length + (v[cut] === CLOSE_BRACE ? 0 : 1);
  }
  // Pass 2: copy.
  const out = Buffer.allocUnsafe(size);
  let off = before.copy(out, 0);
  for (let i = 0; i < kvs.length; i++) {
    if (i > 0 || opts.leadingComma) out[off++] = COMMA;
    const v = asBuffer(kvs[i]!.value);
    const again = reencoded[i];
    if (again) {
      off += again.copy(out, off);
      continue;
    }
    const cut = cuts[i]!;
    off += v.copy(out, off, 0, cut);
    off += out.write(versionField(kvs[i]!.modRevision), off, 'latin1');
    if (v[cut] !== CLOSE_BRACE) out[off++] = COMMA;
    off += v.copy(out, off, cut);
  }
  after.copy(out, off);
  return out;
}
