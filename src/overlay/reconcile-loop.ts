/**
 * Runs one reconcile function serially: on demand (every Node event), on a
 * periodic resync, and again after a failure with backoff. Requests that
 * arrive while a pass runs collapse into one more pass, because each pass
 * reconciles the full set anyway.
 */
import type { Logger } from './types.js';
import { warn } from '../log/log.js';

export interface ReconcileLoopOptions {
  resyncMs: number;
  /** First retry delay after a failed pass; doubles up to resyncMs. */
  retryMs?: number;
  log: Logger;
}

export class ReconcileLoop {
  private dirty = false;
  private running: Promise<void> | undefined;
  private waiters: (() => void)[] = [];
  private stopped = false;
  private resync: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private retryDelay: number;

  /** `pass` returns true when everything converged, false to be retried. */
  constructor(
    private readonly pass: () => Promise<boolean>,
    private readonly opts: ReconcileLoopOptions,
  ) {
    this.retryDelay = opts.retryMs ?? 1000;
  }

  start(): void {
    this.resync = setInterval(() => this.trigger(), this.opts.resyncMs);
    this.resync.unref();
  }

  /** Asks for a pass; returns at once. */
  trigger(): void {
    if (this.stopped) return;
    this.dirty = true;
    this.running ??= this.drain();
  }

  /** Resolves after a pass that started after this call has finished. */
  runNow(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.trigger();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.resync);
    clearTimeout(this.retry);
    await this.running;
    for (const w of this.waiters.splice(0)) w();
  }

  private async drain(): Promise<void> {
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      const waiters = this.waiters.splice(0);
      let ok = false;
      try {
        ok = await this.pass();
      } catch (e) {
        warn(this.opts.log, `overlay: reconcile failed, retrying in ${this.retryDelay} ms: ${(e as Error).message}`);
      }
      for (const w of waiters) w();
      if (ok) {
        this.retryDelay = this.opts.retryMs ?? 1000;
      } else if (!this.stopped) {
        clearTimeout(this.retry);
        this.retry = setTimeout(() => this.trigger(), this.retryDelay);
        this.retry.unref();
        this.retryDelay = Math.min(this.retryDelay * 2, this.opts.resyncMs);
      }
    }
    this.running = undefined;
  }
}
