import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreError, type Watch, type WatchEvent, type WatchHandlers } from '../store.js';
import { SharedWatch } from './shared-watch.js';

const put = (key: string, rev: number): WatchEvent => ({
  type: 'put',
  kv: { key, value: `v${rev}`, createRevision: rev, modRevision: rev },
});

/** A SharedWatch over a fake etcd watch the test drives by hand. */
function harness(from: number, window = { events: 100, size: 1 << 20 }) {
  let source: WatchHandlers | undefined;
  const opened: number[] = [];
  let sourceCancelled = false;
  let ended = 0;
  const resubscribed: number[] = [];
  const shared = new SharedWatch(
    from,
    (after, h) => {
      opened.push(after);
      source = h;
      return { cancel: () => (sourceCancelled = true) };
    },
    window,
    () => ended++,
    (after, h): Watch => {
      resubscribed.push(after);
      // The new watch replays what came after `after`: here, one event.
      queueMicrotask(() => h.onEvents([put('/r', after + 1)]));
      return { cancel: () => undefined };
    },
  );
  return {
    shared,
    opened,
    resubscribed,
    emit: (events: WatchEvent[]) => source!.onEvents(events),
    progress: (rev: number) => source!.onProgress!(rev),
    fail: (err: Error) => source!.onError(err),
    get sourceCancelled() {
      return sourceCancelled;
    },
    get ended() {
      return ended;
    },
  };
}

/** A subscriber that records what it is told, as [kind, revision...] lines. */
function recorder() {
  const log: string[] = [];
  const handlers: WatchHandlers = {
    onEvents: (events) => log.push(`events ${events.map((e) => e.kv.modRevision).join(',')}`),
    onProgress: (rev) => log.push(`progress ${rev}`),
    onError: (err) => log.push(`error ${(err as StoreError).code ?? err.message}`),
  };
  return { log, handlers };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

test('subscribers share one source and get exactly the events after their own revision', async () => {
  const h = harness(10);
  const a = recorder();
  h.shared.subscribe(10, a.handlers);
  h.emit([put('/a', 11), put('/b', 12)]);
  h.emit([put('/a', 13)]);
  // Joins behind the source: replayed from the window, then live, nothing twice.
  const b = recorder();
  h.shared.subscribe(11, b.handlers);
  // Joins ahead of what has arrived: sees only what comes after its revision.
  const c = recorder();
  h.shared.subscribe(14, c.handlers);
  h.emit([put('/c', 14), put('/d', 15)]);
  h.progress(20);
  await tick();
  assert.deepEqual(h.opened, [10]);
  assert.deepEqual(a.log, ['events 11,12', 'events 13', 'events 14,15', 'progress 20']);
  assert.deepEqual(b.log, ['events 12,13', 'events 14,15', 'progress 20']);
  assert.deepEqual(c.log, ['events 15', 'progress 20']);
});

test('every subscriber gets the same event objects (decoded once)', async () => {
  const h = harness(0);
  const got: WatchEvent[][] = [];
  for (let i = 0; i < 3; i++) h.shared.subscribe(0, { onEvents: (e) => got.push(e), onError: () => undefined });
  await tick();
  const event = put('/a', 1);
  h.emit([event]);
  assert.equal(got.length, 3);
  for (const events of got) assert.equal(events[0], event);
});

test('the replay is delivered after subscribe returns, live events queue behind it', async () => {
  const h = harness(0);
  h.shared.subscribe(0, { onEvents: () => undefined, onError: () => undefined });
  h.emit([put('/a', 1)]);
  const b = recorder();
  h.shared.subscribe(0, b.handlers);
  assert.deepEqual(b.log, []);
  h.emit([put('/a', 2)]);
  assert.deepEqual(b.log, []);
  await tick();
  assert.deepEqual(b.log, ['events 1', 'events 2']);
});

test('the window forgets whole revisions, by count and by size; watches from before it are not covered', () => {
  const cases: { window: { events: number; size: number }; covered: number }[] = [
    // 12 events of 2 characters: over 4 events it drops to 3 or fewer, whole revisions only.
    { window: { events: 4, size: 1000 }, covered: 4 },
    // Over 10 characters it drops to 7 or fewer.
    { window: { events: 100, size: 10 }, covered: 4 },
    { window: { events: 100, size: 1000 }, covered: 0 },
  ];
  for (const { window, covered } of cases) {
    const h = harness(0, window);
    h.shared.subscribe(0, { onEvents: () => undefined, onError: () => undefined });
    for (let rev = 1; rev <= 6; rev++) h.emit([put('/a', rev), put('/b', rev)]);
    const label = JSON.stringify(window);
    if (covered > 0) assert.equal(h.shared.covers(covered - 1), false, label);
    assert.equal(h.shared.covers(covered), true, label);
    assert.equal(h.shared.covers(100), true, label);
  }
  const h = harness(0);
  h.shared.subscribe(0, { onEvents: () => undefined, onError: () => undefined });
  h.emit([put('/a', 1), put('/a', 2)]);
  h.shared.forgetBefore(2);
  assert.equal(h.shared.covers(1), false);
  assert.equal(h.shared.covers(2), true);
});

test('a late subscriber replays copies: the live event objects are not kept', async () => {
  const h = harness(0);
  const live: WatchEvent[] = [];
  h.shared.subscribe(0, { onEvents: (e) => live.push(...e), onError: () => undefined });
  await tick();
  h.emit([put('/a', 1)]);
  const replayed: WatchEvent[] = [];
  h.shared.subscribe(0, { onEvents: (e) => replayed.push(...e), onError: () => undefined });
  await tick();
  assert.deepEqual(replayed, live);
  assert.notEqual(replayed[0], live[0]);
});

test('the last cancel stops the source; a cancelled subscriber hears nothing more', async () => {
  const h = harness(0);
  const a = recorder();
  const wa = h.shared.subscribe(0, a.handlers);
  const wb = h.shared.subscribe(0, recorder().handlers);
  await tick();
  wa.cancel();
  h.emit([put('/a', 1)]);
  assert.deepEqual(a.log, []);
  assert.equal(h.sourceCancelled, false);
  wb.cancel();
  assert.equal(h.sourceCancelled, true);
  assert.equal(h.ended, 1);
  assert.equal(h.shared.covers(0), false);
});

test('compaction under the source fails only the subscribers that started before it', async () => {
  const h = harness(5);
  const early = recorder();
  const late = recorder();
  h.shared.subscribe(5, early.handlers);
  h.shared.subscribe(50, late.handlers);
  await tick();
  h.fail(new StoreError('Compacted', 'compacted', undefined, 40));
  await tick();
  assert.deepEqual(early.log, ['error Compacted']);
  // The late one watches again from its own revision and goes on.
  assert.deepEqual(h.resubscribed, [50]);
  assert.deepEqual(late.log, ['events 51']);
  assert.equal(h.ended, 1);
});

test('a handler that throws loses its own watch, not the others', async () => {
  const h = harness(0);
  const good = recorder();
  const bad = recorder();
  h.shared.subscribe(0, {
    ...bad.handlers,
    onEvents: () => {
      throw new Error('boom');
    },
  });
  h.shared.subscribe(0, good.handlers);
  await tick();
  h.emit([put('/a', 1)]);
  h.emit([put('/a', 2)]);
  assert.deepEqual(bad.log, ['error boom']);
  assert.deepEqual(good.log, ['events 1', 'events 2']);
});
