/**
 * Automatic compaction on etcd, as kube-apiserver does it (etcd's own
 * auto-compaction is off in the members podnet starts): on a timer, keep a
 * window of recent revisions and compact the rest. Several API servers on
 * one etcd may all run it; compacting to a revision already compacted is a
 * no-op, so they need no coordination.
 */
import type { Store } from '../store.js';

export interface EtcdCompactorOptions {
  /** Revisions of history kept (default 10,000, as the SQLite store). */
  window?: number;
  /** How often it runs, in ms (default 5 minutes). */
  intervalMs?: number;
}

export function startEtcdCompactor(store: Store, opts: EtcdCompactorOptions = {}): { stop(): void } {
  const window = Math.max(1, opts.window ?? 10_000);
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const target = (await store.currentRevision()) - window;
      if (target > (await store.compactedRevision())) await store.compact(target);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick().catch(() => undefined), opts.intervalMs ?? 5 * 60_000); // retried next tick
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
