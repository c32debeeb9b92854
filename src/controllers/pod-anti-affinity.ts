/**
 * Inter-pod anti-affinity for the scheduler, pure: a pod's required terms
 * keep it out of every topology domain (nodes sharing the value of the
 * term's topologyKey label) that holds a pod the term selects, and so do
 * the required terms of the pods already placed (kube checks both ways);
 * its preferred terms weigh the domains by the pods they select, so the
 * scheduler picks the lightest. A node without the topologyKey label is in
 * no domain, so anti-affinity never keeps a pod off it.
 */
import { labelSelectorFromObject, matchesLabels, type LabelSelectorObject } from '../api/selectors/index.js';
import type { Node, Pod } from './types.js';
import { isPodTerminal } from './types.js';

export interface PodAffinityTerm {
  labelSelector?: LabelSelectorObject | null;
  namespaces?: string[];
  namespaceSelector?: LabelSelectorObject | null;
  topologyKey: string;
}
export interface WeightedPodAffinityTerm {
  weight: number;
  podAffinityTerm: PodAffinityTerm;
}
export interface PodAntiAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}

/** What the anti-affinity decision reads from the cluster. */
export interface AffinityView {
  /** Every node: topology domains span nodes. */
  nodes: readonly Node[];
  /** The pods bound (or assumed) to a node. */
  podsOn: (node: string) => Pod[];
  /** A namespace's labels, for namespaceSelector (undefined: unknown namespace). */
  namespaceLabels: (namespace: string) => Record<string, string> | undefined;
  /** The placed pods that have required anti-affinity terms (few; checked against every pod scheduled). */
  podsWithRequiredAntiAffinity: () => Pod[];
}

const ANTI_AFFINITY_UNFIT = "node(s) didn't match pod anti-affinity rules";
const EXISTING_ANTI_AFFINITY_UNFIT = "node(s) didn't satisfy existing pods anti-affinity rules";

export function requiredAntiAffinity(pod: Pod): PodAffinityTerm[] {
  return pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
}

/** Whether a term written in a pod of namespace `ns` selects the candidate pod (kube's AffinityTerm.Matches). */
export function termSelects(
  term: PodAffinityTerm,
  ns: string | undefined,
  candidate: Pod,
  namespaceLabels: (ns: string) => Record<string, string> | undefined,
): boolean {
  const cns = candidate.metadata.namespace ?? 'default';
  const listed = term.namespaces ?? [];
  const selector = term.namespaceSelector;
  let inNamespaces: boolean;
  if (listed.length === 0 && (selector === undefined || selector === null)) inNamespaces = cns === (ns ?? 'default');
  else {
    inNamespaces = listed.includes(cns);
    if (!inNamespaces && selector) {
      const sel = labelSelectorFromObject(selector);
      inNamespaces = sel !== 'nothing' && matchesLabels(sel, namespaceLabels(cns));
    }
  }
  if (!inNamespaces) return false;
  const sel = labelSelectorFromObject(term.labelSelector);
  return sel !== 'nothing' && matchesLabels(sel, candidate.metadata.labels);
}

/** topologyKey -> label value -> weight. */
export type DomainWeights = Map<string, Map<string, number>>;

export function addWeight(m: DomainWeights, key: string, value: string | undefined, weight: number): void {
  if (value === undefined) return;
  let byValue = m.get(key);
  if (!byValue) m.set(key, (byValue = new Map<string, number>()));
  byValue.set(value, (byValue.get(value) ?? 0) + weight);
}

function weightOn(m: DomainWeights, node: Node): number {
  let sum = 0;
  for (const [key, byValue] of m) {
    const v = node.metadata.labels?.[key];
    if (v !== undefined) sum += byValue.get(v) ?? 0;
  }
  return sum;
}

export interface AntiAffinity {
  /** kube's filter reason when the node is in a forbidden domain. */
  unfitReason: (node: Node) => string | undefined;
  /** The summed weights of the preferred terms' pods in the node's domains: lower is better. */
  penalty: (node: Node) => number;
}

/** The pod's anti-affinity against what is placed; undefined when none applies (the common case, kept cheap). */
export function antiAffinityFor(pod: Pod, view: AffinityView): AntiAffinity | undefined {
  const ns = pod.metadata.namespace;
  const required = requiredAntiAffinity(pod);
  const preferred = pod.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  const others = view
    .podsWithRequiredAntiAffinity()
    .filter((e) => e.metadata.uid !== pod.metadata.uid && !isPodTerminal(e) && e.spec?.nodeName);
  if (required.length === 0 && preferred.length === 0 && others.length === 0) return undefined;

  const own: DomainWeights = new Map();
  const byOthers: DomainWeights = new Map();
  const preferredWeights: DomainWeights = new Map();
  const nodeByName = new Map(view.nodes.map((n) => [n.metadata.name!, n]));
  if (required.length > 0 || preferred.length > 0) {
    for (const node of view.nodes) {
      for (const other of view.podsOn(node.metadata.name!)) {
        if (other.metadata.uid === pod.metadata.uid || isPodTerminal(other)) continue;
        for (const t of required)
          if (termSelects(t, ns, other, view.namespaceLabels))
            addWeight(own, t.topologyKey, node.metadata.labels?.[t.topologyKey], 1);
        for (const w of preferred)
          if (termSelects(w.podAffinityTerm, ns, other, view.namespaceLabels))
            addWeight(
              preferredWeights,
              w.podAffinityTerm.topologyKey,
              node.metadata.labels?.[w.podAffinityTerm.topologyKey],
              w.weight,
            );
      }
    }
  }
  for (const e of others) {
    const node = nodeByName.get(e.spec!.nodeName!);
    if (!node) continue;
    for (const t of requiredAntiAffinity(e))
      if (termSelects(t, e.metadata.namespace, pod, view.namespaceLabels))
        addWeight(byOthers, t.topologyKey, node.metadata.labels?.[t.topologyKey], 1);
  }
  return {
    unfitReason: (node) =>
      weightOn(own, node) > 0
        ? ANTI_AFFINITY_UNFIT
        : weightOn(byOthers, node) > 0
          ? EXISTING_ANTI_AFFINITY_UNFIT
          : undefined,
    penalty: (node) => weightOn(preferredWeights, node),
  };
}
