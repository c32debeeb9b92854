/**
 * One scale: both servers up with the same N names, then alternating
 * saturating dnsperf runs (dnsmasq, podnet, dnsmasq, ...), alternating
 * fixed-rate latency runs, memory of each, and podnet's change latency.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchClient } from '../apiserver/http-client.js';
import { summarize, type Summary } from '../apiserver/stats.js';
import { measureChanges, type ChangeResult } from './change-latency.js';
import type { Memory } from '../common/child.js';
import { runDnsperf } from './dnsperf.js';
import { loadAverage, markCpu, runCpu, type LoadAverage } from './host-load.js';
import { hostsFile, queryFile, serviceFqdn, serviceIp } from './names.js';
import type { DnsBenchOptions } from './options.js';
import { startDnsmasq, startPodnetDns, type DnsServer } from './servers.js';
import { DNS_NODE_OPTIONS } from '../../dns/node-options.js';

export type ServerKind = 'dnsmasq' | 'podnet';

export interface ThroughputRun {
  server: ServerKind;
  round: number;
  qps: number;
  meanMs: number;
  maxMs: number;
  lost: number;
  notNoerror: number;
  /** Server CPU seconds per second of the run (1.0 = one core busy). */
  serverCores: number;
  /** Cores other processes on the host kept busy meanwhile. */
  otherCores: number;
  load: LoadAverage;
}

export interface LatencyRun {
  server: ServerKind;
  round: number;
  qps: number;
  offeredQps: number;
  lost: number;
  latencyMs: Summary;
  otherCores: number;
}

interface ServerFigures {
  server: ServerKind;
  /** Median of the throughput rounds. */
  qps: number;
  /**
   * Every latency round's queries pooled into one distribution (round 0): a single run's p99 moves by
   * half between runs of the same server, and the rounds alternate with the other server's.
   */
  latency: LatencyRun;
  /** RSS once serving (after the runs) and the peak since start, MiB. */
  memory: Memory;
  /** RSS right after it first answered every name, before any load. */
  idleMemory: Memory;
  /** Process start -> answering the last-created name, s (podnet: list + watch; dnsmasq: reading the hosts file). */
  startS: number;
}

export interface ScaleResult {
  services: number;
  loadBefore: LoadAverage;
  createS: number;
  runs: ThroughputRun[];
  latencyRuns: LatencyRun[];
  servers: ServerFigures[];
  changes: ChangeResult[];
}

interface ScaleContext {
  opts: DnsBenchOptions;
  client: BenchClient;
  api: { url: string; token: string; caPem: string };
  tmp: string;
  log: (m: string) => void;
}

export async function runScale(ctx: ScaleContext, services: number, createS: number): Promise<ScaleResult> {
  const { opts, log, tmp } = ctx;
  const loadBefore = loadAverage();
  const qfile = join(tmp, `queries-${services}.txt`);
  writeFileSync(qfile, queryFile(services, opts.namespaces));
  const readyName = serviceFqdn(services - 1, opts.namespaces);
  const readyIp = serviceIp(services - 1);
  const started: DnsServer[] = [];
  try {
    let t = performance.now();
    const dnsmasq = await startDnsmasq({
      hosts: hostsFile(services, opts.namespaces),
      tmp,
      cpus: opts.serverCpus,
      verbose: opts.verbose,
      readyName,
      readyIp,
    });
    started.push(dnsmasq);
    const dnsmasqStartS = (performance.now() - t) / 1000;
    t = performance.now();
    const podnet = await startPodnetDns({
      ...ctx.api,
      tmp,
      cpus: opts.serverCpus,
      nodeArgs: [...DNS_NODE_OPTIONS, ...opts.dnsNodeArgs],
      verbose: opts.verbose,
      readyName,
      readyIp,
    });
    started.push(podnet);
    const podnetStartS = (performance.now() - t) / 1000;
    const idle = { dnsmasq: dnsmasq.child.memory(), podnet: podnet.child.memory() };
    log(
      `  ${services.toLocaleString('en-US')} names: dnsmasq up in ${dnsmasqStartS.toFixed(1)} s, podnet dns in ${podnetStartS.toFixed(1)} s; RSS before load ${idle.dnsmasq.rssMiB.toFixed(1)} / ${idle.podnet.rssMiB.toFixed(1)} MiB`,
    );
    const servers: Record<ServerKind, DnsServer> = { dnsmasq, podnet };
    const base = { queryFile: qfile, clients: opts.clients, outstanding: opts.outstanding, cpus: opts.clientCpus };

    // Warm both with one full pass over the names (podnet fills its answer cache; at 100k a
    // time-limited warm-up left most names for the first measured round).
    for (const s of started) await runDnsperf({ ...base, host: s.host, port: s.port, seconds: 120, passes: 1 });

    const runs: ThroughputRun[] = [];
    for (let round = 1; round <= opts.rounds; round++) {
      for (const kind of ['dnsmasq', 'podnet'] as const) {
        const s = servers[kind];
        const load = loadAverage();
        const a = markCpu(s.child.pid);
        const r = await runDnsperf({ ...base, host: s.host, port: s.port, seconds: opts.seconds });
        const cpu = runCpu(a, markCpu(s.child.pid), r.cpuS);
        runs.push({
          server: kind,
          round,
          qps: r.qps,
          meanMs: r.meanMs,
          maxMs: r.maxMs,
          lost: r.lost,
          notNoerror: r.notNoerror,
          serverCores: cpu.serverS / cpu.wallS,
          otherCores: cpu.otherCores,
          load,
        });
        log(
          `  round ${round} ${kind.padEnd(7)} ${Math.round(r.qps).toLocaleString('en-US').padStart(7)} q/s  mean ${r.meanMs.toFixed(2)} ms  lost ${r.lost}  server ${(cpu.serverS / cpu.wallS).toFixed(2)} cores  others ${cpu.otherCores.toFixed(2)} cores  load ${load.one}`,
        );
      }
    }

    const latencyRuns: LatencyRun[] = [];
    const pooled: Record<ServerKind, number[]> = { dnsmasq: [], podnet: [] };
    for (let round = 1; round <= opts.latencyRounds; round++) {
      for (const kind of ['dnsmasq', 'podnet'] as const) {
        const s = servers[kind];
        const a = markCpu(s.child.pid);
        const r = await runDnsperf({
          ...base,
          host: s.host,
          port: s.port,
          seconds: opts.latencySeconds,
          qps: opts.latencyQps,
          perQuery: true,
        });
        const cpu = runCpu(a, markCpu(s.child.pid), r.cpuS);
        const latencies = Array.from(r.latenciesMs ?? []);
        for (const x of latencies) pooled[kind].push(x);
        const run: LatencyRun = {
          server: kind,
          round,
          qps: r.qps,
          offeredQps: opts.latencyQps,
          lost: r.lost,
          latencyMs: summarize(latencies),
          otherCores: cpu.otherCores,
        };
        latencyRuns.push(run);
        log(
          `  latency ${round} at ${opts.latencyQps.toLocaleString('en-US')} q/s ${kind.padEnd(7)} p50 ${run.latencyMs.p50.toFixed(3)} ms  p99 ${run.latencyMs.p99.toFixed(3)} ms  lost ${r.lost}  others ${cpu.otherCores.toFixed(2)} cores`,
        );
      }
    }

    const figures: ServerFigures[] = [];
    for (const kind of ['dnsmasq', 'podnet'] as const) {
      const s = servers[kind];
      const qpsRuns = runs
        .filter((x) => x.server === kind)
        .map((x) => x.qps)
        .sort((x, y) => x - y);
      const mine = latencyRuns.filter((x) => x.server === kind);
      const latency: LatencyRun = {
        server: kind,
        round: 0,
        offeredQps: opts.latencyQps,
        qps: mine.reduce((n, x) => n + x.qps, 0) / mine.length,
        lost: mine.reduce((n, x) => n + x.lost, 0),
        latencyMs: summarize(pooled[kind]),
        otherCores: Math.max(...mine.map((x) => x.otherCores)),
      };
      figures.push({
        server: kind,
        qps: qpsRuns[Math.floor((qpsRuns.length - 1) / 2)]!,
        latency,
        memory: s.child.memory(),
        idleMemory: idle[kind],
        startS: kind === 'podnet' ? podnetStartS : dnsmasqStartS,
      });
    }
    for (const f of figures)
      log(`  ${f.server.padEnd(7)} RSS ${f.memory.rssMiB.toFixed(1)} MiB (peak ${f.memory.hwmMiB.toFixed(1)} MiB)`);

    let changes: ChangeResult[] = [];
    if (opts.changes > 0) {
      changes = await measureChanges({
        client: ctx.client,
        host: podnet.host,
        port: podnet.port,
        changes: opts.changes,
        services,
        namespaces: opts.namespaces,
        tag: String(services),
      });
      for (const c of changes)
        log(
          `  change visible (${c.kind.padEnd(10)}) p50 ${c.visible.p50.toFixed(1)} ms  p99 ${c.visible.p99.toFixed(1)} ms  max ${c.visible.max.toFixed(1)} ms  (API response p50 ${c.apiResponse.p50.toFixed(1)} ms)  missed ${c.missed}`,
        );
    }
    return { services, loadBefore, createS, runs, latencyRuns, servers: figures, changes };
  } finally {
    for (const s of started.reverse()) await s.child.stop();
  }
}
