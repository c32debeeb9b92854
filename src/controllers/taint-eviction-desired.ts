/**
 * What the taint eviction controller decides, pure: when a pod on a node
 * with NoExecute taints must go, by kube's rules (taint_eviction.go): at
 * once if one taint is not tolerated, never if every tolerating toleration
 * is for ever, else after the shortest tolerationSeconds among them.
 */
import { tolerates } from './scheduler-decide.js';
import type { Taint, Toleration } from './types.js';

/** A pod's eviction: now, at a time (ms since the epoch), or never (undefined). */
export type Eviction = { at: number } | undefined;

/**
 * When the pod must be evicted. The clock starts at the newest NoExecute
 * taint's timeAdded (kept on the node, so a restarted controller decides
 * the same); for a taint without one, when this controller first saw it.
 */
export function evictionTime(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  nowMs: number,
  firstSeenMs: (taint: Taint) => number,
): Eviction {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return undefined;
  const used: Toleration[] = [];
  for (const taint of noExecute) {
    // kube takes the first toleration that tolerates each taint.
    const match = tolerations.find((t) => tolerates(t, taint));
    if (!match) return { at: nowMs };
    used.push(match);
  }
  const seconds = used.flatMap((t) => (t.tolerationSeconds === undefined ? [] : [t.tolerationSeconds]));
  if (seconds.length === 0) return undefined;
  const shortest = Math.max(0, Math.min(...seconds));
  const since = Math.max(...noExecute.map((t) => (t.timeAdded ? Date.parse(t.timeAdded) : NaN) || firstSeenMs(t)));
  return { at: since + shortest * 1000 };
}

/** kube's DisruptionTarget condition on a pod the taint manager deletes. */
export const disruptionTargetCondition = (now: string) => ({
  type: 'DisruptionTarget',
  status: 'True',
  reason: 'DeletionByTaintManager',
  message: 'Taint manager: deleting due to NoExecute taint',
  lastTransitionTime: now,
});
