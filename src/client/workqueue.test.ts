import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue, runWorkers } from './workqueue.js';

test('a key queued twice is handed out once', async () => {
  const q = new WorkQueue<string>();
  q.add('a');
  q.add('b');
  q.add('a');
  assert.equal(q.length, 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
  assert.equal(q.length, 0);
});

test('a key added while processing comes back after done, not to a second worker', async () => {
  const q = new WorkQueue<string>();
  q.add('a');
  const k = await q.get();
  q.add('a');
  assert.equal(q.length, 0, 'not handed out while still processing');
  q.done(k!);
  assert.equal(q.length, 1);
  assert.equal(await q.get(), 'a');
});

test('failures back off exponentially and forget resets', () => {
  const q = new WorkQueue<string>({ baseDelayMs: 10, maxDelayMs: 35 });
  q.addRateLimited('a');
  q.addRateLimited('a');
  q.addRateLimited('a');
  assert.equal(q.numRequeues('a'), 3);
  q.forget('a');
  assert.equal(q.numRequeues('a'), 0);
  q.shutDown();
});

test('runWorkers retries a failing key until it succeeds, then stops on shutDown', async () => {
  const q = new WorkQueue<string>({ baseDelayMs: 1 });
  const calls: string[] = [];
  let failures = 2;
  const done = runWorkers(q, 2, async (key) => {
    calls.push(key);
    if (key === 'flaky' && failures-- > 0) throw new Error('boom');
    if (key === 'flaky') q.shutDown();
  });
  q.add('flaky');
  await done;
  assert.deepEqual(calls, ['flaky', 'flaky', 'flaky']);
  assert.equal(await q.get(), undefined);
});
