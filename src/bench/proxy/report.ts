/** Summaries of each mode's raw results, the goals from the issue, and the printed table. */
import { median, summarize, type Summary } from '../apiserver/stats.js';
import type { ConnRateClient } from './conn-rate.js';
import type { ModeResult } from './mode-driver.js';

export const GOALS = { fullSyncMs: 1000, latencyP99Ms: 20, connRateRatio: 0.95 };
/** Measured on this machine with kube-proxy's own rule shapes, 5,000 Services x 10 endpoints (from the issue; not re-measured here). */
export const ANCHORS = { iptablesRestoreMs: 5200, nftPerEndpointChainLoadMs: 40800, nftAddOneElementMs: 330 };

export interface ModeSummary {
  mode: string;
  latency: {
    scale: number;
    all: Summary;
    endpoints: Summary;
    service: Summary;
    failures: number;
    incrementalSyncMs: Summary;
  }[];
  connRate: {
    services: number;
    from: ConnRateClient;
    rounds: number;
    directPerSec: number;
    clusterIpPerSec: number;
    floorPerSec: number;
    ratio: number;
    ratioInterval: [number, number];
    floorRatio: number;
    floorRatioInterval: [number, number];
    errors: number;
  }[];
  fullSync: {
    kind: 'warm' | 'cold';
    syncMs: number;
    startToLiveMs: number;
    rules: number;
    rssMiB: number;
    hwmMiB: number;
    heapMiB: number;
    n: number;
  }[];
}

export function summarizeMode(r: ModeResult): ModeSummary {
  return {
    mode: r.mode,
    latency: r.latency.map((l) => ({
      scale: l.scale,
      all: summarize(l.samples.map((s) => s.ms)),
      endpoints: summarize(l.samples.filter((s) => s.kind === 'endpoints').map((s) => s.ms)),
      service: summarize(l.samples.filter((s) => s.kind === 'service').map((s) => s.ms)),
      failures: l.failures.length,
      incrementalSyncMs: summarize(l.incrementalSyncMs),
    })),
    connRate: r.connRate.map((c) => ({
      services: c.services,
      from: c.from,
      rounds: c.direct.length,
      directPerSec: median(c.direct.map((w) => w.requestsPerSec)),
      clusterIpPerSec: median(c.clusterIp.map((w) => w.requestsPerSec)),
      floorPerSec: median(c.floor.map((w) => w.requestsPerSec)),
      ratio: c.ratio,
      ratioInterval: c.ratioInterval,
      floorRatio: c.floorRatio,
      floorRatioInterval: c.floorRatioInterval,
      errors: [...c.direct, ...c.clusterIp, ...c.floor].reduce((n, w) => n + w.socketErrors + w.non2xx, 0),
    })),
    fullSync: (['warm', 'cold'] as const)
      .map((kind) => {
        const xs = r.fullSync.filter((s) => s.kind === kind);
        const m = (f: (s: (typeof xs)[number]) => number) => median(xs.map(f));
        return {
          kind,
          n: xs.length,
          syncMs: m((s) => s.syncMs),
          startToLiveMs: m((s) => s.startToLiveMs),
          rules: m((s) => s.rules),
          rssMiB: m((s) => s.rssMiB),
          hwmMiB: Math.max(...xs.map((s) => s.hwmMiB)),
          heapMiB: m((s) => s.heapMiB),
        };
      })
      .filter((f) => f.n > 0),
  };
}

export interface GoalCheck {
  goal: string;
  mode: string;
  value: string;
  met: boolean;
}

export function checkGoals(ms: ModeSummary[], largest: number): GoalCheck[] {
  const out: GoalCheck[] = [];
  for (const m of ms) {
    const full = m.fullSync.find((f) => f.kind === 'cold') ?? m.fullSync[0];
    if (full)
      out.push({
        goal: `full sync of ${largest.toLocaleString('en-US')} x 10 < 1 s`,
        mode: m.mode,
        value: `${full.syncMs.toFixed(0)} ms (cold), ${m.fullSync.find((f) => f.kind === 'warm')?.syncMs.toFixed(0) ?? '—'} ms (warm)`,
        met: m.fullSync.every((f) => f.syncMs < GOALS.fullSyncMs),
      });
    const worst = Math.max(...m.latency.map((l) => l.all.p99));
    out.push({
      goal: 'one change live < 20 ms p99 at every size',
      mode: m.mode,
      value: m.latency.map((l) => `${l.scale}: ${l.all.p99.toFixed(1)} ms`).join(', '),
      met: worst < GOALS.latencyP99Ms && m.latency.every((l) => l.failures === 0),
    });
    const most = Math.max(...m.connRate.map((c) => c.services));
    // Met only when the whole 95 % interval of the median clears the goal: one lucky median is not enough.
    for (const big of m.connRate.filter((c) => c.services === most)) {
      out.push({
        goal: `ClusterIP connection rate >= 0.95x direct at ${most.toLocaleString('en-US')} Services, from the ${big.from}`,
        mode: m.mode,
        value: `${ratioText(big.ratio, big.ratioInterval)} (one DNAT rule alone: ${ratioText(big.floorRatio, big.floorRatioInterval)})`,
        met: big.ratioInterval[0] >= GOALS.connRateRatio,
      });
    }
  }
  return out;
}

/** "0.969x (0.958–0.979)": a median ratio and its 95 % interval. */
export const ratioText = (ratio: number, [lo, hi]: [number, number]): string =>
  `${ratio.toFixed(3)}x (${Number.isFinite(lo) ? `${lo.toFixed(3)}–${hi.toFixed(3)}` : 'too few rounds for an interval'})`;

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '—');
const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');

export function table(ms: ModeSummary[], goals: GoalCheck[]): string {
  const lines: string[] = [];
  lines.push('Network-programming latency (API write -> first connection through the new rule), ms');
  lines.push(
    'mode       services   n   p50     p99     max     | endpoints p50/p99 | new service p50/p99 | incremental sync p50/p99 | failures',
  );
  for (const m of ms)
    for (const l of m.latency) {
      lines.push(
        `${m.mode.padEnd(10)} ${String(l.scale).padStart(8)} ${String(l.all.n).padStart(3)}   ${f1(l.all.p50).padStart(6)}  ${f1(l.all.p99).padStart(6)}  ${f1(l.all.max).padStart(6)}  | ${f1(l.endpoints.p50)}/${f1(l.endpoints.p99)} | ${f1(l.service.p50)}/${f1(l.service.p99)} | ${f1(l.incrementalSyncMs.p50)}/${f1(l.incrementalSyncMs.p99)} | ${l.failures}`,
      );
    }
  lines.push('', 'Full sync at the largest scale (proxy restart), medians');
  lines.push('mode       kind  sync ms   start->live ms   rules     RSS MiB  peak RSS MiB  heap MiB');
  for (const m of ms)
    for (const f of m.fullSync) {
      lines.push(
        `${m.mode.padEnd(10)} ${f.kind.padEnd(5)} ${f0(f.syncMs).padStart(7)}   ${f0(f.startToLiveMs).padStart(14)}   ${f0(f.rules).padStart(7)}  ${f0(f.rssMiB).padStart(7)}  ${f0(f.hwmMiB).padStart(12)}  ${f0(f.heapMiB).padStart(8)}`,
      );
    }
  lines.push(
    '',
    "Connection rate (wrk, new connection per request): medians of the runs; ratios: median over rounds of the path / the round's direct run, with its 95 % interval",
  );
  lines.push(
    '"one DNAT rule": the same endpoints behind a single hand-written nft DNAT rule, ahead of the proxy\'s rules (the cost of DNAT itself)',
  );
  lines.push(
    'mode       services  from  rounds   direct/s   ClusterIP/s   one DNAT rule/s   ClusterIP ratio            one-rule ratio             errors',
  );
  for (const m of ms)
    for (const c of m.connRate) {
      lines.push(
        `${m.mode.padEnd(10)} ${String(c.services).padStart(8)}  ${c.from.padEnd(4)}  ${String(c.rounds).padStart(6)}   ${f0(c.directPerSec).padStart(8)}   ${f0(c.clusterIpPerSec).padStart(11)}   ${f0(c.floorPerSec).padStart(15)}   ${ratioText(c.ratio, c.ratioInterval).padEnd(25)}  ${ratioText(c.floorRatio, c.floorRatioInterval).padEnd(25)}  ${c.errors}`,
      );
    }
  lines.push('', 'Goals (from the issue)');
  for (const g of goals) lines.push(`${g.met ? 'MET    ' : 'MISSED '} ${g.mode.padEnd(10)} ${g.goal}: ${g.value}`);
  lines.push(
    `Anchors (kube-proxy's shapes, 5,000 x 10, from the issue): iptables-restore ${ANCHORS.iptablesRestoreMs / 1000} s; nftables one chain per endpoint ${ANCHORS.nftPerEndpointChainLoadMs / 1000} s to load, ${ANCHORS.nftAddOneElementMs / 1000} s to add one map element.`,
  );
  return lines.join('\n');
}
