/**
 * CPU time per phase, from /proc: the server's, the load generator's, and
 * everything else's on the host. Wall-clock figures on a shared 2-core
 * machine swing with whatever else runs; CPU per operation and the "other"
 * share say how much of a result is the server and how much is the neighbours.
 */
import { readFileSync } from 'node:fs';
import { cpuSeconds } from '../common/proc-cpu.js';

/** Linux USER_HZ; 100 on every mainstream kernel (getconf CLK_TCK). */
const TICKS_PER_SECOND = 100;

interface CpuSample {
  at: number;
  serverS: number;
  storeS: number;
  benchS: number;
  hostBusyS: number;
}

export interface PhaseCpu {
  phase: string;
  wallS: number;
  /** CPU seconds the server process used. */
  serverS: number;
  /** CPU seconds the store's own process (etcd) used; 0 for SQLite, which runs inside the server. */
  storeS: number;
  /** CPU seconds this load generator used. */
  benchS: number;
  /** CPU seconds every other process on the host used (contention). */
  otherS: number;
  /** Operations in the phase and what one is ("object", "list", "update"), for CPU per operation. */
  ops?: number;
  unit?: string;
}

export function sampleCpu(serverPid: number, storePid?: number): CpuSample {
  return {
    at: performance.now(),
    serverS: processCpuSeconds(serverPid),
    storeS: storePid === undefined ? 0 : processCpuSeconds(storePid),
    benchS: ownCpuSeconds(),
    hostBusyS: hostBusySeconds(),
  };
}

export function phaseCpu(phase: string, from: CpuSample, to: CpuSample): PhaseCpu {
  const serverS = to.serverS - from.serverS;
  const storeS = to.storeS - from.storeS;
  const benchS = to.benchS - from.benchS;
  return {
    phase,
    wallS: (to.at - from.at) / 1000,
    serverS,
    storeS,
    benchS,
    otherS: Math.max(0, to.hostBusyS - from.hostBusyS - serverS - storeS - benchS),
  };
}

/** Busy seconds of one "cpu" line of /proc/stat (everything but idle and iowait). */
function busyOfLine(line: string): number {
  const [, ...ticks] = line.trim().split(/\s+/);
  const t = ticks.map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const busy = t[0]! + t[1]! + t[2]! + t[5]! + t[6]! + t[7]!;
  return busy / TICKS_PER_SECOND;
}

/** Busy time of all CPUs from the first line of /proc/stat (everything but idle and iowait). */
export function parseHostStat(stat: string): number {
  return busyOfLine(stat.slice(0, stat.indexOf('\n')));
}

/** Busy time of each CPU (the cpu0, cpu1, ... lines of /proc/stat), indexed by CPU number. */
export function parsePerCpuStat(stat: string): number[] {
  const out: number[] = [];
  for (const line of stat.split('\n')) {
    const m = /^cpu(\d+)\s/.exec(line);
    if (m) out[Number(m[1])] = busyOfLine(line);
  }
  return out;
}

function processCpuSeconds(pid: number): number {
  return cpuSeconds(pid, false);
}

function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function hostBusySeconds(): number {
  return parseHostStat(readFileSync('/proc/stat', 'utf8'));
}
