/**
 * Unpaged lists written as they are read: the store is read in pages at one
 * revision (registry/list-pages.ts) and each page is encoded and handed to
 * the socket before the next is encoded, so the answer is never held whole,
 * in any representation (JSON, YAML, Table, PartialObjectMetadataList). The
 * bytes are what a buffered answer would be: the envelope first, then the
 * items, then the envelope's end.
 */
import { stringify } from 'yaml';
import { deepClone, type KObject } from '../../api/meta.js';
import { groupVersion, type ResourceInfo } from '../../api/resources.js';
import { errors } from '../../api/errors.js';
import type { KeyValue } from '../../store/store.js';
import type { ChunkedReply } from '../http/reply.js';
import type { Representation } from '../http/negotiate.js';
import type { ListPage } from '../registry/list-pages.js';
import type { Registry } from '../registry/registry.js';
import { joinStoredItems, storedMetadataJson } from '../registry/stored-json.js';
import { toTable } from '../tables/index.js';

type ListParams = Parameters<Registry['listPaged']>[1];

/** The answer to an unpaged list, once its first page is read (errors until then are the request's). */
export async function streamedList(
  registry: Registry,
  ri: ResourceInfo,
  repr: Representation,
  params: ListParams,
  query: URLSearchParams,
): Promise<ChunkedReply> {
  if (repr.as === 'object' && repr.format === 'json') {
    const { revision, pages } = await registry.listPaged(ri, params, true);
    const decode = (kv: KeyValue<Uint8Array>) => registry.decode(kv);
    const envelope = { kind: ri.listKind, apiVersion: groupVersion(ri), metadata: listMeta(revision), items: [] };
    return json(
      chunks(jsonOpen(envelope), pages, (page, first) => joinStoredItems(page.items, decode, { leadingComma: !first })),
    );
  }
  if (repr.as === 'table') {
    const { revision, pages } = await registry.listPaged(ri, params, true);
    const opts = { includeObject: includeObject(query), listMeta: listMeta(revision), version: repr.version };
    const now = new Date();
    const rowObject = (kv: KeyValue<Uint8Array>, obj: KObject): Buffer =>
      (opts.includeObject === 'Metadata'
        ? storedMetadataJson(kv, `meta.k8s.io/${repr.version}`)
        : joinStoredItems([kv], (k) => registry.decode(k))) ??
      Buffer.from(JSON.stringify(partialMetadata(obj, repr.version)));
    return json(
      chunks(jsonOpen(toTable(ri, [], opts)), pages, (page, first) => {
        const objs = page.items.map((kv, i) => page.decoded[i] ?? registry.decode(kv));
        // Cells from the parsed object; the row's object from the stored bytes, not encoded again.
        const rows = toTable(ri, objs, { ...opts, includeObject: 'None', now }).rows;
        const parts: Buffer[] = [];
        rows.forEach((row, i) => {
          const cells = JSON.stringify(row);
          if (i > 0 || !first) parts.push(COMMA);
          if (opts.includeObject === 'None') return parts.push(Buffer.from(cells));
          parts.push(Buffer.from(cells.slice(0, -1) + ',"object":'), rowObject(page.items[i]!, objs[i]!), CLOSE);
        });
        return Buffer.concat(parts);
      }),
    );
  }
  const { revision, pages } = await registry.listPaged(ri, params, false);
  const objects = (page: ListPage<string>) => page.items.map((kv, i) => page.decoded[i] ?? registry.decode(kv));
  if (repr.as === 'metadata') {
    const version = repr.version;
    const envelope = {
      kind: 'PartialObjectMetadataList',
      apiVersion: `meta.k8s.io/${version}`,
      metadata: listMeta(revision),
      items: [],
    };
    return json(
      chunks(jsonOpen(envelope), pages, (page, first) =>
        jsonItems(
          objects(page).map((o) => partialMetadata(o, version)),
          first,
        ),
      ),
    );
  }
  // YAML: the items as a block sequence under `items:`, the envelope's last key.
  const head = stringify({ apiVersion: groupVersion(ri), kind: ri.listKind, metadata: listMeta(revision) });
  return {
    status: 200,
    headers: { 'Content-Type': 'application/yaml' },
    chunks: chunks(
      head,
      pages,
      (page, first) => Buffer.from((first ? 'items:\n' : '') + stringify(objects(page))),
      (none) => (none ? 'items: []\n' : ''),
    ),
  };
}

export function includeObject(q: URLSearchParams): 'None' | 'Metadata' | 'Object' {
  const v = q.get('includeObject');
  if (v === 'None' || v === 'Object' || v === 'Metadata') return v;
  if (v)
    throw errors.badRequest(
      `includeObject: Unsupported value: ${JSON.stringify(v)}: supported values: "Metadata", "None", "Object"`,
    );
  return 'Metadata';
}

export function partialMetadata(obj: KObject, version: string) {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: deepClone(obj.metadata) };
}

const COMMA = Buffer.from(',');
const CLOSE = Buffer.from('}');

const listMeta = (revision: number) => ({ resourceVersion: String(revision) });

const json = (body: AsyncIterable<Uint8Array>): ChunkedReply => ({
  status: 200,
  headers: { 'Content-Type': 'application/json' },
  chunks: body,
});

/** An envelope whose last key is an empty array, cut open before that array's `]}`. */
function jsonOpen(envelope: object): string {
  const text = JSON.stringify(envelope);
  if (!text.endsWith('[]}')) throw new Error('a list envelope must end with its empty items');
  return text.slice(0, -2);
}

function jsonItems(items: readonly unknown[], first: boolean): Buffer {
  return Buffer.from((first ? '' : ',') + items.map((i) => JSON.stringify(i)).join(','));
}

/** The head, each page that has items (`first` for the first such), then the end (`none`: no items at all). */
async function* chunks<V>(
  head: string,
  pages: AsyncIterable<ListPage<V>>,
  encode: (page: ListPage<V>, first: boolean) => Buffer,
  end: (none: boolean) => string = () => ']}',
): AsyncGenerator<Uint8Array, void, undefined> {
  yield Buffer.from(head);
  let first = true;
  for await (const page of pages) {
    if (page.items.length === 0) continue;
    yield encode(page, first);
    first = false;
  }
  const tail = end(first);
  if (tail) yield Buffer.from(tail);
}
