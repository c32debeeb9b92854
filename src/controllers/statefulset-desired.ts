/**
 * The StatefulSet controller's decision for one StatefulSet, pure (kube's
 * StatefulSetControl): pods named <set>-<ordinal> with stable hostnames
 * under the governing Service, created in order and each only once its
 * predecessors are Running and Ready (OrderedReady) or all at once
 * (Parallel), removed from the highest ordinal down, updated from the
 * highest ordinal down to the partition one at a time, and the status.
 */
import type { KObject } from '../api/meta.js';
import { podFromTemplate } from './claims.js';
import { REVISION_HASH_LABEL } from './revisions.js';
import { isPodTerminal } from './types.js';
import {
  isPodAvailable,
  isPodReady,
  untilAvailable,
  type PodTemplate,
  type StatefulSet,
  type StatefulSetStatus,
  type WorkloadPod,
} from './workload-types.js';

const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** The ordinal of a pod of this set (its name is <set>-<n>), or undefined when it is not one. */
export function ordinalOf(set: StatefulSet, pod: KObject): number | undefined {
  const prefix = `${set.metadata.name}-`;
  const name = pod.metadata.name ?? '';
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

const revisionOf = (p: WorkloadPod) => p.metadata.labels?.[REVISION_HASH_LABEL] ?? '';
const terminating = (p: WorkloadPod) => !!p.metadata.deletionTimestamp;
const runningAndReady = (p: WorkloadPod) => p.status?.phase === 'Running' && isPodReady(p);
const healthy = (p: WorkloadPod) => runningAndReady(p) && !terminating(p);

/**
 * A pod of the set at an ordinal, from a template (the current revision's
 * or the update revision's): the stable name and hostname, the Service's
 * subdomain, the pod-name and pod-index labels, the revision label.
 * volumeClaimTemplates become emptyDir volumes: podnet has no storage to claim.
 */
export function statefulPod(
  set: StatefulSet,
  template: PodTemplate | undefined,
  ordinal: number,
  revision: string,
): KObject {
  const name = `${set.metadata.name}-${ordinal}`;
  const spec: Record<string, unknown> = { hostname: name };
  if (set.spec.serviceName) spec['subdomain'] = set.spec.serviceName;
  const claims = ((set.spec as { volumeClaimTemplates?: KObject[] }).volumeClaimTemplates ?? []).map(
    (c) => c.metadata.name!,
  );
  if (claims.length) {
    const own = ((template?.spec?.['volumes'] as { name: string }[] | undefined) ?? []).filter(
      (v) => !claims.includes(v.name),
    );
    spec['volumes'] = [...own, ...claims.map((c) => ({ name: c, emptyDir: {} }))];
  }
  return podFromTemplate(template, set, {
    name,
    extraLabels: { [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [REVISION_HASH_LABEL]: revision },
    spec,
  });
}

interface StatefulSetPlan {
  /** Ordinals to create, each with the revision (name) its template comes from. */
  create: { ordinal: number; revision: string }[];
  delete: WorkloadPod[];
  status: StatefulSetStatus;
  requeueAfterMs?: number;
}

export interface Revisions {
  current: string;
  update: string;
}

/** The plan for a StatefulSet given the pods it owns and its current and update revision names. */
export function planStatefulSet(
  set: StatefulSet,
  owned: readonly WorkloadPod[],
  rev: Revisions,
  now: number,
): StatefulSetPlan {
  const start = set.spec.ordinals?.start ?? 0;
  const count = set.spec.replicas ?? 1;
  const minReady = set.spec.minReadySeconds ?? 0;
  const monotonic = (set.spec.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';
  const replicas: (WorkloadPod | undefined)[] = new Array<WorkloadPod | undefined>(count).fill(undefined);
  const condemned: WorkloadPod[] = [];
  for (const p of owned) {
    const ord = ordinalOf(set, p);
    if (ord === undefined) continue;
    if (ord >= start && ord < start + count) replicas[ord - start] = p;
    else condemned.push(p);
  }
  condemned.sort((a, b) => ordinalOf(set, b)! - ordinalOf(set, a)!);

  const status = statefulSetStatus(
    set,
    [...replicas, ...condemned].filter((p): p is WorkloadPod => !!p),
    rev,
    now,
  );
  const plan: StatefulSetPlan = { create: [], delete: [], status };
  for (const p of [...replicas, ...condemned]) {
    const left = p && untilAvailable(p, minReady, now);
    if (left !== undefined) plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? Infinity, left + 50);
  }
  if (set.metadata.deletionTimestamp) return plan;
  const rolling = (set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const partition = rolling ? (set.spec.updateStrategy?.rollingUpdate?.partition ?? 0) : 0;
  /** newVersionedStatefulSetPod: below the partition pods keep the current revision. */
  const revisionFor = (ordinal: number) => (rolling && ordinal < start + partition ? rev.current : rev.update);

  for (let i = 0; i < count; i++) {
    const p = replicas[i];
    const ordinal = start + i;
    if (p && isPodTerminal(p) && !terminating(p)) {
      // Failed or finished: delete it and make it again.
      plan.delete.push(p);
      if (monotonic) return plan;
      continue;
    }
    if (!p) {
      plan.create.push({ ordinal, revision: revisionFor(ordinal) });
      if (monotonic) return plan;
      continue;
    }
    if (terminating(p) && monotonic) return plan;
    if (!runningAndReady(p) && monotonic) return plan;
    if (!isPodAvailable(p, minReady, now) && monotonic) return plan;
  }
  // Everything present is healthy (in order): scale down from the highest ordinal.
  const firstUnhealthy = [...replicas, ...condemned].find((p) => p && !healthy(p));
  for (const p of condemned) {
    if (terminating(p)) {
      if (monotonic) return plan;
      continue;
    }
    if (monotonic && p !== firstUnhealthy && (!runningAndReady(p) || !isPodAvailable(p, minReady, now))) return plan;
    plan.delete.push(p);
    if (monotonic) return plan;
  }
  if (!rolling) return plan;
  // Rolling update: the highest ordinal not at the update revision goes first, one at a time.
  for (let i = count - 1; i >= partition; i--) {
    const p = replicas[i];
    if (!p) continue;
    if (revisionOf(p) !== rev.update && !terminating(p)) {
      plan.delete.push(p);
      return plan;
    }
    if (!healthy(p)) return plan;
  }
  return plan;
}

/** computeReplicaStatus plus completeRollingUpdate. */
function statefulSetStatus(
  set: StatefulSet,
  pods: readonly WorkloadPod[],
  rev: Revisions,
  now: number,
): StatefulSetStatus {
  const minReady = set.spec.minReadySeconds ?? 0;
  const s: StatefulSetStatus = {
    observedGeneration: set.metadata.generation ?? 0,
    replicas: 0,
    readyReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    currentRevision: rev.current,
    updateRevision: rev.update,
    availableReplicas: 0,
  };
  if (set.status?.collisionCount !== undefined) s.collisionCount = set.status.collisionCount;
  for (const p of pods) {
    s.replicas++;
    if (runningAndReady(p)) {
      s.readyReplicas!++;
      if (isPodAvailable(p, minReady, now)) s.availableReplicas++;
    }
    if (!terminating(p)) {
      if (revisionOf(p) === rev.current) s.currentReplicas!++;
      if (revisionOf(p) === rev.update) s.updatedReplicas!++;
    }
  }
  const rolling = (set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  if (rolling && s.updatedReplicas === s.replicas && s.readyReplicas === s.replicas) {
    s.currentReplicas = s.updatedReplicas;
    s.currentRevision = s.updateRevision;
  }
  return s;
}
