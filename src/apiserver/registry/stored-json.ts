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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;

/**
 * The stored object's metadata as a PartialObjectMetadata's JSON, cut from
 * the stored bytes with the resourceVersion spliced in (a Table row's object
 * for includeObject=Metadata, what kubectl asks for), or undefined when the
 * value does not start as expected and the caller must encode it itself.
 */
export function storedMetadataJson(kv: KeyValue<Uint8Array>, apiVersion: string): Buffer | undefined {
  const v = asBuffer(kv.value);
  const at = v.indexOf(METADATA_OPEN_BYTES);
  if (at < 0) return undefined;
  const cut = at + METADATA_OPEN_BYTES.length;
  const end = objectEnd(v, cut);
  if (end < 0) return undefined;
  const empty = v[cut] === CLOSE_BRACE;
  return Buffer.concat([
    Buffer.from(
      `{"kind":"PartialObjectMetadata","apiVersion":"${apiVersion}","metadata":{${versionField(kv.modRevision)}${empty ? '' : ','}`,
    ),
    v.subarray(cut, end),
    CLOSING,
  ]);
}

const CLOSING = Buffer.from('}');

/** The index just past the `}` that closes an object whose body starts at `from`; -1 if the bytes end first. */
function objectEnd(v: Buffer, from: number): number {
  let depth = 1;
  let inString = false;
  for (let i = from; i < v.length; i++) {
    const c = v[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE) depth++;
    else if (c === CLOSE_BRACE && --depth === 0) return i + 1;
  }
  return -1;
}
