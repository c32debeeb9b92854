/**
 * Process identity and signalling. A pid alone is not an identity (pids are
 * reused), so every process the runtime starts is recorded as pid + the
 * kernel's start time from /proc/<pid>/stat, and only signalled if both match.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';

export interface ProcessIdentity {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot. */
  startTime: string;
}

/** Parses /proc/<pid>/stat (pure). comm may contain spaces and ')' so we split after the last ')'. */
export function parseProcStat(text: string): { state: string; startTime: string } | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
  const state = fields[0];
  const startTime = fields[19];
  return state && startTime ? { state, startTime } : undefined;
}

async function readStat(pid: number): Promise<{ state: string; startTime: string } | undefined> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

export async function identify(pid: number): Promise<ProcessIdentity | undefined> {
  const s = await readStat(pid);
  return s ? { pid, startTime: s.startTime } : undefined;
}

/** True when the recorded process still runs (not gone, not a zombie, not a reused pid). */
export async function isAlive(p: ProcessIdentity | undefined): Promise<boolean> {
  if (!p || !Number.isInteger(p.pid) || p.pid <= 1) return false;
  const s = await readStat(p.pid);
  return !!s && s.state !== 'Z' && s.state !== 'X' && s.startTime === p.startTime;
}

/** Signals the process (or, with group, its whole process group) if it is still the recorded one. */
export async function signalIfAlive(
  p: ProcessIdentity | undefined,
  signal: NodeJS.Signals,
  group = false,
): Promise<boolean> {
  if (!p || !(await isAlive(p))) return false;
  try {
    process.kill(group ? -p.pid : p.pid, signal);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls cond until it holds or timeoutMs passes; returns whether it held. */
export async function waitFor(
  cond: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 10,
): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() >= end) return false;
    await sleep(everyMs);
  }
}

/** Namespace link of a process, e.g. "mnt:[4026532301]". */
export async function namespaceOf(pid: number, ns: 'mnt' | 'net' | 'uts' | 'ipc'): Promise<string | undefined> {
  try {
    return await readlink(`/proc/${pid}/ns/${ns}`);
  } catch {
    return undefined;
  }
}

/**
 * Every live process in the given mount namespace. Only used with namespaces
 * the runtime itself created (a pod's private mount ns, checked via its
 * still-alive holder), so whatever is found belongs to that pod.
 */
export async function processesInMountNamespace(nsLink: string): Promise<ProcessIdentity[]> {
  const out: ProcessIdentity[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if ((await namespaceOf(pid, 'mnt')) !== nsLink) continue;
    const id = await identify(pid);
    if (id) out.push(id);
  }
  return out;
}
