/**
 * Pod topology spread for the scheduler, pure (kube's PodTopologySpread).
 * Each constraint counts the pods its labelSelector (plus the pod's own
 * values of matchLabelKeys) selects in the pod's namespace, per domain (the
 * value of the topologyKey label) over the eligible nodes: those with every
 * topologyKey of the pod's hard constraints that pass nodeAffinityPolicy
 * (default Honor: nodeSelector and required node affinity) and
 * nodeTaintsPolicy (default Ignore). A DoNotSchedule constraint filters out
 * a node when placing the pod there would make its domain exceed the
 * emptiest domain by more than maxSkew (the emptiest counts as 0 while
 * there are fewer domains than minDomains); a ScheduleAnyway constraint
 * scores nodes, fewer selected pods in the domain being better.
 */
import { labelSelectorFromObject, matchesLabels, type LabelSelectorObject } from '../api/selectors/index.js';
import { matchesNodeAffinity } from './node-affinity.js';
import { tolerates } from './scheduler-decide.js';
import type { Node, Pod } from './types.js';
import { isPodTerminal } from './types.js';

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  /** DoNotSchedule or ScheduleAnyway. */
  whenUnsatisfiable: string;
  labelSelector?: LabelSelectorObject | null;
  minDomains?: number;
  matchLabelKeys?: string[];
  /** Honor (default) or Ignore. */
  nodeAffinityPolicy?: string;
  /** Honor or Ignore (default). */
  nodeTaintsPolicy?: string;
}

export const SPREAD_UNFIT = "node(s) didn't match pod topology spread constraints";
export const SPREAD_MISSING_LABEL = `${SPREAD_UNFIT} (missing required label)`;

export interface TopologySpread {
  /** kube's filter reason when a DoNotSchedule constraint forbids the node. */
  unfitReason: (node: Node) => string | undefined;
  /** The ScheduleAnyway constraints' raw cost on the node (lower is better), or undefined when the node lacks their keys. */
  cost: (node: Node) => number | undefined;
}

export interface SpreadView {
  nodes: readonly Node[];
  podsOn: (node: string) => Pod[];
}

interface Counted {
  constraint: TopologySpreadConstraint;
  selects: (p: Pod) => boolean;
  /** domain value -> selected pods. */
  counts: Map<string, number>;
}

/** The constraint's selector with the pod's values of matchLabelKeys added (kube merges them at PreFilter). */
function selectorOf(c: TopologySpreadConstraint, pod: Pod): (p: Pod) => boolean {
  const sel = labelSelectorFromObject(c.labelSelector);
  if (sel === 'nothing') return () => false;
  const labels = pod.metadata.labels ?? {};
  const extra = (c.matchLabelKeys ?? [])
    .filter((k) => labels[k] !== undefined)
    .map((k) => ({ key: k, operator: 'in' as const, values: [labels[k]!] }));
  const full = { requirements: [...sel.requirements, ...extra] };
  return (p) => matchesLabels(full, p.metadata.labels);
}

/** Whether the node counts for the constraint under its node inclusion policies. */
function included(c: TopologySpreadConstraint, pod: Pod, node: Node): boolean {
  if ((c.nodeAffinityPolicy ?? 'Honor') === 'Honor') {
    for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {}))
      if (node.metadata.labels?.[k] !== v) return false;
    if (!matchesNodeAffinity(pod.spec?.affinity, node)) return false;
  }
  if (c.nodeTaintsPolicy === 'Honor') {
    const tolerations = pod.spec?.tolerations ?? [];
    for (const taint of node.spec?.taints ?? [])
      if (
        (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') &&
        !tolerations.some((t) => tolerates(t, taint))
      )
        return false;
  }
  return true;
}

/** Selected pods per domain of each constraint, over the nodes that have all `keys` and pass its policies. */
function count(pod: Pod, constraints: TopologySpreadConstraint[], keys: string[], view: SpreadView): Counted[] {
  const ns = pod.metadata.namespace ?? 'default';
  const counted = constraints.map((c) => ({
    constraint: c,
    selects: selectorOf(c, pod),
    counts: new Map<string, number>(),
  }));
  for (const node of view.nodes) {
    const labels = node.metadata.labels ?? {};
    if (!keys.every((k) => labels[k] !== undefined)) continue;
    const pods = view
      .podsOn(node.metadata.name!)
      .filter(
        (p) =>
          p.metadata.uid !== pod.metadata.uid &&
          (p.metadata.namespace ?? 'default') === ns &&
          !p.metadata.deletionTimestamp &&
          !isPodTerminal(p),
      );
    for (const c of counted) {
      const value = labels[c.constraint.topologyKey];
      if (value === undefined || !included(c.constraint, pod, node)) continue;
      const n = pods.filter(c.selects).length;
      c.counts.set(value, (c.counts.get(value) ?? 0) + n);
    }
  }
  return counted;
}

function minOf(counts: Map<string, number>, minDomains: number): number {
  if (counts.size < minDomains) return 0;
  let min = Infinity;
  for (const n of counts.values()) min = Math.min(min, n);
  return min === Infinity ? 0 : min;
}

/**
 * The pod's topology spread against what is placed; undefined when it has
 * no constraints. systemDefaults (used when the pod has none of its own)
 * are scored on the nodes with any of their keys, not only all of them.
 */
export function topologySpreadFor(
  pod: Pod,
  view: SpreadView,
  systemDefaults: TopologySpreadConstraint[] = [],
): TopologySpread | undefined {
  const own = pod.spec?.topologySpreadConstraints ?? [];
  const defaulted = own.length === 0;
  const constraints = defaulted ? systemDefaults : own;
  if (constraints.length === 0) return undefined;
  const hard = constraints.filter((c) => c.whenUnsatisfiable !== 'ScheduleAnyway');
  const soft = constraints.filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway');
  const hardCounts = count(
    pod,
    hard,
    hard.map((c) => c.topologyKey),
    view,
  );
  const softCounts = count(pod, soft, defaulted ? [] : soft.map((c) => c.topologyKey), view);
  // kube weighs each soft constraint by log(domains + 2), so a key with many domains counts more.
  const weights = softCounts.map((c) => Math.log(c.counts.size + 2));
  return {
    unfitReason: (node) => {
      const labels = node.metadata.labels ?? {};
      for (const c of hardCounts) {
        const value = labels[c.constraint.topologyKey];
        if (value === undefined) return SPREAD_MISSING_LABEL;
      }
      for (const c of hardCounts) {
        const value = labels[c.constraint.topologyKey]!;
        const self = c.selects(pod) ? 1 : 0;
        const skew = (c.counts.get(value) ?? 0) + self - minOf(c.counts, c.constraint.minDomains ?? 1);
        if (skew > c.constraint.maxSkew) return SPREAD_UNFIT;
      }
      return undefined;
    },
    cost: (node) => {
      const labels = node.metadata.labels ?? {};
      const has = (c: TopologySpreadConstraint) => labels[c.topologyKey] !== undefined;
      if (defaulted ? !soft.some(has) : !soft.every(has)) return undefined;
      let sum = 0;
      softCounts.forEach((c, i) => {
        if (!has(c.constraint)) return;
        const n = c.counts.get(labels[c.constraint.topologyKey]!) ?? 0;
        sum += (n + c.constraint.maxSkew - 1) * weights[i]!;
      });
      return Math.round(sum);
    },
  };
}

/** kube's NormalizeScore for the spread: 0..100, the lowest cost best; nodes lacking the keys get 0. */
export function spreadScores(costs: (number | undefined)[]): number[] {
  const known = costs.filter((c): c is number => c !== undefined);
  if (known.length === 0) return costs.map(() => 0);
  const max = Math.max(...known),
    min = Math.min(...known);
  return costs.map((c) => (c === undefined ? 0 : max === 0 ? 100 : Math.floor((100 * (max + min - c)) / max)));
}
