/**
 * The ReplicaSet controller's decision for one ReplicaSet, pure: how many
 * pods to create, which to delete (the least valuable first, kube's
 * ActivePodsWithRanks), and the status that describes what it owns.
 */
import type { Condition } from './types.js';
import {
  isPodActive,
  isPodAvailable,
  isPodReady,
  readySince,
  untilAvailable,
  type ReplicaSet,
  type WorkloadPod,
} from './workload-types.js';

/** kube's burstReplicas: at most this many creations or deletions in one sync. */
const BURST_REPLICAS = 500;

interface ReplicaSetPlan {
  create: number;
  delete: WorkloadPod[];
  status: NonNullable<ReplicaSet['status']>;
  /** Sync again after this long: a Ready pod becomes available after minReadySeconds. */
  requeueAfterMs?: number;
}

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const maxRestarts = (p: WorkloadPod): number =>
  Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
const deletionCost = (p: WorkloadPod): number => {
  const v = Number(p.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0);
  return Number.isFinite(v) ? v : 0;
};
const created = (p: WorkloadPod): number =>
  p.metadata.creationTimestamp ? Date.parse(p.metadata.creationTimestamp) : 0;

/**
 * Pods in the order kube deletes them: unscheduled before scheduled,
 * Pending before Unknown before Running, not ready before ready, lower
 * pod-deletion-cost first, more siblings on the same node first, ready for
 * less time first, more restarts first, newer first.
 */
export function rankForDeletion(pods: readonly WorkloadPod[], related: readonly WorkloadPod[] = pods): WorkloadPod[] {
  const onNode = new Map<string, number>();
  for (const p of related)
    if (isPodActive(p)) onNode.set(p.spec?.nodeName ?? '', (onNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  const rank = (p: WorkloadPod) => onNode.get(p.spec?.nodeName ?? '') ?? 0;
  const cmp = (a: WorkloadPod, b: WorkloadPod): number => {
    const na = a.spec?.nodeName ?? '',
      nb = b.spec?.nodeName ?? '';
    if (na !== nb && (!na || !nb)) return !na ? -1 : 1;
    const pa = phaseOrdinal[a.status?.phase ?? ''] ?? 0,
      pb = phaseOrdinal[b.status?.phase ?? ''] ?? 0;
    if (pa !== pb) return pa - pb;
    const ra = isPodReady(a),
      rb = isPodReady(b);
    if (ra !== rb) return ra ? 1 : -1;
    const ca = deletionCost(a),
      cb = deletionCost(b);
    if (ca !== cb) return ca - cb;
    if (rank(a) !== rank(b)) return rank(b) - rank(a);
    if (ra && rb) {
      const ta = readySince(a) ?? 0,
        tb = readySince(b) ?? 0;
      if (ta !== tb) return tb - ta;
    }
    if (maxRestarts(a) !== maxRestarts(b)) return maxRestarts(b) - maxRestarts(a);
    return created(b) - created(a);
  };
  return [...pods].sort(cmp);
}

/** True when every label of the template is on the pod. */
function fullyLabeled(pod: WorkloadPod, templateLabels: Record<string, string>): boolean {
  return Object.entries(templateLabels).every(([k, v]) => pod.metadata.labels?.[k] === v);
}

/**
 * The plan for a ReplicaSet given the pods it owns (any state). With
 * `manage` false (creations or deletions still in flight) only the status
 * is computed.
 */
export function planReplicaSet(
  rs: ReplicaSet,
  owned: readonly WorkloadPod[],
  now: number,
  manage = true,
): ReplicaSetPlan {
  const active = owned.filter(isPodActive);
  const replicas = rs.spec.replicas ?? 1;
  const minReady = rs.spec.minReadySeconds ?? 0;
  const diff = active.length - replicas;
  let create = 0;
  let del: WorkloadPod[] = [];
  if (manage && diff < 0) create = Math.min(-diff, BURST_REPLICAS);
  if (manage && diff > 0) del = rankForDeletion(active).slice(0, Math.min(diff, BURST_REPLICAS));
  const templateLabels = rs.spec.template?.metadata?.labels ?? {};
  const status: NonNullable<ReplicaSet['status']> = {
    replicas: active.length,
    fullyLabeledReplicas: active.filter((p) => fullyLabeled(p, templateLabels)).length,
    readyReplicas: active.filter(isPodReady).length,
    availableReplicas: active.filter((p) => isPodAvailable(p, minReady, now)).length,
    observedGeneration: rs.metadata.generation ?? 0,
  };
  const conditions = rs.status?.conditions?.filter((c) => c.type === 'ReplicaFailure') ?? [];
  if (conditions.length) status.conditions = conditions;
  let requeueAfterMs: number | undefined;
  for (const p of active) {
    const left = untilAvailable(p, minReady, now);
    if (left !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, left + 50);
  }
  return { create, delete: del, status, ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) };
}

/** The ReplicaFailure condition after a failed create or delete (kube's reasons), or its removal (undefined). */
export function replicaFailure(
  existing: readonly Condition[] | undefined,
  failure: { reason: 'FailedCreate' | 'FailedDelete'; message: string } | undefined,
  now: string,
): Condition[] | undefined {
  const others = (existing ?? []).filter((c) => c.type !== 'ReplicaFailure');
  if (!failure) return others.length ? others : undefined;
  const prev = (existing ?? []).find((c) => c.type === 'ReplicaFailure');
  return [
    ...others,
    {
      type: 'ReplicaFailure',
      status: 'True',
      reason: failure.reason,
      message: failure.message,
      lastTransitionTime: prev?.status === 'True' && prev.lastTransitionTime ? prev.lastTransitionTime : now,
    },
  ];
}
