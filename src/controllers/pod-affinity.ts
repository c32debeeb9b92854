/**
 * Inter-pod affinity for the scheduler, pure: a pod's required terms put it
 * only in topology domains (nodes sharing the value of the term's
 * topologyKey label) that already hold a pod every required term selects;
 * a node without one of the terms' topologyKey labels is in no domain, so
 * it never qualifies. kube's rule for the first pod of a group: when no
 * placed pod matches the terms anywhere and the pod matches all its own
 * terms, any node with the topology labels will do. Preferred terms add
 * their weight for each selected pod in the node's domains.
 */
import type { Node, Pod } from './types.js';
import { isPodTerminal } from './types.js';
import {
  addWeight,
  termSelects,
  type DomainWeights,
  type AffinityView,
  type PodAffinityTerm,
  type WeightedPodAffinityTerm,
} from './pod-anti-affinity.js';

export interface PodAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}

export const AFFINITY_UNFIT = "node(s) didn't match pod affinity rules";

export interface Affinity {
  /** kube's filter reason when the node is in no domain the required terms allow. */
  unfitReason: (node: Node) => string | undefined;
  /** The summed weights of the preferred terms' pods in the node's domains: higher is better. */
  preference: (node: Node) => number;
}

const countIn = (m: DomainWeights, key: string, value: string): number => m.get(key)?.get(value) ?? 0;

/** The pod's affinity against what is placed; undefined when it has none (the common case, kept cheap). */
export function affinityFor(pod: Pod, view: Omit<AffinityView, 'podsWithRequiredAntiAffinity'>): Affinity | undefined {
  const ns = pod.metadata.namespace;
  const required = pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  const preferred = pod.spec?.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  if (required.length === 0 && preferred.length === 0) return undefined;

  const selectsAll = (p: Pod) => required.every((t) => termSelects(t, ns, p, view.namespaceLabels));
  // A placed pod counts for the required terms only when it matches all of them (kube's affinityCounts).
  const matching: DomainWeights = new Map();
  const preferredWeights: DomainWeights = new Map();
  let anyMatching = false;
  for (const node of view.nodes) {
    const labels = node.metadata.labels ?? {};
    for (const other of view.podsOn(node.metadata.name!)) {
      if (other.metadata.uid === pod.metadata.uid || isPodTerminal(other)) continue;
      if (required.length > 0 && selectsAll(other)) {
        for (const t of required) {
          if (labels[t.topologyKey] === undefined) continue;
          addWeight(matching, t.topologyKey, labels[t.topologyKey], 1);
          anyMatching = true;
        }
      }
      for (const w of preferred)
        if (termSelects(w.podAffinityTerm, ns, other, view.namespaceLabels))
          addWeight(preferredWeights, w.podAffinityTerm.topologyKey, labels[w.podAffinityTerm.topologyKey], w.weight);
    }
  }
  const firstOfGroup = !anyMatching && selectsAll(pod);
  return {
    unfitReason: (node) => {
      const labels = node.metadata.labels ?? {};
      let podsExist = true;
      for (const t of required) {
        const value = labels[t.topologyKey];
        if (value === undefined) return AFFINITY_UNFIT;
        if (countIn(matching, t.topologyKey, value) <= 0) podsExist = false;
      }
      return podsExist || firstOfGroup ? undefined : AFFINITY_UNFIT;
    },
    preference: (node) => {
      let sum = 0;
      for (const [key, byValue] of preferredWeights) {
        const v = node.metadata.labels?.[key];
        if (v !== undefined) sum += byValue.get(v) ?? 0;
      }
      return sum;
    },
  };
}
