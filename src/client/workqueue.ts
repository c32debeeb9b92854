/**
 * A work queue shaped like client-go's: a key is queued at most once, a key
 * being processed is not handed to a second worker (re-added keys run again
 * after done()), failures come back after an exponential backoff.
 */

export interface WorkQueueOptions {
  /** First retry delay (default 5 ms). */
  baseDelayMs?: number;
  /** Retry delay cap (default 60 s). */
  maxDelayMs?: number;
}

export class WorkQueue<K = string> {
  private readonly queue: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly failures = new Map<K, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiters: ((k: K | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(opts: WorkQueueOptions = {}) {
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 60_000;
  }

  /** Queue a key unless it is already waiting. */
  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // done() queues it again
    const w = this.waiters.shift();
    if (w) {
      this.dirty.delete(key);
      this.processing.add(key);
      w(key);
    } else {
      this.queue.push(key);
    }
  }

  /** Queue a key after a delay. */
  addAfter(key: K, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.add(key);
    }, delayMs);
    this.timers.add(t);
  }

  /** Queue a key after its next backoff delay (base * 2^failures, capped). */
  addRateLimited(key: K): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.addAfter(key, Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** n));
  }

  /** Reset a key's backoff (call after it was processed successfully). */
  forget(key: K): void {
    this.failures.delete(key);
  }

  /** How many times the key failed in a row. */
  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key, waiting for one; undefined once shut down. Call done(key) after processing. */
  get(): Promise<K | undefined> {
    if (this.queue.length) {
      const key = this.queue.shift()!;
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks a key processed; when it was added meanwhile it is queued again. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  /** Keys waiting (not counting delayed ones). */
  get length(): number {
    return this.queue.length;
  }

  /** Stops handing out keys; waiting get() calls resolve undefined. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.queue.length = 0;
    this.dirty.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }
}

/**
 * Runs `workers` loops that take keys and call sync(key). A throw re-queues
 * the key with backoff (the error goes to onError); success forgets its
 * backoff. Resolves when the queue is shut down and every loop finished.
 */
export async function runWorkers<K>(
  queue: WorkQueue<K>,
  workers: number,
  sync: (key: K) => Promise<void>,
  onError: (key: K, err: unknown) => void = () => undefined,
): Promise<void> {
  const loop = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await sync(key);
        queue.forget(key);
      } catch (e) {
        onError(key, e);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
}
