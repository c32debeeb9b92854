import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { storeConformanceSuite } from '../conformance.js';
import { SqliteStore } from './sqlite-store.js';

storeConformanceSuite('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-store-'));
  // A nested path also checks that open() creates the parent directories.
  const path = join(dir, 'state', 'db', 'state.db');
  return {
    store: SqliteStore.open(path),
    reopen: async () => SqliteStore.open(path),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

storeConformanceSuite('sqlite in memory', async () => ({
  store: SqliteStore.open(':memory:'),
  cleanup: async () => {},
}));

test('a second process-level open of the same file is refused with a clear message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-store-'));
  const path = join(dir, 'state.db');
  const first = SqliteStore.open(path);
  try {
    assert.throws(() => SqliteStore.open(path), /in use by another process/);
    await first.create('/still/works', 'x');
  } finally {
    await first.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('automatic compaction keeps the window of recent revisions and the current state', async () => {
  const store = SqliteStore.open(':memory:', { compactWindow: 10 });
  try {
    const first = await store.create('/a/churn', '0');
    let kv = first;
    for (let i = 1; i <= 30; i++) kv = await store.update('/a/churn', `${i}`, kv.modRevision);
    const other = await store.create('/a/other', 'x');
    const current = await store.currentRevision();
    assert.equal(await store.compactOldRevisions(), current - 10);
    assert.equal(await store.compactedRevision(), current - 10);
    assert.deepEqual((await store.list('/a/')).items, [kv, other]);
    // The window is still readable (update i was written at first + i); just below it is not.
    const oldest = await store.list('/a/', { revision: current - 10 });
    assert.equal(oldest.items[0]!.value, String(current - 10 - first.modRevision));
    await assert.rejects(store.list('/a/', { revision: current - 11 }), { code: 'Compacted' });
  } finally {
    await store.close();
  }
});

test('writes issued together commit together yet keep per-write compare-and-swap', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    // Issued in one tick: create, then an update that must see that create,
    // then a create that must see the key exists, then a stale update.
    const created = store.create('/b/k', '1');
    const updated = store.update('/b/k', '2', (await store.currentRevision()) + 1);
    const duplicate = store.create('/b/k', 'dup');
    const stale = store.update('/b/k', '3', 1);
    const [c, u] = await Promise.all([created, updated]);
    await assert.rejects(duplicate, { code: 'KeyExists' });
    await assert.rejects(stale, { code: 'Conflict' });
    assert.equal(u.modRevision, c.modRevision + 1);
    assert.deepEqual(await store.get('/b/k'), u);
  } finally {
    await store.close();
  }
});

test('a compaction cut short by close finishes when the store is opened again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-store-'));
  const path = join(dir, 'state.db');
  const rowsOnDisk = () => {
    const db = new Database(path, { readonly: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM log').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  try {
    let store = SqliteStore.open(path);
    let kv = await store.create('/c/k', '0');
    for (let i = 1; i <= 2500; i++) kv = await store.update('/c/k', `${i}`, kv.modRevision);
    const compacting = store.compact(kv.modRevision);
    await store.close();
    await compacting;
    assert.equal(rowsOnDisk(), 2501, 'close stopped the compaction before it deleted anything');

    store = SqliteStore.open(path);
    assert.equal(await store.compactedRevision(), kv.modRevision);
    await store.compact(kv.modRevision); // waits for the resumed run
    assert.deepEqual(await store.get('/c/k'), kv);
    await store.close();
    assert.equal(rowsOnDisk(), 1, 'only the current row of the key is left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
