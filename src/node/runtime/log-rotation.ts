/**
 * Container log rotation by copytruncate: copy log → log.1 (older ones shift
 * to log.2 ... log.<keep>) and truncate log in place. The shim's writers hold
 * the file with O_APPEND, so after truncation they simply continue at the new
 * end; the cost is that lines written between copy and truncate are lost.
 */
import { copyFile, readdir, rename, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';

/** Renames that make room for a new log.1, oldest first (pure). */
export function rotationRenames(file: string, keep: number): { drop?: string; moves: [string, string][] } {
  if (keep < 1) return { moves: [] };
  const moves: [string, string][] = [];
  for (let i = keep - 1; i >= 1; i--) moves.push([`${file}.${i}`, `${file}.${i + 1}`]);
  return { drop: `${file}.${keep}`, moves };
}

/** Rotates one file if it exceeds maxBytes; returns whether it did. keep = how many old copies to keep (0: just truncate). */
async function rotateIfLarge(file: string, maxBytes: number, keep: number): Promise<boolean> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return false;
  }
  if (size <= maxBytes) return false;
  const plan = rotationRenames(file, keep);
  if (plan.drop) await rm(plan.drop, { force: true });
  for (const [from, to] of plan.moves) {
    try {
      await rename(from, to);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  if (keep >= 1) await copyFile(file, `${file}.1`);
  await truncate(file, 0);
  return true;
}

const list = async (dir: string): Promise<string[]> => {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
};

/** Rotates every container log under the sandboxes dir; returns the files rotated. */
export async function rotateAllLogs(sandboxesDir: string, maxBytes: number, keep: number): Promise<string[]> {
  const rotated: string[] = [];
  for (const uid of await list(sandboxesDir)) {
    const containers = join(sandboxesDir, uid, 'containers');
    for (const name of await list(containers)) {
      for (const attempt of await list(join(containers, name))) {
        const log = join(containers, name, attempt, 'log');
        if (await rotateIfLarge(log, maxBytes, keep)) rotated.push(log);
      }
    }
  }
  return rotated;
}
