/**
 * A container attempt's state, read back from its directory. The decision
 * (running / exited / lost) is pure; reading the files and probing /proc is
 * kept apart in readContainerFiles.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRuntimeState } from './types.js';
import { isAlive, type ProcessIdentity } from './proc.js';

export interface ContainerMeta {
  name: string;
  attempt: number;
  argv: string[];
  startedAt: string;
}

export interface ContainerFiles {
  meta: ContainerMeta;
  shim?: ProcessIdentity;
  /** The container process as the shim recorded it. */
  proc?: ProcessIdentity;
  /** Contents of <dir>/exit and when it was written. */
  exit?: { text: string; at: string };
  procAlive: boolean;
  shimAlive: boolean;
}

/** "3", "137" or "128 StartError" → code and reason (pure). */
export function parseExitRecord(text: string): { exitCode: number; reason: string } | undefined {
  const m = /^(\d+)(?:\s+(\S+))?\s*$/.exec(text.trim());
  if (!m) return undefined;
  const exitCode = Number(m[1]);
  return { exitCode, reason: m[2] ?? (exitCode === 0 ? 'Completed' : 'Error') };
}

/**
 * What kubelet should see (pure). "lost" means nobody will ever record an
 * exit: no exit file, and neither the container nor its shim runs (e.g. after
 * a reboot); the caller persists that verdict so it stays stable.
 */
export function decideContainerState(f: ContainerFiles): ContainerRuntimeState | { lost: true } {
  const base = { name: f.meta.name, attempt: f.meta.attempt };
  const exit = f.exit && parseExitRecord(f.exit.text);
  if (exit) return { ...base, state: 'exited', startedAt: f.meta.startedAt, finishedAt: f.exit!.at, ...exit };
  if (f.proc && f.procAlive) return { ...base, state: 'running', pid: f.proc.pid, startedAt: f.meta.startedAt };
  // The process just ended and the shim is about to record it, or the shim has not recorded the pid yet.
  if (f.shimAlive && f.shim)
    return { ...base, state: 'running', pid: f.proc?.pid ?? f.shim.pid, startedAt: f.meta.startedAt };
  return { lost: true };
}

/** Exit record written for a container whose shim vanished: kubelet's ContainerStatusUnknown, 137. */
export const LOST_EXIT_RECORD = '137 ContainerStatusUnknown';

const readOpt = async (file: string): Promise<string | undefined> => {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
};

export async function readContainerFiles(dir: string): Promise<ContainerFiles | undefined> {
  const metaText = await readOpt(join(dir, 'meta.json'));
  if (!metaText) return undefined;
  const meta = JSON.parse(metaText) as ContainerMeta;
  const shimText = await readOpt(join(dir, 'shim.json'));
  const shim = shimText ? (JSON.parse(shimText) as ProcessIdentity) : undefined;
  // Liveness before the records: the shim writes the exit record and then exits, so a shim seen
  // dead here has already written it, and a dead shim with no record really is lost. Read the
  // other way round, a shim that records and exits between the two reads looks lost.
  const shimAlive = await isAlive(shim);
  const pidText = await readOpt(join(dir, 'pid'));
  const [pidStr, startTime] = (pidText ?? '').trim().split(/\s+/);
  const proc = pidStr && startTime && /^\d+$/.test(pidStr) ? { pid: Number(pidStr), startTime } : undefined;
  const procAlive = await isAlive(proc);
  const exitText = await readOpt(join(dir, 'exit'));
  const exit =
    exitText !== undefined ? { text: exitText, at: (await stat(join(dir, 'exit'))).mtime.toISOString() } : undefined;
  return { meta, shim, proc, exit, procAlive, shimAlive };
}
