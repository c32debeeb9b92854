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

/** utime + stime + cutime + cstime of one /proc/PID/stat line, in seconds. */
export function parseStatCpuSeconds(stat: string): number {
  // The command name (field 2) is in parentheses and may hold spaces: count from after its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime..cstime are fields 14-17.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  if (!Number.isFinite(ticks)) throw new Error(`unreadable /proc/PID/stat: ${stat.slice(0, 80)}`);
  return ticks / TICKS_PER_SECOND;
}

export function cpuSeconds(pid: number): number {
  return parseStatCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
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
