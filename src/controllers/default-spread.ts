/**
 * kube-scheduler's cluster-default spreading (PodTopologySpread's system
 * defaults), pure: a pod with no topologySpreadConstraints of its own gets
 * two soft ones, maxSkew 3 over kubernetes.io/hostname and maxSkew 5 over
 * topology.kubernetes.io/zone, whose selector merges the selectors of the
 * Services selecting the pod and of its controlling ReplicaSet or
 * StatefulSet; with no such selector it gets none.
 */
import type { LabelSelectorObject } from '../api/selectors/index.js';
import type { TopologySpreadConstraint } from './topology-spread.js';
import type { Pod, Service } from './types.js';

export interface SelectorSources {
  /** The Services of the pod's namespace. */
  services: readonly Service[];
  /** The selector of the pod's controlling ReplicaSet or StatefulSet, if it has one. */
  controllerSelector?: LabelSelectorObject;
}

function selectsPod(selector: Record<string, string> | undefined, pod: Pod): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => pod.metadata.labels?.[k] === v);
}

/** kube's DefaultSelector as a LabelSelectorObject, or undefined when it would select everything. */
export function defaultSelector(pod: Pod, src: SelectorSources): LabelSelectorObject | undefined {
  const matchLabels: Record<string, string> = {};
  for (const s of src.services) if (selectsPod(s.spec?.selector, pod)) Object.assign(matchLabels, s.spec!.selector);
  Object.assign(matchLabels, src.controllerSelector?.matchLabels ?? {});
  const matchExpressions = src.controllerSelector?.matchExpressions ?? [];
  if (Object.keys(matchLabels).length === 0 && matchExpressions.length === 0) return undefined;
  return { matchLabels, matchExpressions };
}

/** The system default constraints for the pod, or none when it has its own or nothing groups it. */
export function defaultSpreadConstraints(pod: Pod, src: SelectorSources): TopologySpreadConstraint[] {
  if ((pod.spec?.topologySpreadConstraints ?? []).length > 0) return [];
  const labelSelector = defaultSelector(pod, src);
  if (!labelSelector) return [];
  return [
    { maxSkew: 3, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector },
    { maxSkew: 5, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector },
  ];
}
