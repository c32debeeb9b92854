/**
 * How busy the shared machine is: the load average, and during a run the
 * CPU seconds everyone else used (host busy time minus the server under
 * test, dnsperf and this process). A run where others used a core says
 * little about either server.
 */
import { readFileSync } from 'node:fs';
import { parseHostStat } from '../apiserver/cpu-usage.js';
import { cpuSeconds } from '../common/proc-cpu.js';

export interface LoadAverage {
  one: number;
  five: number;
  fifteen: number;
}

export function loadAverage(): LoadAverage {
  const [one, five, fifteen] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
  return { one: one!, five: five!, fifteen: fifteen! };
}

interface CpuMark {
  at: number;
  hostS: number;
  serverS: number;
  ownS: number;
}

export function markCpu(serverPid: number): CpuMark {
  const u = process.cpuUsage();
  return {
    at: performance.now(),
    hostS: parseHostStat(readFileSync('/proc/stat', 'utf8')),
    serverS: cpuSeconds(serverPid, false),
    ownS: (u.user + u.system) / 1e6,
  };
}

interface RunCpu {
  wallS: number;
  serverS: number;
  otherCores: number;
}

/** Server CPU seconds over the run, and the cores others kept busy on average (dnsperf's own seconds excluded). */
export function runCpu(a: CpuMark, b: CpuMark, dnsperfS: number): RunCpu {
  const wallS = (b.at - a.at) / 1000;
  const serverS = b.serverS - a.serverS;
  const other = b.hostS - a.hostS - serverS - (b.ownS - a.ownS) - dnsperfS;
  return { wallS, serverS, otherCores: Math.max(0, other) / wallS };
}
