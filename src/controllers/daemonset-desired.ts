/**
 * The DaemonSet controller's decision for one DaemonSet, pure: which nodes
 * should run its pod (node selector, required node affinity, taints its
 * pods do not tolerate), the pods to create and delete there (kube's
 * podsShouldBeOnNode), the rolling update within maxUnavailable or
 * maxSurge, and the status.
 */
import type { Node, Toleration } from './types.js';
import { tolerates } from './scheduler-decide.js';
import { matchesNodeAffinity, pinnedNode, type NodeAffinity } from './node-affinity.js';
import { REVISION_HASH_LABEL } from './revisions.js';
import {
  isPodAvailable,
  isPodReady,
  untilAvailable,
  type DaemonSet,
  type DaemonSetStatus,
  type WorkloadPod,
} from './workload-types.js';

/** The tolerations every daemon pod gets (kube's AddOrUpdateDaemonPodTolerations). */
function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const t = (key: string, effect: string): Toleration => ({ key, operator: 'Exists', effect });
  return [
    t('node.kubernetes.io/not-ready', 'NoExecute'),
    t('node.kubernetes.io/unreachable', 'NoExecute'),
    t('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    t('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    t('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    t('node.kubernetes.io/unschedulable', 'NoSchedule'),
    ...(hostNetwork ? [t('node.kubernetes.io/network-unavailable', 'NoSchedule')] : []),
  ];
}

/** The template's tolerations plus the daemon ones it lacks. */
export function withDaemonTolerations(own: readonly Toleration[], hostNetwork: boolean): Toleration[] {
  const out = [...own];
  for (const t of daemonTolerations(hostNetwork))
    if (!out.some((x) => x.key === t.key && x.effect === t.effect)) out.push(t);
  return out;
}

interface TemplateSpec {
  nodeSelector?: Record<string, string>;
  affinity?: NodeAffinity;
  tolerations?: Toleration[];
  hostNetwork?: boolean;
}

/**
 * nodeShouldRunDaemonPod: shouldRun (a new pod may go there) and
 * shouldContinueRunning (a running one may stay: only NoExecute taints evict).
 */
export function nodeShouldRun(ds: DaemonSet, node: Node): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const spec = (ds.spec.template?.spec ?? {}) as TemplateSpec;
  const no = { shouldRun: false, shouldContinueRunning: false };
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (node.metadata.labels?.[k] !== v) return no;
  if (!matchesNodeAffinity(spec.affinity, node)) return no;
  const tolerations = withDaemonTolerations(spec.tolerations ?? [], spec.hostNetwork === true);
  const untolerated = (effect: string) =>
    (node.spec?.taints ?? []).some((taint) => taint.effect === effect && !tolerations.some((t) => tolerates(t, taint)));
  if (untolerated('NoExecute')) return no;
  return { shouldRun: !untolerated('NoSchedule'), shouldContinueRunning: true };
}

/** The node a daemon pod is on, or is pinned to before it is scheduled. */
function targetNode(pod: WorkloadPod): string | undefined {
  return pod.spec?.nodeName || pinnedNode(pod.spec?.affinity);
}

const createdAt = (p: WorkloadPod) => (p.metadata.creationTimestamp ? Date.parse(p.metadata.creationTimestamp) : 0);
/** podByCreationTimestampAndPhase: older first; among equals, running first. */
const byAge = (a: WorkloadPod, b: WorkloadPod) =>
  createdAt(a) - createdAt(b) ||
  (a.status?.phase === 'Running' ? 0 : 1) - (b.status?.phase === 'Running' ? 0 : 1) ||
  (a.metadata.name! < b.metadata.name! ? -1 : 1);

interface DaemonSetPlan {
  /** Nodes that get a new pod. */
  create: string[];
  delete: WorkloadPod[];
  status: DaemonSetStatus;
  requeueAfterMs?: number;
}

function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.endsWith('%')) {
    const x = (Number.parseInt(v, 10) * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  return 0;
}

/**
 * The plan for a DaemonSet given the nodes, the pods it owns and the hash
 * of its current template. With `manage` false (creations or deletions in
 * flight) only the status is computed.
 */
export function planDaemonSet(
  ds: DaemonSet,
  nodes: readonly Node[],
  owned: readonly WorkloadPod[],
  hash: string,
  now: number,
  manage = true,
): DaemonSetPlan {
  const minReady = ds.spec.minReadySeconds ?? 0;
  const byNode = new Map<string, WorkloadPod[]>();
  for (const p of owned) {
    const n = targetNode(p);
    if (n === undefined) continue;
    const list = byNode.get(n) ?? [];
    list.push(p);
    byNode.set(n, list);
  }
  for (const list of byNode.values()) list.sort(byAge);
  const strategy = ds.spec.updateStrategy;
  const rolling = (strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const surgeAllowed = rolling && scaledValue(strategy?.rollingUpdate?.maxSurge, 1, true) > 0;
  const updated = (p: WorkloadPod) => p.metadata.labels?.[REVISION_HASH_LABEL] === hash;

  const create: string[] = [];
  const del = new Set<WorkloadPod>();
  const status: DaemonSetStatus = {
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    desiredNumberScheduled: 0,
    numberReady: 0,
    observedGeneration: ds.metadata.generation ?? 0,
    updatedNumberScheduled: 0,
    numberAvailable: 0,
    numberUnavailable: 0,
  };
  if (ds.status?.collisionCount !== undefined) status.collisionCount = ds.status.collisionCount;
  let requeueAfterMs: number | undefined;
  const wake = (ms: number | undefined) => {
    if (ms !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, ms + 50);
  };
  const desiredNodes: string[] = [];

  for (const node of nodes) {
    const name = node.metadata.name!;
    const pods = byNode.get(name) ?? [];
    const { shouldRun, shouldContinueRunning } = nodeShouldRun(ds, node);
    // Status: the oldest pod on each node speaks for it.
    if (shouldRun) {
      status.desiredNumberScheduled++;
      desiredNodes.push(name);
      const pod = pods[0];
      if (pod) {
        status.currentNumberScheduled++;
        if (isPodReady(pod)) {
          status.numberReady++;
          if (isPodAvailable(pod, minReady, now)) status.numberAvailable!++;
          else wake(untilAvailable(pod, minReady, now));
        }
        if (updated(pod)) status.updatedNumberScheduled!++;
      }
    } else if (pods.length) status.numberMisscheduled++;

    if (shouldRun && pods.length === 0) create.push(name);
    else if (shouldContinueRunning) {
      const running: WorkloadPod[] = [];
      for (const p of pods) {
        if (p.metadata.deletionTimestamp) continue;
        if (p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded') del.add(p);
        else running.push(p);
      }
      if (running.length > 1) {
        if (!surgeAllowed) running.slice(1).forEach((p) => del.add(p));
        else {
          // With surge a node may run one old and one new pod while the new one comes up.
          let oldestNew: WorkloadPod | undefined, oldestOld: WorkloadPod | undefined;
          for (const p of running) {
            if (updated(p) && !oldestNew) oldestNew = p;
            else if (!updated(p) && !oldestOld) oldestOld = p;
            else del.add(p);
          }
          if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, minReady, now)))
            del.add(oldestOld);
        }
      }
    } else if (pods.length) for (const p of pods) if (!p.metadata.deletionTimestamp) del.add(p);
  }
  status.numberUnavailable = status.desiredNumberScheduled - status.numberAvailable!;

  if (manage && rolling) {
    const desired = status.desiredNumberScheduled;
    const ru = strategy?.rollingUpdate ?? {};
    const maxSurge = scaledValue(ru.maxSurge, desired, true);
    let maxUnavailable = scaledValue(ru.maxUnavailable ?? 1, desired, true);
    // Neither surge nor unavailability configured: kube accepts one unavailable node.
    if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
    // findUpdatedPodsOnNode: at most one new and one old live pod, or the node is left to the loop above.
    const split = (pods: readonly WorkloadPod[]) => {
      let newPod: WorkloadPod | undefined, oldPod: WorkloadPod | undefined;
      for (const p of pods) {
        if (p.metadata.deletionTimestamp) continue;
        if (updated(p)) {
          if (newPod) return undefined;
          newPod = p;
        } else {
          if (oldPod) return undefined;
          oldPod = p;
        }
      }
      return { newPod, oldPod };
    };
    if (maxSurge === 0) {
      let unavailable = 0;
      const replace: WorkloadPod[] = [];
      const candidates: WorkloadPod[] = [];
      for (const [node, pods] of byNode) {
        if (!desiredNodes.includes(node)) continue;
        const s = split(pods);
        if (!s || (!s.newPod && !s.oldPod) || (s.newPod && s.oldPod)) {
          unavailable++;
          continue;
        }
        if (s.newPod) {
          if (!isPodAvailable(s.newPod, minReady, now)) unavailable++;
        } else if (!isPodAvailable(s.oldPod!, minReady, now)) replace.push(s.oldPod!);
        else if (unavailable < maxUnavailable) candidates.push(s.oldPod!);
      }
      const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
      for (const p of [...replace, ...candidates.slice(0, room)]) del.add(p);
    } else {
      let surging = 0;
      const allowed: string[] = [];
      const candidates: string[] = [];
      for (const [node, pods] of byNode) {
        if (!desiredNodes.includes(node)) continue;
        const s = split(pods);
        if (!s) {
          surging++;
          continue;
        }
        if (!s.oldPod) continue;
        if (!s.newPod) {
          if (!isPodAvailable(s.oldPod, minReady, now)) allowed.push(node);
          else if (surging < maxSurge) candidates.push(node);
        } else if (!isPodAvailable(s.newPod, minReady, now)) surging++;
        else del.add(s.oldPod);
      }
      const room = Math.min(Math.max(0, maxSurge - surging), candidates.length);
      for (const n of [...allowed, ...candidates.slice(0, room)]) if (!create.includes(n)) create.push(n);
    }
  }
  return {
    create: manage ? create : [],
    delete: manage ? [...del] : [],
    status,
    ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}),
  };
}
