/** One `up` or `down` at a time per state dir: DIR/up.lock holds the owner's pid. */
import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { lockFile } from './paths.js';
import { isRunning } from './procfs.js';

export function acquireLock(dir: string): () => void {
  const path = lockFile(dir);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(readFileSync(path, 'utf8').trim());
      if (owner && owner !== process.pid && isRunning(owner)) {
        throw new Error(
          `another podnet up/down (pid ${owner}) is working on ${dir}; wait for it, or remove ${path} if that pid is not podnet`,
          { cause: e },
        );
      }
      rmSync(path, { force: true }); // left by a crashed run
    }
  }
  throw new Error(`cannot take the lock ${path}; remove it and run again`);
}
