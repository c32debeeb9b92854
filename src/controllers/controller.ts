/** The loop every queue-driven controller shares: informer events queue keys, workers sync them. */
import { WorkQueue, runWorkers } from '../client/workqueue.js';
import { warn } from '../log/log.js';

export type Logger = (message: string) => void;

export abstract class QueueController {
  protected readonly queue = new WorkQueue<string>({ baseDelayMs: 50, maxDelayMs: 30_000 });
  private running: Promise<void> | undefined;

  constructor(
    readonly name: string,
    protected readonly log: Logger,
  ) {}

  /** Bring the object with this key to its desired state. Throw to retry with backoff. */
  protected abstract sync(key: string): Promise<void>;

  /** Starts the workers (call after the informers synced). */
  run(workers = 1): void {
    this.running = runWorkers(
      this.queue,
      workers,
      (k) => this.sync(k),
      (k, e) => warn(this.log, `${this.name}: syncing ${k} failed, will retry: ${(e as Error).message ?? e}`),
    );
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.running;
  }

  /** Queue a key (used by handlers and tests). */
  enqueue(key: string): void {
    this.queue.add(key);
  }
}
