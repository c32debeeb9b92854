/**
 * Unpaged lists through a real in-process API server are written page by
 * page: the answer is whole and one snapshot (every page read at the first
 * page's revision, a write in between not shown), no single write holds
 * much more than a page, and a store failure midway cuts the connection
 * instead of ending a partial answer as if it were whole.
 */
import assert from 'node:assert/strict';
import { ServerResponse } from 'node:http';
import https from 'node:https';
import { test, type TestContext } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { findResource } from '../api/resources.js';
import type { KList, KObject } from '../api/meta.js';
import type { ListOptions, ListResult, Store } from '../store/store.js';
import { testApiServer } from '../testing/apiserver.js';
import type { RunningApiServer } from './server.js';
import { PAGE_BYTES } from './registry/list-pages.js';

const configMaps = findResource('', 'v1', 'configmaps')!;
const BLOB = 64 << 10;
const COUNT = 200; // 12.5 MiB of values: three PAGE_BYTES and more

type ReadBytes = (prefix: string, o?: ListOptions) => Promise<ListResult<Uint8Array>>;

/** Calls `around` for every listBytes of the store under `prefix`, in place of the store's own. */
function interceptListBytes(
  t: TestContext,
  store: Store,
  prefix: string,
  around: (read: () => Promise<ListResult<Uint8Array>>, o: ListOptions) => Promise<ListResult<Uint8Array>>,
): void {
  const own: ReadBytes = store.listBytes.bind(store);
  store.listBytes = (p: string, o: ListOptions = {}) => (p.startsWith(prefix) ? around(() => own(p, o), o) : own(p, o));
  t.after(() => {
    store.listBytes = own;
  });
}

/** The largest single buffer the server writes to any response while `run` runs. */
async function largestWrite<T>(run: () => Promise<T>): Promise<{ result: T; largest: number }> {
  // The prototype's own method, put back as it was; it is only ever called with a response as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const write = ServerResponse.prototype.write;
  let largest = 0;
  ServerResponse.prototype.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    const n = typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Uint8Array).byteLength;
    largest = Math.max(largest, n);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof write;
  try {
    return { result: await run(), largest };
  } finally {
    ServerResponse.prototype.write = write;
  }
}

const blobOf = (i: number) => String(i % 10).repeat(BLOB);

test('an unpaged list of 12 MiB is whole, one snapshot, and written a page at a time', async (t) => {
  const { server, client } = await testApiServer(t, { controllers: false });
  const ns = `list-stream-${process.pid}`;
  await client.create(findResource('', 'v1', 'namespaces')!, undefined, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  const names = Array.from({ length: COUNT }, (_, i) => `cm-${String(i).padStart(3, '0')}`);
  for (const [i, name] of names.entries())
    await client.create(configMaps, ns, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, labels: { half: String(i % 2) } },
      data: { blob: blobOf(i) },
    });

  const reads: { revision?: number; limit?: number; at: number }[] = [];
  let wroteDuring = false;
  interceptListBytes(t, server.store, `/registry/configmaps/${ns}/`, async (read, o) => {
    const res = await read();
    reads.push({ revision: o.revision, limit: o.limit, at: res.revision });
    // A write between the first page and the second: the list must not show it.
    if (!wroteDuring) {
      wroteDuring = true;
      await client.create(configMaps, ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-late' } });
    }
    return res;
  });

  const { result: raw, largest } = await largestWrite(() => client.raw('GET', `/api/v1/namespaces/${ns}/configmaps`));
  assert.equal(raw.status, 200);
  assert.ok(raw.body.length > 3 * PAGE_BYTES, `the list is ${raw.body.length} bytes, more than three pages`);
  const list = JSON.parse(raw.body) as KList<KObject & { data?: Record<string, string> }>;
  assert.equal(list.kind, 'ConfigMapList');
  assert.deepEqual(
    list.items.map((o) => o.metadata.name),
    names,
  );
  list.items.forEach((o, i) => {
    assert.equal(o.data?.['blob'], blobOf(i), `${o.metadata.name}'s data`);
    assert.ok(Number(o.metadata.resourceVersion) <= Number(list.metadata.resourceVersion));
  });
  assert.ok(reads.length >= 4, `read in ${reads.length} pages`);
  const at = reads[0]!.at;
  assert.equal(list.metadata.resourceVersion, String(at));
  assert.deepEqual(
    reads.slice(1).map((r) => r.revision),
    reads.slice(1).map(() => at),
    'every later page is read at the first page revision',
  );
  // A page of values plus one object's slack: never the whole list.
  assert.ok(largest <= PAGE_BYTES + 2 * BLOB, `largest write ${largest} bytes`);

  // Other representations stream the same snapshot logic: Table rows, YAML, a selector.
  const odd = await client.json<KList>('GET', `/api/v1/namespaces/${ns}/configmaps?labelSelector=half%3D1`);
  assert.deepEqual(
    odd.items.map((o) => o.metadata.name),
    names.filter((_, i) => i % 2 === 1),
  );
  const asTable = await fetchWithAccept(
    server,
    `/api/v1/namespaces/${ns}/configmaps`,
    'application/json;as=Table;v=v1;g=meta.k8s.io',
  );
  const rows = (JSON.parse(asTable) as { rows: { cells: unknown[]; object: KObject }[] }).rows;
  // Each row's object is the item's metadata (cut from the stored bytes), as a PartialObjectMetadata.
  assert.deepEqual(rows[7]!.object, {
    kind: 'PartialObjectMetadata',
    apiVersion: 'meta.k8s.io/v1',
    metadata: list.items[7]!.metadata,
  });
  assert.deepEqual(
    rows.map((r) => r.cells[0]),
    [...names, 'cm-late'],
  );
  const yaml = parseYaml(
    await fetchWithAccept(server, `/api/v1/namespaces/${ns}/configmaps?labelSelector=half%3D0`, 'application/yaml'),
  ) as KList;
  assert.equal(yaml.kind, 'ConfigMapList');
  assert.deepEqual(
    yaml.items.map((o) => o.metadata.name),
    names.filter((_, i) => i % 2 === 0),
  );
  const none = parseYaml(
    await fetchWithAccept(server, `/api/v1/namespaces/${ns}/configmaps?labelSelector=half%3D9`, 'application/yaml'),
  ) as KList;
  assert.deepEqual(none.items, []);
});

test('a store failure in the middle of a list cuts the answer off instead of ending it', async (t) => {
  const { server, client } = await testApiServer(t, { controllers: false });
  const ns = `list-cut-${process.pid}`;
  await client.create(findResource('', 'v1', 'namespaces')!, undefined, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  for (let i = 0; i < 40; i++)
    await client.create(configMaps, ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` } });
  let pages = 0;
  interceptListBytes(t, server.store, `/registry/configmaps/${ns}/`, async (read) => {
    if (++pages === 2) throw new Error('the store went away');
    return read();
  });
  await assert.rejects(client.raw('GET', `/api/v1/namespaces/${ns}/configmaps`), /aborted|socket hang up|ECONNRESET/);
  assert.equal(pages, 2);
  // The server goes on answering.
  const ok = await client.raw('GET', `/api/v1/namespaces/${ns}/configmaps?limit=5`);
  assert.equal(ok.status, 200);
});

/** GET with an Accept header, as kubectl asks for Tables; the body as text. */
function fetchWithAccept(server: RunningApiServer, path: string, accept: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      new URL(path, server.url),
      { ca: server.caCertPem, headers: { accept, authorization: `Bearer ${server.adminToken}` } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          const body = Buffer.concat(parts).toString('utf8');
          if (res.statusCode === 200) resolve(body);
          else reject(new Error(`GET ${path}: ${res.statusCode}: ${body}`));
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

test('a paged list ends a page at PAGE_BYTES of values, whatever limit asked, and continues from there', async (t) => {
  const { client } = await testApiServer(t, { controllers: false });
  const ns = `list-cap-${process.pid}`;
  await client.create(findResource('', 'v1', 'namespaces')!, undefined, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  const count = Math.ceil((PAGE_BYTES * 2.5) / BLOB);
  const names = Array.from({ length: count }, (_, i) => `cm-${String(i).padStart(3, '0')}`);
  for (const [i, name] of names.entries())
    await client.create(configMaps, ns, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name },
      data: { blob: blobOf(i) },
    });

  const seen: string[] = [];
  let token = '';
  let pages = 0;
  do {
    const q = `limit=${count}${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
    const { result: raw, largest } = await largestWrite(() =>
      client.raw('GET', `/api/v1/namespaces/${ns}/configmaps?${q}`),
    );
    assert.equal(raw.status, 200, raw.body);
    assert.ok(largest < PAGE_BYTES + 2 * BLOB, `a write of ${largest} bytes`);
    const page = JSON.parse(raw.body) as KList;
    pages++;
    assert.ok(
      page.items.length < count,
      `page ${pages} holds ${page.items.length} items: the byte bound did not apply`,
    );
    seen.push(...page.items.map((o) => o.metadata.name!));
    token = page.metadata.continue ?? '';
    if (token) assert.equal(page.metadata.remainingItemCount, count - seen.length);
  } while (token);
  assert.equal(pages, 3);
  assert.deepEqual(seen, names);
});
