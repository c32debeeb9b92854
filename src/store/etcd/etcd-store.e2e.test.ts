import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { needs } from '../../testing/requirements.js';
import { storeConformanceSuite } from '../conformance.js';
import type { KeyValue, WatchEvent } from '../store.js';
import { EtcdStore } from './etcd-store.js';
import { etcdServer, startThrowawayEtcd, type ThrowawayEtcd } from './testing/throwaway-etcd.js';

const skip = needs(etcdServer);

describe('etcd store', { skip }, () => {
  let etcd: ThrowawayEtcd | undefined;
  before(async () => {
    etcd = await startThrowawayEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });

  // Every test gets its own key prefix on the one etcd; the revision is shared, as in any etcd.
  storeConformanceSuite('etcd', async () => {
    const keyPrefix = `/podnet-test-${randomUUID()}`;
    const open = () =>
      new EtcdStore({ endpoints: [etcd!.endpoint], keyPrefix, progressIntervalMs: 1000, compaction: false });
    return {
      store: open(),
      reopen: async () => open(),
      cleanup: async () => {
        const client = new Etcd3({ hosts: etcd!.endpoint });
        try {
          await client.delete().prefix(keyPrefix);
        } finally {
          client.close();
        }
      },
    };
  });
});

describe('etcd store: etcd specifics', { skip }, () => {
  let etcd: ThrowawayEtcd | undefined;
  before(async () => {
    etcd = await startThrowawayEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });
  const open = () =>
    new EtcdStore({
      endpoints: [etcd!.endpoint],
      keyPrefix: `/t-${randomUUID()}`,
      progressIntervalMs: 200,
      compaction: false,
    });

  test('a quiet watch reports progress past writes elsewhere (bookmarks)', async () => {
    const store = open();
    try {
      const from = await store.currentRevision();
      const elsewhere = await store.create('/other/a', 'x');
      const progressed = await new Promise<number>((resolve, reject) => {
        const w = store.watch('/quiet/', from, {
          onEvents: () => reject(new Error('no event was expected under /quiet/')),
          onError: reject,
          onProgress: (rev) => {
            if (rev >= elsewhere.modRevision) {
              w.cancel();
              resolve(rev);
            }
          },
        });
      });
      assert.ok(progressed >= elsewhere.modRevision);
    } finally {
      await store.close();
    }
  });

  test('a watch survives etcd restarting: every event once, in order', async () => {
    const store = open();
    try {
      const from = await store.currentRevision();
      const got: WatchEvent[] = [];
      let wake = () => {};
      let failure: Error | undefined;
      const w = store.watch('/w/', from, {
        onEvents: (events) => {
          got.push(...events);
          wake();
        },
        onError: (err) => {
          failure = err;
          wake();
        },
      });
      const written: KeyValue[] = [];
      for (let i = 0; i < 5; i++) written.push(await store.create(`/w/before-${i}`, 'x'));
      await etcd!.restart();
      for (let i = 0; i < 5; i++) written.push(await store.create(`/w/after-${i}`, 'x'));
      while (got.length < written.length && !failure) await new Promise<void>((resolve) => (wake = resolve));
      w.cancel();
      assert.equal(failure, undefined);
      assert.deepEqual(
        got.map((e) => e.kv),
        written,
      );
    } finally {
      await store.close();
    }
  });

  /** etcd's own count of watchers (its metrics endpoint), after it settles on `want` or 100 polls. */
  const watchersSettledAt = async (want: number): Promise<number> => {
    let n = -1;
    for (let i = 0; i < 100 && n !== want; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      const text = await (await fetch(`${etcd!.endpoint}/metrics`)).text();
      n = Number(/^etcd_debugging_mvcc_watcher_total (\d+)/m.exec(text)?.[1] ?? NaN);
    }
    return n;
  };

  test('watches on one prefix share one etcd watcher, and cancelled ones leave none behind', async () => {
    const store = open();
    try {
      const before = await watchersSettledAt(0);
      const from = await store.currentRevision();
      const seen: WatchEvent[][] = [];
      const watches = Array.from({ length: 20 }, () =>
        store.watch('/shared/', from, { onEvents: (e) => seen.push(e), onError: () => undefined }),
      );
      const other = store.watch('/elsewhere/', from, { onEvents: () => undefined, onError: () => undefined });
      const written = await store.create('/shared/a', 'x');
      while (seen.length < 20) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(await watchersSettledAt(before + 2), before + 2);
      // One decode for all: every watch got the very same event object.
      assert.deepEqual(
        seen[0]!.map((e) => e.kv),
        [written],
      );
      for (const events of seen) assert.equal(events[0], seen[0]![0]);
      for (const w of watches) w.cancel();
      other.cancel();
      assert.equal(await watchersSettledAt(before), before);
    } finally {
      await store.close();
    }
  });

  test('a watch that shares a stream started below the compacted revision goes on from its own', async () => {
    const store = open();
    try {
      let kv = await store.create('/h/a', '0');
      const old = kv.modRevision - 1;
      for (let i = 1; i < 4; i++) kv = await store.update('/h/a', `${i}`, kv.modRevision);
      await store.compact(kv.modRevision);
      const recent = kv.modRevision;
      // Same turn: the second joins the shared stream the first starts from a compacted revision.
      const failed = new Promise<Error>((resolve) =>
        store.watch('/h/', old, { onEvents: () => resolve(new Error('events')), onError: resolve }),
      );
      const got: WatchEvent[] = [];
      let failure: Error | undefined;
      const live = store.watch('/h/', recent, { onEvents: (e) => got.push(...e), onError: (e) => (failure = e) });
      assert.equal(((await failed) as { code?: string }).code, 'Compacted');
      const next = await store.update('/h/a', 'after', kv.modRevision);
      while (got.length === 0 && !failure) await new Promise((resolve) => setTimeout(resolve, 10));
      live.cancel();
      assert.equal(failure, undefined);
      assert.deepEqual(
        got.map((e) => e.kv),
        [next],
      );
    } finally {
      await store.close();
    }
  });

  test('reads and compaction below the compacted revision report it', async () => {
    const store = open();
    try {
      let kv = await store.create('/c/a', '0');
      for (let i = 1; i < 5; i++) kv = await store.update('/c/a', `${i}`, kv.modRevision);
      await store.compact(kv.modRevision);
      // A second client learns the compacted revision from etcd alone.
      const other = open();
      try {
        assert.equal(await other.compactedRevision(), kv.modRevision);
        await assert.rejects(other.list('/c/', { revision: kv.modRevision - 1 }), {
          code: 'Compacted',
          revision: kv.modRevision,
        });
        await other.compact(kv.modRevision - 2); // already compacted past: nothing to do
      } finally {
        await other.close();
      }
    } finally {
      await store.close();
    }
  });
});
