/**
 * An unpaged list read from the store in pages, so no step holds the whole
 * list: every page is read at the revision of the first (etcd's ranged read
 * at a revision, SQLite's log as of a revision), so the pages together are
 * one snapshot with one resourceVersion, as an unpaged list is. The first
 * page is a few items (their size is unknown yet), each later one sized to
 * about PAGE_BYTES of values at the size seen so far; the next page is read
 * while the caller writes this one out.
 */
import type { KObject } from '../../api/meta.js';
import type { KeyValue, ListOptions, ListResult } from '../../store/store.js';

/** Stored bytes per page read: the memory a list holds is a small multiple of this, whatever its length. */
export const PAGE_BYTES = 4 << 20;
const FIRST_PAGE_ITEMS = 32;
const MIN_PAGE_ITEMS = 16;
export const MAX_PAGE_ITEMS = 10_000;

export interface ListPage<V> {
  /** The page's items that pass the selector, in key order. */
  items: KeyValue<V>[];
  /** Each item decoded, where the selector had to decode it. */
  decoded: (KObject | undefined)[];
}

export interface PagedList<V> {
  /** The revision every page is read at: the list's resourceVersion. */
  revision: number;
  /** The first page, then the rest, read as they are asked for; stops reading when the caller stops. */
  pages: AsyncGenerator<ListPage<V>, void, undefined>;
}

/**
 * Reads the first page before it returns, so a failing read (a compacted or
 * future revision) fails the request before any of its answer is sent.
 * `read` is one ranged read of the store; `predicate` filters decoded items.
 */
export async function readPaged<V extends string | Uint8Array>(
  read: (o: ListOptions) => Promise<ListResult<V>>,
  revision: number,
  decode: (kv: KeyValue<V>) => KObject,
  predicate: ((o: KObject) => boolean) | undefined,
): Promise<PagedList<V>> {
  const first = await read({ limit: FIRST_PAGE_ITEMS, revision, skipRemaining: true });
  const at = first.revision;
  const fetchAfter = (res: ListResult<V>): Promise<ListResult<V>> | undefined => {
    if (!res.more || res.items.length === 0) return undefined;
    const next = read({
      limit: nextPageItems(res.items),
      startAfter: res.items[res.items.length - 1]!.key,
      revision: at,
      skipRemaining: true,
    });
    // Read ahead: if the caller stops before it wants this page, its failure concerns no one.
    next.catch(() => undefined);
    return next;
  };
  async function* pages(): AsyncGenerator<ListPage<V>, void, undefined> {
    let res: ListResult<V> | undefined = first;
    while (res) {
      const ahead = fetchAfter(res);
      yield filtered(res.items, decode, predicate);
      res = await ahead;
    }
  }
  return { revision: at, pages: pages() };
}

/** As many items as fill PAGE_BYTES at the size of this page's items. */
function nextPageItems(items: readonly KeyValue<string | Uint8Array>[]): number {
  let bytes = 0;
  for (const kv of items) bytes += typeof kv.value === 'string' ? kv.value.length : kv.value.byteLength;
  const perItem = Math.max(1, bytes / items.length);
  return Math.min(MAX_PAGE_ITEMS, Math.max(MIN_PAGE_ITEMS, Math.floor(PAGE_BYTES / perItem)));
}

function filtered<V>(
  kvs: KeyValue<V>[],
  decode: (kv: KeyValue<V>) => KObject,
  predicate: ((o: KObject) => boolean) | undefined,
): ListPage<V> {
  if (!predicate) return { items: kvs, decoded: kvs.map(() => undefined) };
  const page: ListPage<V> = { items: [], decoded: [] };
  for (const kv of kvs) {
    const obj = decode(kv);
    if (!predicate(obj)) continue;
    page.items.push(kv);
    page.decoded.push(obj);
  }
  return page;
}
