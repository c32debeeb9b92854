/**
 * Reading processes from /proc. A pid alone is not an identity (pids are
 * reused), so a process is named by pid + start time, and its command line
 * is checked before anything is killed.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgid: number;
  startTime: string;
}

/** Parses /proc/<pid>/stat; comm (field 2) may hold spaces and parentheses. */
export function parseStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  const pid = Number.parseInt(text, 10);
  if (close < 0 || !Number.isInteger(pid)) return undefined;
  const f = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // After comm: state(3) ppid(4) pgrp(5) ... starttime(22) => index field-3.
  if (f.length < 20) return undefined;
  return { pid, state: f[0]!, ppid: Number(f[1]), pgid: Number(f[2]), startTime: f[19]! };
}

/** NUL-separated /proc/<pid>/cmdline as argv. */
export const parseCmdline = (raw: string): string[] =>
  raw.split('\0').filter((s, i, a) => s !== '' || i < a.length - 1);

export function readStat(pid: number): ProcStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

export function readCmdline(pid: number): string[] {
  try {
    return parseCmdline(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return [];
  }
}

/** "net:[4026531840]" -> "4026531840"; undefined when unreadable (gone, or a kernel thread). */
export function netnsInodeOf(pid: number | 'self'): string | undefined {
  try {
    return /\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/net`))?.[1];
  } catch {
    return undefined;
  }
}

export function readLinkOr(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** Targets of a process's open file descriptors (paths, "socket:[..]", ...). */
export function openFiles(pid: number): string[] {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  return fds.map((fd) => readLinkOr(`/proc/${pid}/fd/${fd}`)).filter((t): t is string => t !== undefined);
}

export function allPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/** True when the process exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  const s = readStat(pid);
  return s !== undefined && s.state !== 'Z' && s.state !== 'X';
}
