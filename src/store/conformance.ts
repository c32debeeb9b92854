/**
 * The Store contract as one test suite. Every implementation (sqlite, etcd)
 * runs exactly this suite, so they stay interchangeable: the API server can
 * only rely on what is checked here.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StoreError, type KeyValue, type ListResult, type Store, type WatchEvent } from './store.js';

interface StoreUnderTest {
  store: Store;
  /** Open the same data again; the suite has closed `store` before calling it. Omit if the store is not persistent. */
  reopen?: () => Promise<Store>;
  /** Remove everything the store left behind (files, etcd keys); called even when a test fails. */
  cleanup: () => Promise<void>;
}

/** Timeout per test: a store that loses an event would otherwise hang the run. */
const TEST_TIMEOUT_MS = 30_000;

/**
 * Register the conformance tests for one Store implementation. open() must
 * return an empty store (fresh file, fresh etcd prefix) on every call.
 */
export function storeConformanceSuite(name: string, open: () => Promise<StoreUnderTest>): void {
  type Body = (s: { store: Store; reopened: () => Promise<Store> }) => Promise<void>;

  /** A test on a fresh store, closed and cleaned up afterwards whatever happens (the runner awaits it, as with test()). */
  const it = (title: string, body: Body, needs: { reopen?: boolean } = {}): void =>
    void test(title, { timeout: TEST_TIMEOUT_MS }, async (t) => {
      const sut = await open();
      let current = sut.store;
      try {
        if (needs.reopen && !sut.reopen) {
          t.skip('the store is not persistent');
          return;
        }
        await body({
          store: sut.store,
          reopened: async () => {
            await current.close();
            current = await sut.reopen!();
            return current;
          },
        });
      } finally {
        await current.close().catch(() => undefined); // cleanup after the test's own failure
        await sut.cleanup();
      }
    });

  describe(`Store conformance: ${name}`, () => {
    it('create then get returns the value with createRevision = modRevision', async ({ store }) => {
      const before = await store.currentRevision();
      const kv = await store.create('/t/a', 'one');
      assert.equal(kv.key, '/t/a');
      assert.equal(kv.value, 'one');
      assert.ok(kv.modRevision > before, 'a write moves the revision forward');
      assert.equal(kv.createRevision, kv.modRevision);
      assert.deepEqual(await store.get('/t/a'), kv);
      assert.equal(await store.currentRevision(), kv.modRevision);
    });

    it('get of a missing key is undefined', async ({ store }) => {
      assert.equal(await store.get('/t/missing'), undefined);
    });

    it('create of an existing key fails with KeyExists and changes nothing', async ({ store }) => {
      const kv = await store.create('/t/a', 'one');
      await assertStoreError(store.create('/t/a', 'two'), 'KeyExists');
      assert.deepEqual(await store.get('/t/a'), kv);
    });

    it('update with the current revision replaces the value and keeps createRevision', async ({ store }) => {
      const created = await store.create('/t/a', 'one');
      const updated = await store.update('/t/a', 'two', created.modRevision);
      assert.equal(updated.value, 'two');
      assert.ok(updated.modRevision > created.modRevision);
      assert.equal(updated.createRevision, created.createRevision);
      assert.deepEqual(await store.get('/t/a'), updated);
    });

    it('update with a stale revision fails with Conflict carrying the current value', async ({ store }) => {
      const created = await store.create('/t/a', 'one');
      const updated = await store.update('/t/a', 'two', created.modRevision);
      const err = await assertStoreError(store.update('/t/a', 'three', created.modRevision), 'Conflict');
      assert.deepEqual(err.current, updated);
      assert.deepEqual(await store.get('/t/a'), updated);
    });

    it('update and delete of a missing key fail with NotFound', async ({ store }) => {
      await assertStoreError(store.update('/t/missing', 'x', 1), 'NotFound');
      await assertStoreError(store.delete('/t/missing'), 'NotFound');
      await assertStoreError(store.delete('/t/missing', 1), 'NotFound');
    });

    it('delete returns the last value at the deleting revision; the key can be created again', async ({ store }) => {
      const created = await store.create('/t/a', 'one');
      const updated = await store.update('/t/a', 'two', created.modRevision);
      const deleted = await store.delete('/t/a');
      assert.equal(deleted.key, '/t/a');
      assert.equal(deleted.value, 'two');
      assert.equal(deleted.createRevision, created.createRevision);
      assert.ok(deleted.modRevision > updated.modRevision, 'a delete is a write with its own revision');
      assert.equal(await store.currentRevision(), deleted.modRevision);
      assert.equal(await store.get('/t/a'), undefined);
      await assertStoreError(store.delete('/t/a'), 'NotFound');
      const again = await store.create('/t/a', 'three');
      assert.ok(again.createRevision > deleted.modRevision, 'a re-created key starts a new life');
      assert.equal(again.createRevision, again.modRevision);
    });

    it('delete with a stale expected revision fails with Conflict and keeps the key', async ({ store }) => {
      const created = await store.create('/t/a', 'one');
      const updated = await store.update('/t/a', 'two', created.modRevision);
      const err = await assertStoreError(store.delete('/t/a', created.modRevision), 'Conflict');
      assert.deepEqual(err.current, updated);
      assert.deepEqual(await store.get('/t/a'), updated);
      const deleted = await store.delete('/t/a', updated.modRevision);
      assert.equal(deleted.value, 'two');
    });

    it('concurrent compare-and-swap on one key: exactly one writer wins', async ({ store }) => {
      const created = await store.create('/t/a', '0');
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => store.update('/t/a', `w${i}`, created.modRevision)),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      assert.equal(won.length, 1);
      for (const o of outcomes) {
        if (o.status === 'rejected') assert.equal((o.reason as StoreError).code, 'Conflict');
      }
      assert.deepEqual(await store.get('/t/a'), (won[0] as PromiseFulfilledResult<KeyValue>).value);
    });

    it('list returns keys under the prefix in key order, and nothing else', async ({ store }) => {
      for (const key of ['/a/x', '/ab/c', '/a/b', '/a', '/b/y', '/a/b/deep', '/a/']) await store.create(key, key);
      const res = await store.list('/a/');
      assert.deepEqual(
        res.items.map((kv) => kv.key),
        ['/a/', '/a/b', '/a/b/deep', '/a/x'],
      );
      assert.deepEqual(
        res.items.map((kv) => kv.value),
        ['/a/', '/a/b', '/a/b/deep', '/a/x'],
      );
      assert.equal(res.more, false);
      assert.equal(res.revision, await store.currentRevision());
      assert.equal(await store.count('/a/'), 4);
      assert.equal(await store.count('/ab/'), 1);
      assert.equal(await store.count('/none/'), 0);
      assert.deepEqual((await store.list('/none/')).items, []);
    });

    it('listBytes returns what list returns, values as UTF-8 bytes, pages and revisions included', async ({
      store,
    }) => {
      const a = await store.create('/u/a', '{"x":"ä €"}');
      await store.create('/u/b', 'b1');
      const then = await store.currentRevision();
      await store.update('/u/a', 'a2', a.modRevision);
      await store.delete('/u/b');
      await store.create('/u/c', '');
      const asText = (r: ListResult<Uint8Array>) => ({
        ...r,
        items: r.items.map((kv) => ({ ...kv, value: Buffer.from(kv.value).toString('utf8') })),
      });
      assert.deepEqual(asText(await store.listBytes('/u/')), await store.list('/u/'));
      assert.deepEqual(
        asText(await store.listBytes('/u/', { revision: then })),
        await store.list('/u/', { revision: then }),
      );
      assert.deepEqual(asText(await store.listBytes('/u/', { limit: 1 })), await store.list('/u/', { limit: 1 }));
      assert.deepEqual(
        asText(await store.listBytes('/u/', { startAfter: '/u/a' })),
        await store.list('/u/', { startAfter: '/u/a' }),
      );
      assert.ok((await store.listBytes('/u/')).items.every((kv) => kv.value instanceof Uint8Array));
    });

    it('list and count leave out deleted keys', async ({ store }) => {
      await store.create('/a/1', 'x');
      await store.create('/a/2', 'x');
      await store.delete('/a/1');
      assert.deepEqual(
        (await store.list('/a/')).items.map((kv) => kv.key),
        ['/a/2'],
      );
      assert.equal(await store.count('/a/'), 1);
    });

    it('list pages with limit and startAfter, reporting more and remaining', async ({ store }) => {
      const keys = Array.from({ length: 10 }, (_, i) => `/p/k${i}`);
      await Promise.all(keys.map((k) => store.create(k, k)));
      await store.create('/p2/outside', 'x');
      await store.delete('/p/k4');
      const live = keys.filter((k) => k !== '/p/k4');
      const seen: string[] = [];
      let startAfter: string | undefined;
      let revision: number | undefined;
      for (let page = 0; ; page++) {
        assert.ok(page < 10, 'pagination must end');
        const res = await store.list('/p/', { limit: 4, startAfter, revision });
        revision = res.revision;
        seen.push(...res.items.map((kv) => kv.key));
        if (!res.more) {
          assert.equal(res.remaining ?? 0, 0);
          break;
        }
        assert.equal(res.items.length, 4);
        assert.equal(res.remaining, live.length - seen.length);
        startAfter = res.items[res.items.length - 1]!.key;
      }
      assert.deepEqual(seen, live);
    });

    it('a page that ends exactly at the last key says there is no more', async ({ store }) => {
      await store.create('/p/1', 'x');
      await store.create('/p/2', 'x');
      const res = await store.list('/p/', { limit: 2 });
      assert.equal(res.items.length, 2);
      assert.equal(res.more, false);
    });

    it('list at an older revision reads the state as of that revision', async ({ store }) => {
      const a = await store.create('/o/a', 'a1');
      const b = await store.create('/o/b', 'b1');
      const then = await store.currentRevision();
      await store.update('/o/a', 'a2', a.modRevision);
      await store.delete('/o/b', b.modRevision);
      await store.create('/o/c', 'c1');
      const old = await store.list('/o/', { revision: then });
      assert.equal(old.revision, then);
      assert.deepEqual(old.items, [a, b]);
      const now = await store.list('/o/');
      assert.deepEqual(
        now.items.map((kv) => [kv.key, kv.value]),
        [
          ['/o/a', 'a2'],
          ['/o/c', 'c1'],
        ],
      );
      const page = await store.list('/o/', { revision: then, limit: 1 });
      assert.deepEqual(page.items, [a]);
      assert.equal(page.more, true);
      assert.equal(page.remaining, 1);
    });

    it('list at a future revision fails with FutureRevision', async ({ store }) => {
      await store.create('/f/a', 'x');
      await assertStoreError(store.list('/f/', { revision: (await store.currentRevision()) + 100 }), 'FutureRevision');
    });

    it('watch delivers concurrent writes once each, in revision order, only under its prefix', async ({ store }) => {
      const from = await store.currentRevision();
      const events = collect(store, '/w/', from);
      const writes = await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.create(i % 5 === 0 ? `/wx/${i}` : `/w/${i}`, `v${i}`)),
      );
      const expected = writes.filter((kv) => kv.key.startsWith('/w/')).sort((x, y) => x.modRevision - y.modRevision);
      const got = await events.until(expected.length);
      events.stop();
      assert.deepEqual(
        got.map((e) => [e.type, e.kv]),
        expected.map((kv) => ['put', kv]),
      );
      assertIncreasing(got);
    });

    it('watch from a past revision replays exactly the changes after it, then goes live', async ({ store }) => {
      const a = await store.create('/r/a', '1');
      const from = a.modRevision;
      const log: Array<[WatchEvent['type'], KeyValue]> = [];
      const b = await store.create('/r/b', '1');
      log.push(['put', b]);
      const a2 = await store.update('/r/a', '2', a.modRevision);
      log.push(['put', a2]);
      await store.create('/other/x', '1');
      log.push(['delete', await store.delete('/r/b')]);
      const events = collect(store, '/r/', from);
      const replayed = await events.until(log.length);
      log.push(['put', await store.create('/r/c', '1')]);
      const all = await events.until(log.length);
      events.stop();
      assert.equal(replayed.length, 3);
      assert.deepEqual(
        all.map((e) => [e.type, e.kv]),
        log,
      );
      assertIncreasing(all);
    });

    it('events carry prevKv for updates and deletes, and none for creates', async ({ store }) => {
      const from = await store.currentRevision();
      const events = collect(store, '/d/', from);
      const created = await store.create('/d/a', 'one');
      const updated = await store.update('/d/a', 'two', created.modRevision);
      const deleted = await store.delete('/d/a');
      const [e1, e2, e3] = (await events.until(3)) as [WatchEvent, WatchEvent, WatchEvent];
      events.stop();
      assert.equal(e1.type, 'put');
      assert.deepEqual(e1.kv, created);
      assert.equal(e1.prevKv, undefined);
      assert.equal(e2.type, 'put');
      assert.deepEqual(e2.kv, updated);
      assert.deepEqual(e2.prevKv, created);
      assert.equal(e3.type, 'delete');
      assert.deepEqual(e3.kv, deleted);
      assert.equal(e3.kv.value, 'two');
      assert.deepEqual(e3.prevKv, updated);
    });

    it('a client that reconnects from its last revision misses nothing and sees nothing twice', async ({ store }) => {
      const from = await store.currentRevision();
      const writeLog: Array<[WatchEvent['type'], KeyValue]> = [];
      let writing = true;
      // Writer: creates, updates and deletes, several in flight at once.
      const writer = (async () => {
        for (let round = 0; round < 40; round++) {
          const batch = await Promise.all(
            Array.from({ length: 5 }, (_, i) => store.create(`/c/${round}-${i}`, `${round}`)),
          );
          for (const kv of batch) writeLog.push(['put', kv]);
          writeLog.push(['put', await store.update(batch[0]!.key, 'updated', batch[0]!.modRevision)]);
          writeLog.push(['delete', await store.delete(batch[1]!.key)]);
          await store.create(`/elsewhere/${round}`, 'x');
        }
        writing = false;
      })();
      // Reader: takes at most two events from each delivery, then hangs up
      // and reconnects from the last revision it kept, while writes go on.
      const received: WatchEvent[] = [];
      let reconnects = 0;
      let lastKept = from;
      await new Promise<void>((resolve, reject) => {
        const caughtUp = () => !writing && lastKept >= Math.max(...writeLog.map(([, kv]) => kv.modRevision));
        const connect = () => {
          const watch = store.watch('/c/', lastKept, {
            onEvents: (events) => {
              received.push(...events.slice(0, 2));
              lastKept = received[received.length - 1]!.kv.modRevision;
              watch.cancel();
              if (caughtUp()) return resolve();
              reconnects++;
              setImmediate(connect);
            },
            onError: reject,
          });
        };
        connect();
        writer.then(() => caughtUp() && resolve(), reject);
      });
      await writer;
      assert.ok(reconnects > 10, `the reader reconnected ${reconnects} times`);
      assert.deepEqual(
        received.map((e) => [e.type, e.kv]),
        writeLog.sort((x, y) => x[1].modRevision - y[1].modRevision),
      );
    });

    it('cancel stops delivery', async ({ store }) => {
      const from = await store.currentRevision();
      const got: WatchEvent[] = [];
      const watch = store.watch('/x/', from, { onEvents: (e) => got.push(...e), onError: () => {} });
      watch.cancel();
      watch.cancel();
      await store.create('/x/a', '1');
      const probe = collect(store, '/x/', from);
      await probe.until(1);
      probe.stop();
      assert.deepEqual(got, []);
    });

    it('after compaction, reads and watches below the compacted revision fail with Compacted', async ({ store }) => {
      const gone = await store.create('/k/gone', '1');
      const churn = await store.create('/k/churn', '1');
      const early = await store.currentRevision();
      let last = churn;
      for (let i = 2; i <= 5; i++) last = await store.update('/k/churn', `${i}`, last.modRevision);
      await store.delete('/k/gone', gone.modRevision);
      await store.create('/k/reborn', 'old');
      await store.delete('/k/reborn');
      const keep = await store.create('/k/keep', '1');
      const at = await store.currentRevision();
      const stateAt = await store.list('/k/');
      const after = [await store.create('/k/reborn', 'new'), await store.update('/k/keep', '2', keep.modRevision)];

      await store.compact(at);
      assert.equal(await store.compactedRevision(), at);
      await assertStoreError(store.list('/k/', { revision: early }), 'Compacted');
      await assertStoreError(store.list('/k/', { revision: at - 1 }), 'Compacted');
      assert.deepEqual(await store.list('/k/', { revision: at }), stateAt);
      assert.deepEqual((await store.list('/k/')).items, [last, after[1], after[0]]);
      assert.equal(await store.get('/k/gone'), undefined);

      const err = await new Promise<Error>((resolve, reject) => {
        let calls = 0;
        store.watch('/k/', early, {
          onEvents: () => reject(new Error('a watch from a compacted revision delivered events')),
          onError: (e) => {
            calls++;
            setImmediate(() => (calls === 1 ? resolve(e) : reject(new Error('onError called twice'))));
          },
        });
      });
      assert.ok(err instanceof StoreError, `expected a StoreError, got ${err}`);
      assert.equal(err.code, 'Compacted');

      const events = collect(store, '/k/', at);
      const replayed = await events.until(2);
      events.stop();
      assert.deepEqual(
        replayed.map((e) => e.kv),
        after,
      );
    });

    it('compaction keeps the current state of every key', async ({ store }) => {
      const live = new Map<string, KeyValue>();
      for (let i = 0; i < 30; i++) live.set(`/s/${i}`, await store.create(`/s/${i}`, '0'));
      for (let round = 1; round <= 3; round++) {
        for (let i = 0; i < 30; i += round) {
          const key = `/s/${i}`;
          live.set(key, await store.update(key, `${round}`, live.get(key)!.modRevision));
        }
      }
      for (let i = 0; i < 30; i += 7) {
        await store.delete(`/s/${i}`);
        live.delete(`/s/${i}`);
      }
      await store.compact(await store.currentRevision());
      const expected = [...live.values()].sort((x, y) => (x.key < y.key ? -1 : 1));
      assert.deepEqual((await store.list('/s/')).items, expected);
      assert.equal(await store.count('/s/'), expected.length);
      for (const kv of expected) assert.deepEqual(await store.get(kv.key), kv);
    });

    it(
      'reopening keeps values, revisions, history and the compacted revision',
      async ({ store, reopened }) => {
        const a = await store.create('/z/a', '1');
        const b = await store.create('/z/b', '1');
        const a2 = await store.update('/z/a', '2', a.modRevision);
        const gone = await store.delete('/z/b', b.modRevision);
        const compactTo = a2.modRevision;
        await store.compact(compactTo);
        const rev = await store.currentRevision();
        const again = await reopened();
        assert.equal(await again.currentRevision(), rev);
        assert.equal(await again.compactedRevision(), compactTo);
        assert.deepEqual(await again.get('/z/a'), a2);
        assert.equal(await again.get('/z/b'), undefined);
        assert.deepEqual((await again.list('/z/')).items, [a2]);
        const events = collect(again, '/z/', compactTo);
        assert.deepEqual(
          (await events.until(1)).map((e) => [e.type, e.kv]),
          [['delete', gone]],
        );
        const c = await again.create('/z/c', '1');
        assert.ok(c.modRevision > rev, 'revisions keep increasing after a reopen');
        const live = await events.until(2);
        events.stop();
        assert.deepEqual(live[1]!.kv, c);
        await assertStoreError(again.update('/z/a', '3', a.modRevision), 'Conflict');
      },
      { reopen: true },
    );

    it('a closed store rejects calls with Closed and ends its watches', async ({ store }) => {
      const from = await store.currentRevision();
      const ended = new Promise<Error>((resolve) => store.watch('/q/', from, { onEvents: () => {}, onError: resolve }));
      await store.close();
      const err = await ended;
      assert.ok(err instanceof StoreError);
      assert.equal(err.code, 'Closed');
      await assertStoreError(store.get('/q/a'), 'Closed');
      await assertStoreError(store.create('/q/a', 'x'), 'Closed');
    });
  });
}

async function assertStoreError(p: Promise<unknown>, code: StoreError['code']): Promise<StoreError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StoreError, `expected StoreError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected StoreError ${code}, but the call succeeded`);
}

function assertIncreasing(events: WatchEvent[]): void {
  for (let i = 1; i < events.length; i++) {
    assert.ok(events[i]!.kv.modRevision > events[i - 1]!.kv.modRevision, `event ${i} is out of order`);
  }
}

/** Gather a watch's events; until(n) resolves once n have arrived (an error rejects it). */
function collect(store: Store, prefix: string, after: number) {
  const events: WatchEvent[] = [];
  let failure: Error | undefined;
  let wake = () => {};
  const watch = store.watch(prefix, after, {
    onEvents: (batch) => {
      events.push(...batch);
      wake();
    },
    onError: (err) => {
      failure = err;
      wake();
    },
  });
  return {
    async until(n: number): Promise<WatchEvent[]> {
      while (events.length < n) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      return events.slice(0, n);
    },
    stop: () => watch.cancel(),
  };
}
