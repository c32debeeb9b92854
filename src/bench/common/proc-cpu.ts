/**
 * CPU seconds a process has used, from /proc/PID/stat: its own user and
 * system time plus that of its children already reaped (socat's per-connection
 * forks). Summed over its threads, charged whatever else runs on the
 * machine, so CPU per unit of work holds up on a busy machine where
 * throughput does not.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * utime + stime of one /proc/PID/stat line, in seconds; with
 * reapedChildren also cutime + cstime (children that exited and were waited for).
 */
export function parseStatCpuSeconds(stat: string, reapedChildren = true): number {
  // The command name (field 2) is in parentheses and may hold spaces: count from after its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime..cstime are fields 14-17.
  const ticks = (reapedChildren ? [11, 12, 13, 14] : [11, 12]).reduce((sum, i) => sum + Number(fields[i]), 0);
  if (!Number.isFinite(ticks)) throw new Error(`unreadable /proc/PID/stat: ${stat.slice(0, 80)}`);
  return ticks / TICKS_PER_SECOND;
}

export function cpuSeconds(pid: number, reapedChildren = true): number {
  return parseStatCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'), reapedChildren);
}

/** A process's own CPU seconds so far; 0 once it has exited (its time is gone with it). */
export function ownCpuSecondsOf(pid: number): number {
  try {
    return cpuSeconds(pid, false);
  } catch {
    return 0;
  }
}

/** The pid of the one running process whose argv holds every one of `words` and none of `without`, or undefined. */
export function findProcess(words: readonly string[], without: readonly string[] = []): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone
    }
    if (words.every((w) => argv.includes(w)) && !without.some((w) => argv.includes(w))) return Number(entry);
  }
  return undefined;
}
