/**
 * What the pod garbage collector decides, pure: a pod bound to a node that
 * no longer exists is orphaned (no kubelet will ever finish it), and is
 * force-deleted once the node has been missing for a quarantine period —
 * kube's gcOrphaned, so a node that is only briefly re-registering keeps
 * its pods.
 */
import type { Node, Pod } from './types.js';

/** kube-controller-manager's quarantine before an orphan is collected. */
const ORPHAN_QUARANTINE_MS = 40_000;

/**
 * Pods to force-delete now. `missingSince` remembers when each absent node
 * was first seen missing; the function returns the updated map (nodes that
 * are back, or have no pods left, are dropped from it).
 */
export function orphanedPods(
  pods: readonly Pod[],
  nodes: readonly Node[],
  missingSince: ReadonlyMap<string, number>,
  now: number,
  quarantineMs = ORPHAN_QUARANTINE_MS,
): { collect: Pod[]; missingSince: Map<string, number> } {
  const present = new Set(nodes.map((n) => n.metadata.name));
  const next = new Map<string, number>();
  const collect: Pod[] = [];
  for (const pod of pods) {
    const node = pod.spec?.nodeName;
    if (!node || present.has(node)) continue;
    const since = next.get(node) ?? missingSince.get(node) ?? now;
    next.set(node, since);
    if (now - since >= quarantineMs) collect.push(pod);
  }
  return { collect, missingSince: next };
}
