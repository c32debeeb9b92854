import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReconcileLoop } from './reconcile-loop.js';

test('ReconcileLoop: triggers during a pass collapse into one more pass; runNow waits for a fresh pass', async () => {
  let passes = 0;
  let release: (() => void) | undefined;
  const loop = new ReconcileLoop(
    async () => {
      passes += 1;
      if (passes === 1) await new Promise<void>((r) => (release = r));
      return true;
    },
    { resyncMs: 60_000, log: () => undefined },
  );
  loop.trigger();
  await new Promise((r) => setImmediate(r));
  for (let i = 0; i < 5; i += 1) loop.trigger();
  const done = loop.runNow();
  release!();
  await done;
  assert.equal(passes, 2);
  await loop.stop();
});

test('ReconcileLoop: a failed pass is retried', async () => {
  let passes = 0;
  const loop = new ReconcileLoop(
    async () => {
      passes += 1;
      if (passes === 1) throw new Error('boom');
      return true;
    },
    { resyncMs: 60_000, retryMs: 10, log: () => undefined },
  );
  await loop.runNow();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(passes, 2);
  await loop.stop();
});
