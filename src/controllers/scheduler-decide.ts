/**
 * The scheduler's decision for one pod, pure: which nodes can take it
 * (ready, schedulable, no untolerated NoSchedule/NoExecute taint, matching
 * nodeSelector and node affinity, free host ports, topology spread, pod
 * affinity and anti-affinity), kube's message when none can, and which
 * feasible node suits it best (kube's InterPodAffinity and PodTopologySpread
 * scores, then the fewest of its siblings, then the fewest pods).
 */
import type { Node, Pod, Taint, Toleration } from './types.js';
import { isPodTerminal } from './types.js';
import { matchesNodeAffinity } from './node-affinity.js';
import { hostPortTaken } from './host-ports.js';
import type { AntiAffinity } from './pod-anti-affinity.js';
import type { Affinity } from './pod-affinity.js';
import { spreadScores, SPREAD_UNFIT, type TopologySpread } from './topology-spread.js';

export const DEFAULT_SCHEDULER = 'default-scheduler';

/** Pending, ours, not being deleted. */
export function needsScheduling(pod: Pod): boolean {
  return (
    !pod.spec?.nodeName &&
    (pod.spec?.schedulerName ?? DEFAULT_SCHEDULER) === DEFAULT_SCHEDULER &&
    !pod.metadata.deletionTimestamp &&
    !isPodTerminal(pod)
  );
}

/** kube's toleration matching (v1 Toleration.ToleratesTaint). */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if ((t.key ?? '') !== '' && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  if ((t.key ?? '') === '') return false; // an empty key only makes sense with Exists
  return (t.value ?? '') === (taint.value ?? '');
}

/**
 * The node's taints as the scheduler sees them. A node that is not Ready
 * without the matching taint yet gets it implicitly (kube's node lifecycle
 * controller would have added it): not-ready, or unreachable when Unknown.
 */
function effectiveTaints(node: Node): Taint[] {
  const taints = [...(node.spec?.taints ?? [])];
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') {
    const key = ready?.status === 'Unknown' ? 'node.kubernetes.io/unreachable' : 'node.kubernetes.io/not-ready';
    if (!taints.some((t) => t.key === key && t.effect === 'NoSchedule')) taints.push({ key, effect: 'NoSchedule' });
  }
  return taints;
}

/** Why the node cannot take the pod (kube's filter reason), or undefined if it can. */
export function unfitReason(pod: Pod, node: Node): string | undefined {
  const tolerations = pod.spec?.tolerations ?? [];
  if (
    node.spec?.unschedulable &&
    !tolerations.some((t) => tolerates(t, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }))
  ) {
    return 'node(s) were unschedulable';
  }
  for (const taint of effectiveTaints(node)) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerations.some((t) => tolerates(t, taint)))
      return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
  }
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (node.metadata.labels?.[k] !== v) return "node(s) didn't match Pod's node affinity/selector";
  }
  if (!matchesNodeAffinity(pod.spec?.affinity, node)) return "node(s) didn't match Pod's node affinity/selector";
  return undefined;
}

interface Filtered {
  feasible: Node[];
  reasons: Map<string, number>;
}

/** The pod's rules that depend on the pods already placed (undefined: the pod has none). */
export interface PodRules {
  antiAffinity?: AntiAffinity;
  affinity?: Affinity;
  spread?: TopologySpread;
}

/** What the filters that look at other pods read: the pods on a node, the pod's rules. */
interface PodsView extends PodRules {
  podsOn: (node: string) => Pod[];
}

export const HOST_PORTS_UNFIT = "node(s) didn't have free ports for the requested pod ports";

/** Why the node cannot take the pod for the pods already placed (kube's NodePorts, PodTopologySpread, InterPodAffinity filters, in its order). */
function podsUnfitReason(pod: Pod, node: Node, view: PodsView): string | undefined {
  if (hostPortTaken(pod, view.podsOn(node.metadata.name!))) return HOST_PORTS_UNFIT;
  return view.spread?.unfitReason(node) ?? view.affinity?.unfitReason(node) ?? view.antiAffinity?.unfitReason(node);
}

/** Reasons preemption could resolve (kube's Unschedulable, not UnschedulableAndUnresolvable). */
const RESOLVABLE = new Set([
  HOST_PORTS_UNFIT,
  SPREAD_UNFIT,
  "node(s) didn't match pod anti-affinity rules",
  "node(s) didn't satisfy existing pods anti-affinity rules",
]);

export function filterNodes(pod: Pod, nodes: Node[], view?: PodsView): Filtered {
  const feasible: Node[] = [];
  const reasons = new Map<string, number>();
  for (const n of nodes) {
    const why = unfitReason(pod, n) ?? (view && podsUnfitReason(pod, n, view));
    if (why) reasons.set(why, (reasons.get(why) ?? 0) + 1);
    else feasible.push(n);
  }
  return { feasible, reasons };
}

/**
 * kube's FitError text plus the preemption note, e.g. "0/3 nodes are
 * available: 3 node(s) were unschedulable. preemption: ...". podnet does not
 * preempt, and gives no pod a lower priority than another, so where kube
 * would look for victims it finds none.
 */
export function unschedulableMessage(nodeCount: number, reasons: Map<string, number>): string {
  if (nodeCount === 0) return 'no nodes available to schedule pods';
  const parts = [...reasons].map(([r, n]) => `${n} ${r}`).sort();
  let resolvable = 0;
  for (const [r, n] of reasons) if (RESOLVABLE.has(r)) resolvable += n;
  const preemption = [
    resolvable > 0 ? `${resolvable} No preemption victims found for incoming pod` : '',
    nodeCount - resolvable > 0 ? `${nodeCount - resolvable} Preemption is not helpful for scheduling` : '',
  ]
    .filter(Boolean)
    .sort();
  return `0/${nodeCount} nodes are available: ${parts.join(', ')}. preemption: 0/${nodeCount} nodes are available: ${preemption.join(', ')}.`;
}

/** Pods that belong together: the same controller, or (without one) the same namespace and labels. */
function sameGroup(a: Pod, b: Pod): boolean {
  if (a.metadata.namespace !== b.metadata.namespace) return false;
  const ca = a.metadata.ownerReferences?.find((o) => o.controller)?.uid;
  const cb = b.metadata.ownerReferences?.find((o) => o.controller)?.uid;
  if (ca || cb) return ca === cb;
  const la = a.metadata.labels ?? {},
    lb = b.metadata.labels ?? {};
  const ka = Object.keys(la);
  return ka.length === Object.keys(lb).length && ka.every((k) => la[k] === lb[k]);
}

interface Candidate {
  node: Node;
  score: number;
  same: number;
  total: number;
}

/** kube's InterPodAffinity NormalizeScore: raw scores scaled to 0..100 between their min and max. */
function affinityScores(raw: number[]): number[] {
  const max = Math.max(0, ...raw),
    min = Math.min(0, ...raw);
  return raw.map((r) => (max > min ? Math.floor((100 * (r - min)) / (max - min)) : 0));
}

/**
 * The feasible node with the best score: kube's InterPodAffinity (preferred
 * affinity weights less preferred anti-affinity weights) and
 * PodTopologySpread (ScheduleAnyway constraints) scores, each 0..100 and
 * weighted 2 as in kube's default profile; ties go to the fewest pods of
 * its group, then the fewest pods, then the first name. podsOn(node) lists
 * the live pods bound to it.
 */
export function pickNode(
  pod: Pod,
  feasible: Node[],
  podsOn: (node: string) => Pod[],
  rules: PodRules = {},
): Node | undefined {
  const { antiAffinity, affinity, spread } = rules;
  const interPod =
    antiAffinity || affinity
      ? affinityScores(feasible.map((n) => (affinity?.preference(n) ?? 0) - (antiAffinity?.penalty(n) ?? 0)))
      : undefined;
  const spreadScore = spread ? spreadScores(feasible.map((n) => spread.cost(n))) : undefined;
  let best: Candidate | undefined;
  feasible.forEach((node, i) => {
    const pods = podsOn(node.metadata.name!).filter((p) => !isPodTerminal(p) && p.metadata.uid !== pod.metadata.uid);
    const same = pods.filter((p) => sameGroup(pod, p)).length;
    const score = 2 * (interPod?.[i] ?? 0) + 2 * (spreadScore?.[i] ?? 0);
    const c = { node, score, same, total: pods.length };
    if (!best || better(c, best)) best = c;
  });
  return best?.node;
}

function better(a: Candidate, b: Candidate): boolean {
  if (a.score !== b.score) return a.score > b.score;
  if (a.same !== b.same) return a.same < b.same;
  if (a.total !== b.total) return a.total < b.total;
  return a.node.metadata.name! < b.node.metadata.name!;
}
