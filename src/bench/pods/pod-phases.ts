/**
 * The two pod phases: start latency (pods spread by the scheduler over every
 * node, create -> Ready with an IP) and density (N pods pinned to one node:
 * how many get Ready, how long it takes, and whether deleting them leaves
 * the node as it was).
 */
import { summarize, type Summary } from '../apiserver/stats.js';
import { footprint, waitFootprint, type Cluster, type NodeFootprint } from './cluster.js';
import { agnhostPod, PodTracker, type PodTiming } from './pod-tracker.js';

export interface StartLatencyResult {
  mode: string;
  pods: number;
  /** Pods created per second (0: all at once, 16 requests in flight). */
  rate: number;
  ready: number;
  /** create sent -> Ready with an IP seen on the watch (ms). */
  toReady: Summary;
  /** create sent -> create response. */
  toCreated: Summary;
  /** create sent -> bound to a node (the scheduler). */
  toScheduled: Summary;
  /** bound -> Ready with IP (the node agent). */
  scheduledToReady: Summary;
  perNode: Record<string, number>;
  /** Slowest pods: name, node, ms. */
  slowest: { name: string; node: string; ms: number }[];
  failures: { name: string; why: string }[];
  /** First create sent -> last pod Ready (ms). */
  wallMs: number;
  /** Delete of all -> all gone from the API (ms). */
  deleteMs: number;
}

const d = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || b === undefined ? undefined : a - b;
const defined = (xs: (number | undefined)[]): number[] =>
  xs.filter((x): x is number => x !== undefined && Number.isFinite(x));

export async function measureStartLatency(
  c: Cluster,
  ns: string,
  o: { pods: number; rate: number; timeoutMs: number; mode: string },
  log: (s: string) => void,
): Promise<StartLatencyResult> {
  const base = new Map<string, NodeFootprint>();
  for (const n of c.nodes) base.set(n, await footprint(c, n));
  const tracker = new PodTracker(c, ns);
  await tracker.start();
  const label = { bench: `start-${o.mode}` };
  const objs = Array.from({ length: o.pods }, (_, i) =>
    agnhostPod(`start-${o.mode}-${String(i).padStart(3, '0')}`, label),
  );
  const names = objs.map((x) => x.metadata.name!);
  log(
    `start latency (${o.mode}): ${o.pods} pause pods, ${o.rate > 0 ? `${o.rate}/s` : 'all at once'}, scheduler spreads them over ${c.nodes.length} nodes`,
  );
  const t0 = performance.now();
  await tracker.create(objs, o.rate);
  await tracker.waitUntil(names, (t) => t.readyAt !== undefined, o.timeoutMs);
  const timings = names.map((n) => tracker.pods.get(n)!);
  const lastReady = Math.max(...defined(timings.map((t) => t.readyAt)));
  const toReady = defined(timings.map((t) => d(t.readyAt, t.sentAt)));
  const perNode: Record<string, number> = {};
  for (const t of timings) if (t.node) perNode[t.node] = (perNode[t.node] ?? 0) + 1;
  const failures = timings
    .filter((t) => t.readyAt === undefined)
    .map((t) => ({ name: t.name, why: PodTracker.why(t) }));
  const slowest = timings
    .filter((t) => t.readyAt !== undefined)
    .sort((a, b) => b.readyAt! - b.sentAt - (a.readyAt! - a.sentAt))
    .slice(0, 5)
    .map((t) => ({ name: t.name, node: t.node ?? '?', ms: Math.round(t.readyAt! - t.sentAt) }));
  const r: Omit<StartLatencyResult, 'deleteMs'> = {
    mode: o.mode,
    pods: o.pods,
    rate: o.rate,
    ready: toReady.length,
    toReady: summarize(toReady),
    toCreated: summarize(defined(timings.map((t) => d(t.createdAt, t.sentAt)))),
    toScheduled: summarize(defined(timings.map((t) => d(t.scheduledAt, t.sentAt)))),
    scheduledToReady: summarize(defined(timings.map((t) => d(t.readyAt, t.scheduledAt)))),
    perNode,
    slowest,
    failures,
    wallMs: lastReady - t0,
  };
  log(
    `  Ready ${r.ready}/${o.pods}; create->Ready p50 ${r.toReady.p50.toFixed(0)} ms, p99 ${r.toReady.p99.toFixed(0)} ms, max ${r.toReady.max.toFixed(0)} ms (scheduled p50 ${r.toScheduled.p50.toFixed(0)} ms; bound->Ready p50 ${r.scheduledToReady.p50.toFixed(0)} ms, p99 ${r.scheduledToReady.p99.toFixed(0)} ms); per node ${JSON.stringify(perNode)}`,
  );
  for (const f of failures.slice(0, 5)) log(`  not Ready: ${f.name}: ${f.why}`);

  const del0 = performance.now();
  await tracker.delete(names);
  await tracker.waitUntil(names, (t) => t.goneAt !== undefined, o.timeoutMs);
  const deleteMs = performance.now() - del0;
  tracker.stop();
  // The next phase starts on nodes as they were before this one.
  for (const n of c.nodes) {
    const w = await waitFootprint(c, n, base.get(n)!, 60_000);
    if (!w.clean)
      log(
        `  warning: ${n} still has ${JSON.stringify(w.fp)} after the delete (before: ${JSON.stringify(base.get(n))})`,
      );
  }
  log(`  deleted in ${(deleteMs / 1000).toFixed(1)} s`);
  return { ...r, deleteMs };
}

export interface DensityResult {
  node: string;
  pods: number;
  ready: number;
  failed: number;
  failures: { name: string; why: string }[];
  restarts: number;
  /** Pods that restarted, with the last termination the API shows (why). */
  restarted: { name: string; restarts: number; lastState: unknown }[];
  /** First create sent -> last pod Ready (ms); NaN when not all got Ready. */
  allReadyMs: number;
  toReady: Summary;
  /** delete sent for all -> all gone from the API (ms). */
  deleteMs: number;
  /** delete sent -> node footprint back to the baseline (ms). */
  cleanMs: number;
  before: NodeFootprint;
  atPeak: NodeFootprint;
  after: NodeFootprint;
  clean: boolean;
}

export async function measureDensity(
  c: Cluster,
  ns: string,
  o: { perNode: number; timeoutMs: number },
  log: (s: string) => void,
): Promise<DensityResult> {
  const node = c.nodes[0]!;
  const before = await footprint(c, node);
  const tracker = new PodTracker(c, ns);
  await tracker.start();
  const objs = Array.from({ length: o.perNode }, (_, i) =>
    agnhostPod(`dense-${String(i).padStart(3, '0')}`, { bench: 'density' }, { nodeName: node }),
  );
  const names = objs.map((x) => x.metadata.name!);
  log(`density: ${o.perNode} pause pods pinned to ${node} (baseline ${JSON.stringify(before)})`);
  const t0 = performance.now();
  await tracker.create(objs, 0);
  const all = await tracker.waitUntil(names, (t) => t.readyAt !== undefined, o.timeoutMs);
  const timings: PodTiming[] = names.map((n) => tracker.pods.get(n)!);
  const readyTimes = defined(timings.map((t) => t.readyAt));
  const allReadyMs = all && readyTimes.length === names.length ? Math.max(...readyTimes) - t0 : NaN;
  // Restarts show up a moment after Ready flips back; give a few seconds for a crashing pod to show.
  await new Promise((r) => setTimeout(r, 3000));
  const atPeak = await footprint(c, node);
  const failures = timings
    .filter((t) => t.readyAt === undefined)
    .map((t) => ({ name: t.name, why: PodTracker.why(t) }));
  const restarts = timings.reduce(
    (s, t) => s + (t.last?.status?.containerStatuses ?? []).reduce((a, cs) => a + (cs.restartCount ?? 0), 0),
    0,
  );
  const restarted = timings.flatMap((t) =>
    (t.last?.status?.containerStatuses ?? [])
      .filter((cs) => (cs.restartCount ?? 0) > 0)
      .map((cs) => ({
        name: t.name,
        restarts: cs.restartCount ?? 0,
        lastState: (cs as { lastState?: unknown }).lastState,
      })),
  );
  for (const r of restarted.slice(0, 5)) log(`  restarted: ${r.name} x${r.restarts}: ${JSON.stringify(r.lastState)}`);
  const ready = readyTimes.length;
  log(
    `  Ready ${ready}/${o.perNode} ${Number.isNaN(allReadyMs) ? `(not all within ${o.timeoutMs / 1000} s)` : `in ${(allReadyMs / 1000).toFixed(1)} s`}; restarts ${restarts}; node now ${JSON.stringify(atPeak)}`,
  );
  for (const f of failures.slice(0, 10)) log(`  not Ready: ${f.name}: ${f.why}`);

  const del0 = performance.now();
  await tracker.delete(names);
  await tracker.waitUntil(names, (t) => t.goneAt !== undefined, o.timeoutMs);
  const deleteMs = performance.now() - del0;
  tracker.stop();
  const w = await waitFootprint(c, node, before, 120_000);
  const cleanMs = performance.now() - del0;
  log(
    `  deleted in ${(deleteMs / 1000).toFixed(1)} s; node ${w.clean ? 'back to baseline' : 'NOT back to baseline'} after ${(cleanMs / 1000).toFixed(1)} s: ${JSON.stringify(w.fp)}`,
  );
  return {
    node,
    pods: o.perNode,
    ready,
    failed: o.perNode - ready,
    failures,
    restarts,
    restarted,
    allReadyMs,
    toReady: summarize(defined(timings.map((t) => d(t.readyAt, t.sentAt)))),
    deleteMs,
    cleanMs,
    before,
    atPeak,
    after: w.fp,
    clean: w.clean,
  };
}
