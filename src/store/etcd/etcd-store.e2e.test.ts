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
