/** Runs cleanup once on SIGTERM or SIGINT (a pod being stopped), then exits 0. */
import { log } from './log.js';

export function exitOnTermination(cleanup: () => Promise<void> | void = () => {}): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log(`Shutting down after receiving signal: ${signal}`);
    // A cleanup that hangs must not keep a terminated pod alive.
    setTimeout(() => process.exit(0), 2000).unref();
    void Promise.resolve(cleanup())
      .catch((e: unknown) => log(`cleanup failed: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
