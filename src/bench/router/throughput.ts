/**
 * Requests/s and p99 through each proxy, side by side: wrk (one thread,
 * `--latency`, Host: bench.example.com) against every proxy in rotating
 * rounds, so the machine's drift hits them alike; the ratios to podnet are
 * taken within a round (report.ts). Each run also records the CPU the
 * proxy used (for podnet router: HAProxy and the controller apart) and
 * how busy each core was.
 */
import { readFileSync } from 'node:fs';
import { parsePerCpuStat } from '../apiserver/cpu-usage.js';
import { rotatingRounds } from '../common/rounds.js';
import { runWrk, type WrkResult } from '../common/wrk.js';
import { PROXY_IP, PROXY_PORTS, type ProxyName } from './net.js';
import { BENCH_HOST } from './objects.js';

/** keep-alive: wrk's connections carry every request; close: a new connection per request. */
export type ConnectionCase = 'keep-alive' | 'close';

export interface ThroughputRun extends WrkResult {
  wallS: number;
  /** CPU seconds of the proxy's data plane: HAProxy's processes, or nginx's. */
  proxyCpuS: number;
  /** CPU seconds of podnet router's own process (the controller, which receives the access log); 0 for the others. */
  controllerCpuS: number;
  /** Busy fraction of each CPU during the run (index = CPU number). */
  coreBusy: number[];
}

export interface ThroughputCase {
  case: ConnectionCase;
  paths: ProxyName[];
  /** runs[path][round] */
  runs: Partial<Record<ProxyName, ThroughputRun[]>>;
}

export interface ThroughputTarget {
  name: ProxyName;
  cpuSeconds(): { proxy: number; controller: number };
}

interface ThroughputOptions {
  rounds: number;
  seconds: number;
  connections: number;
  clientCpu?: number;
}

const perCpu = () => parsePerCpuStat(readFileSync('/proc/stat', 'utf8'));

export async function measureThroughput(
  targets: ThroughputTarget[],
  c: ConnectionCase,
  o: ThroughputOptions,
  log: (m: string) => void,
): Promise<ThroughputCase> {
  const wrk = (t: ThroughputTarget, seconds: number) =>
    runWrk({
      url: `http://${PROXY_IP}:${PROXY_PORTS[t.name]}/`,
      seconds,
      connections: o.connections,
      close: c === 'close',
      latency: true,
      headers: [`Host: ${BENCH_HOST}`],
      ...(o.clientCpu === undefined ? {} : { cpu: o.clientCpu }),
    });
  const runOne = async (t: ThroughputTarget): Promise<ThroughputRun> => {
    const cpu0 = t.cpuSeconds();
    const busy0 = perCpu();
    const t0 = performance.now();
    const w = await wrk(t, o.seconds);
    const wallS = (performance.now() - t0) / 1000;
    const busy1 = perCpu();
    const cpu1 = t.cpuSeconds();
    return {
      ...w,
      wallS,
      proxyCpuS: cpu1.proxy - cpu0.proxy,
      controllerCpuS: cpu1.controller - cpu0.controller,
      coreBusy: busy1.map((b, i) => (b - (busy0[i] ?? 0)) / wallS),
    };
  };
  const results = await rotatingRounds(targets, o.rounds, runOne, {
    warmUp: (t) => wrk(t, 1),
    onRound: (r, res) =>
      log(
        `  ${c} round ${r}/${o.rounds}: ${targets
          .map((t, i) => {
            const w = res[i]!.at(-1)!;
            return `${t.name} ${w.requestsPerSec.toFixed(0)}/s p99 ${w.latencyP99Ms.toFixed(2)} ms`;
          })
          .join(', ')}`,
      ),
  });
  const runs: ThroughputCase['runs'] = {};
  targets.forEach((t, i) => (runs[t.name] = results[i]!));
  return { case: c, paths: targets.map((t) => t.name), runs };
}
