/** The goals from issue 5, the printed table, and the summary rows stored in results.json. */
import type { ScaleResult } from './scale-run.js';

export const GOALS = {
  /** podnet QPS / dnsmasq QPS on the same cores. */
  qpsRatio: 1.0,
  /** 100 MB, in MiB as /proc reports. */
  rssMiB: 100e6 / 2 ** 20,
  rssAtServices: 100_000,
  changeVisibleMs: 50,
};
/** The issue's anchor on this machine: a naive Node.js server with dns-packet vs dnsmasq. */
export const ANCHOR = { dnsmasqQps: 69_000, naiveNodeQps: 37_600, ratio: 0.54 };

export interface Row {
  metric: string;
  services: number;
  dnsmasq: string;
  podnet: string;
  goal: string;
  met: string;
}

const int = (v: number) => Math.round(v).toLocaleString('en-US');
const ms = (v: number) => `${v.toFixed(v < 1 ? 3 : 1)} ms`;
const mib = (v: number) => `${v.toFixed(1)} MiB`;

export function rows(scales: ScaleResult[]): Row[] {
  const out: Row[] = [];
  for (const s of scales) {
    const d = s.servers.find((x) => x.server === 'dnsmasq')!;
    const p = s.servers.find((x) => x.server === 'podnet')!;
    const ratio = p.qps / d.qps;
    out.push({
      metric: 'QPS (median of rounds, saturated)',
      services: s.services,
      dnsmasq: int(d.qps),
      podnet: `${int(p.qps)} (${ratio.toFixed(2)}x)`,
      goal: '>= 1.0x dnsmasq',
      met: ratio >= GOALS.qpsRatio ? 'yes' : 'no',
    });
    // CPU per answer moves far less with the neighbours than QPS does: the steadier comparison on a shared host.
    const us = (k: string) => median(s.runs.filter((r) => r.server === k).map((r) => (r.serverCores / r.qps) * 1e6));
    const du = us('dnsmasq'),
      pu = us('podnet');
    out.push({
      metric: 'server CPU per answer (median of rounds)',
      services: s.services,
      dnsmasq: `${du.toFixed(1)} us`,
      podnet: `${pu.toFixed(1)} us (${(du / pu).toFixed(2)}x)`,
      goal: '',
      met: '',
    });
    const off = int(d.latency.offeredQps);
    out.push({
      metric: `latency p50 at ${off} q/s (rounds pooled)`,
      services: s.services,
      dnsmasq: ms(d.latency.latencyMs.p50),
      podnet: ms(p.latency.latencyMs.p50),
      goal: '',
      met: '',
    });
    out.push({
      metric: `latency p99 at ${off} q/s (rounds pooled)`,
      services: s.services,
      dnsmasq: ms(d.latency.latencyMs.p99),
      podnet: ms(p.latency.latencyMs.p99),
      goal: 'no worse than dnsmasq',
      met: p.latency.latencyMs.p99 <= d.latency.latencyMs.p99 ? 'yes' : 'no',
    });
    const rssGoal = s.services >= GOALS.rssAtServices;
    out.push({
      metric: 'RSS serving (peak)',
      services: s.services,
      dnsmasq: `${mib(d.memory.rssMiB)} (${mib(d.memory.hwmMiB)})`,
      podnet: `${mib(p.memory.rssMiB)} (${mib(p.memory.hwmMiB)})`,
      goal: rssGoal ? '<= 100 MB (95.4 MiB)' : '',
      met: rssGoal ? (p.memory.rssMiB <= GOALS.rssMiB ? 'yes' : 'no') : '',
    });
    out.push({
      metric: 'start to serving every name',
      services: s.services,
      dnsmasq: `${d.startS.toFixed(1)} s`,
      podnet: `${p.startS.toFixed(1)} s`,
      goal: '',
      met: '',
    });
    for (const c of s.changes) {
      out.push({
        metric: `${c.kind} change -> in DNS, p50 / p99 (n=${c.visible.n})`,
        services: s.services,
        dnsmasq: '-',
        podnet: `${ms(c.visible.p50)} / ${ms(c.visible.p99)}${c.missed ? ` (${c.missed} missed)` : ''}`,
        goal: 'within 50 ms',
        met: c.missed === 0 && c.visible.p99 <= GOALS.changeVisibleMs ? 'yes' : 'no',
      });
    }
  }
  return out;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
}

export function formatTable(rs: Row[]): string {
  const head: Row = {
    metric: 'metric',
    services: 0,
    dnsmasq: 'dnsmasq',
    podnet: 'podnet dns',
    goal: 'goal',
    met: 'met',
  };
  const all = [head, ...rs];
  const svc = (r: Row) => (r === head ? 'Services' : int(r.services));
  const w = {
    m: Math.max(...all.map((r) => r.metric.length)),
    s: Math.max(...all.map((r) => svc(r).length)),
    d: Math.max(...all.map((r) => r.dnsmasq.length)),
    p: Math.max(...all.map((r) => r.podnet.length)),
    g: Math.max(...all.map((r) => r.goal.length)),
  };
  return all
    .map(
      (r) =>
        `${r.metric.padEnd(w.m)}  ${svc(r).padStart(w.s)}  ${r.dnsmasq.padStart(w.d)}  ${r.podnet.padStart(w.p)}  ${r.goal.padEnd(w.g)}  ${r.met}`,
    )
    .join('\n');
}
