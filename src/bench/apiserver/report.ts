/** The results table (metric, value, goal, met?) and the JSON written beside it. */
import type { CreateResult } from './create-phase.js';
import type { PhaseCpu } from './cpu-usage.js';
import type { ListResult } from './list-phase.js';
import type { ServerMemory } from './server-process.js';
import type { WatchResult } from './watch-phase.js';
import { round2 } from './stats.js';

export interface BenchResults {
  creates: CreateResult[];
  lists: ListResult[];
  watch: WatchResult;
  /** Server memory after each step, in order. */
  memory: Array<{ after: string } & ServerMemory>;
  /** CPU seconds per phase: server, load generator, other processes. */
  cpu: PhaseCpu[];
}

export interface Row {
  metric: string;
  value: number;
  unit: string;
  /** e.g. "< 200 ms"; empty when the issue sets no goal for this figure. */
  goal: string;
  met?: boolean;
}

/** The goals from the issue: list of 10k < 200 ms, watch p99 to 100 watchers < 50 ms, creates >= 2,000/s, RSS < 500 MB. */
export const GOALS = { listMs: 200, watchP99Ms: 50, createsPerSecond: 2000, rssMiB: 500 };

export function rows(r: BenchResults): Row[] {
  const out: Row[] = [];
  for (const c of r.creates) {
    if (c.kind === 'Namespace') continue;
    out.push({
      metric: `create ${c.kind} (${c.count})`,
      value: c.perSecond,
      unit: '/s',
      goal: `>= ${GOALS.createsPerSecond}/s`,
      met: c.perSecond >= GOALS.createsPerSecond,
    });
    out.push({
      metric: `  ${c.kind} create latency p50 / p99`,
      value: NaN,
      unit: `${fmt(c.latency.p50)} / ${fmt(c.latency.p99)} ms`,
      goal: '',
    });
    out.push({
      metric: `  ${c.kind} connections dropped by the server (retried)`,
      value: c.connectionResets,
      unit: '',
      goal: '0',
      met: c.connectionResets === 0,
    });
  }
  for (const l of r.lists) {
    const gated = l.name === 'list JSON';
    out.push({
      metric: `${l.name} (${l.items} items, ${(l.bytes / 1048576).toFixed(1)} MiB${l.pages > 1 ? `, ${l.pages} pages` : ''}) p50`,
      value: l.latency.p50,
      unit: 'ms',
      goal: gated ? `< ${GOALS.listMs} ms` : '',
      met: gated ? l.latency.p50 < GOALS.listMs : undefined,
    });
    out.push({
      metric: `${l.name} p99`,
      value: l.latency.p99,
      unit: 'ms',
      goal: gated ? `< ${GOALS.listMs} ms` : '',
      met: gated ? l.latency.p99 < GOALS.listMs : undefined,
    });
  }
  const w = r.watch;
  const lossless = w.deliveries === w.expectedDeliveries;
  out.push({
    metric: `watch ${w.watchers} watchers x ${w.updates} updates: delivered`,
    value: w.deliveries,
    unit: `of ${w.expectedDeliveries}`,
    goal: 'all',
    met: lossless,
  });
  out.push({ metric: `watch latency send->receive p50`, value: w.fromSend.p50, unit: 'ms', goal: '' });
  out.push({
    metric: `watch latency send->receive p99`,
    value: w.fromSend.p99,
    unit: 'ms',
    goal: `< ${GOALS.watchP99Ms} ms`,
    met: w.fromSend.p99 < GOALS.watchP99Ms && lossless,
  });
  out.push({
    metric: `watch latency response->receive p50 / p99`,
    value: NaN,
    unit: `${fmt(w.fromResponse.p50)} / ${fmt(w.fromResponse.p99)} ms`,
    goal: '',
  });
  out.push({
    metric: `  patch latency p50 / p99 (${fmt(w.updatesPerSecond)} updates/s)`,
    value: NaN,
    unit: `${fmt(w.patchLatency.p50)} / ${fmt(w.patchLatency.p99)} ms`,
    goal: '',
  });
  const loaded = r.memory.find((m) => m.after === 'load') ?? r.memory[r.memory.length - 1]!;
  const last = r.memory[r.memory.length - 1]!;
  out.push({
    metric: 'server VmRSS after load',
    value: loaded.rssMiB,
    unit: 'MiB',
    goal: `< ${GOALS.rssMiB} MB`,
    met: loaded.rssMiB * 1.048576 < GOALS.rssMiB,
  });
  out.push({ metric: 'server VmRSS at end', value: last.rssMiB, unit: 'MiB', goal: '' });
  out.push({
    metric: 'server VmHWM (peak) at end',
    value: last.hwmMiB,
    unit: 'MiB',
    goal: `< ${GOALS.rssMiB} MB`,
    met: last.hwmMiB * 1.048576 < GOALS.rssMiB,
  });
  const withStore = r.cpu.some((c) => c.storeS > 0);
  for (const c of r.cpu) {
    if (c.phase === 'create Namespace') continue;
    out.push({
      metric: `CPU ${c.phase}: server${withStore ? ' / etcd' : ''} / load generator / others`,
      value: NaN,
      unit: `${fmt(c.serverS)}${withStore ? ` / ${fmt(c.storeS)}` : ''} / ${fmt(c.benchS)} / ${fmt(c.otherS)} s in ${fmt(c.wallS)} s`,
      goal: '',
    });
    if (c.ops)
      out.push({
        metric: `  CPU per ${c.unit}: server${withStore ? ' / etcd' : ''}`,
        value: NaN,
        unit: `${fmt(perOpMs(c.serverS, c))}${withStore ? ` / ${fmt(perOpMs(c.storeS, c))}` : ''} ms`,
        goal: '',
      });
  }
  return out;
}

/** Mean cores other processes used while the bench ran; above ~0.2 on 2 cores the wall-clock figures are disturbed. */
export function otherCores(r: BenchResults): number {
  let other = 0,
    wall = 0;
  for (const c of r.cpu) {
    other += c.otherS;
    wall += c.wallS;
  }
  return wall > 0 ? other / wall : 0;
}

export function formatTable(rs: Row[]): string {
  const cells = rs.map((r) => [
    r.metric,
    Number.isNaN(r.value) ? r.unit : `${fmt(r.value)} ${r.unit}`,
    r.goal,
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ]);
  return textTable(['metric', 'value', 'goal', 'met?'], cells);
}

/** Columns padded to their widest cell, a rule under the head. */
function textTable(head: string[], cells: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return v >= 100 ? Math.round(v).toLocaleString('en-US') : String(round2(v));
}

const perOpMs = (seconds: number, c: PhaseCpu): number => (seconds * 1000) / Math.max(1, c.ops ?? 1);

/** One store's whole run. */
export interface StoreRun {
  store: 'sqlite' | 'etcd';
  results: BenchResults;
}

/** The figures that compare the stores, one column per store (the issue's etcd goals beside them). */
function sideBySideRows(runs: StoreRun[]): { metric: string; values: string[]; goal: string }[] {
  const cpuOf = (r: BenchResults, phase: string) => r.cpu.find((c) => c.phase === phase);
  const pick = (f: (r: BenchResults) => number | undefined, unit: string) =>
    runs.map(({ results }) => {
      const v = f(results);
      return v === undefined ? '-' : `${fmt(v)} ${unit}`.trim();
    });
  const svc = (r: BenchResults) => r.creates.find((c) => c.kind === 'Service');
  const list = (r: BenchResults) => r.lists.find((l) => l.name === 'list JSON');
  const per = (phase: string, which: 'serverS' | 'storeS') => (r: BenchResults) => {
    const c = cpuOf(r, phase);
    return c?.ops ? perOpMs(c[which], c) : undefined;
  };
  return [
    { metric: 'Service creates', values: pick((r) => svc(r)?.perSecond, '/s'), goal: '>= 1,500/s (etcd)' },
    {
      metric: `list of ${runs[0]?.results.lists[0]?.items ?? 0} Services p50`,
      values: pick((r) => list(r)?.latency.p50, 'ms'),
      goal: '< 300 ms (etcd)',
    },
    { metric: '  p99', values: pick((r) => list(r)?.latency.p99, 'ms'), goal: '< 300 ms (etcd)' },
    { metric: 'watch send->receive p99', values: pick((r) => r.watch.fromSend.p99, 'ms'), goal: '< 50 ms' },
    {
      metric: 'CPU per Service create: API server',
      values: pick(per('create Service', 'serverS'), 'ms'),
      goal: '',
    },
    { metric: 'CPU per Service create: etcd', values: pick(per('create Service', 'storeS'), 'ms'), goal: '' },
    { metric: 'CPU per list: API server', values: pick(per('list JSON', 'serverS'), 'ms'), goal: '' },
    { metric: 'CPU per list: etcd', values: pick(per('list JSON', 'storeS'), 'ms'), goal: '' },
    { metric: 'CPU per watched update: API server', values: pick(per('watch', 'serverS'), 'ms'), goal: '' },
    { metric: 'CPU per watched update: etcd', values: pick(per('watch', 'storeS'), 'ms'), goal: '' },
    {
      metric: 'other processes (mean cores)',
      values: runs.map(({ results }) => fmt(otherCores(results))),
      goal: '',
    },
  ];
}

export function formatSideBySide(runs: StoreRun[]): string {
  const cells = sideBySideRows(runs).map((r) => [r.metric, ...r.values, r.goal]);
  return textTable(['metric', ...runs.map((r) => r.store), 'goal'], cells);
}
