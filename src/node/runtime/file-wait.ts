/**
 * Waiting for a record another process writes (the shim's pid and exit
 * files): inotify on the directory wakes the waiter as soon as one appears,
 * so a container that takes seconds to start (runc under load) costs no
 * polling. A slow poll still runs for what inotify cannot tell, such as the
 * writer dying without writing anything.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

interface FileWait {
  /** Stop waiting with true when this holds (e.g. the writer is gone). */
  gaveUp: () => Promise<boolean>;
  timeoutMs: number;
  /** How often gaveUp and the files are checked besides inotify's wake-ups. */
  everyMs?: number;
}

/** Resolves true once one of dir/<names> exists or gaveUp() holds; false after timeoutMs. */
export function waitForFiles(dir: string, names: string[], w: FileWait): Promise<boolean> {
  const present = (): boolean => names.some((n) => existsSync(join(dir, n)));
  return new Promise((resolve) => {
    let done = false;
    let watcher: FSWatcher | undefined;
    let poll: NodeJS.Timeout | undefined;
    const finish = (held: boolean): void => {
      if (done) return;
      done = true;
      watcher?.close();
      clearTimeout(poll);
      clearTimeout(deadline);
      resolve(held);
    };
    try {
      // Set up before the first check, so a file written in between still wakes us.
      watcher = watch(dir, () => {
        if (present()) finish(true);
      });
      watcher.on('error', () => undefined); // the slow poll carries on
    } catch {
      // no inotify for this directory: the poll alone
    }
    const deadline = setTimeout(() => finish(present()), w.timeoutMs);
    const check = async (): Promise<void> => {
      if (done) return;
      if (present() || (await w.gaveUp())) return finish(true);
      if (!done) poll = setTimeout(() => void check(), w.everyMs ?? 100);
    };
    void check();
  });
}
