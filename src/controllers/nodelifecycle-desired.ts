/**
 * What the node lifecycle controller decides, pure: whether a node's
 * heartbeat (its Lease) is too old, and the node and pod changes that
 * follow — kube's texts and taint.
 */
import type { Condition, Node, Pod, Taint } from './types.js';

const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
const REASON_NODE_STATUS_UNKNOWN = 'NodeStatusUnknown';
const MESSAGE_STOPPED_POSTING = 'Kubelet stopped posting node status.';
/** kube's --node-monitor-grace-period default. */
export const DEFAULT_GRACE_SECONDS = 40;

/**
 * The last sign of life: the newest of the Lease's renewTime and the time
 * this controller first saw the node (so a restart never condemns a node
 * before a full grace period has passed).
 */
export function lastHeartbeat(leaseRenewTime: string | undefined, firstSeenMs: number): number {
  const renew = leaseRenewTime ? Date.parse(leaseRenewTime) : NaN;
  return Number.isNaN(renew) ? firstSeenMs : Math.max(renew, firstSeenMs);
}

export const isStale = (heartbeatMs: number, nowMs: number, graceSeconds: number): boolean =>
  nowMs - heartbeatMs > graceSeconds * 1000;

/**
 * The node's conditions once its kubelet went silent: every kubelet-owned
 * condition becomes Unknown/NodeStatusUnknown; a node that never reported
 * gets Ready Unknown/NodeStatusNeverUpdated. undefined when already so.
 */
export function unknownConditions(node: Node, now: string): Condition[] | undefined {
  const conds = node.status?.conditions ?? [];
  const ready = conds.find((c) => c.type === 'Ready');
  if (ready?.status === 'Unknown') return undefined;
  if (!ready) {
    return [
      ...conds,
      {
        type: 'Ready',
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: now,
        lastTransitionTime: now,
      },
    ];
  }
  return conds.map((c) =>
    c.status === 'Unknown'
      ? c
      : {
          ...c,
          status: 'Unknown',
          reason: REASON_NODE_STATUS_UNKNOWN,
          message: MESSAGE_STOPPED_POSTING,
          lastTransitionTime: now,
        },
  );
}

const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
const READINESS_KEYS = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE]);
const READINESS_EFFECTS = ['NoSchedule', 'NoExecute'] as const;

/**
 * The node's taints once they follow its Ready condition, as kube's node
 * lifecycle controller keeps them: not-ready while Ready is False,
 * unreachable while Unknown, each with NoSchedule (nothing new lands) and
 * NoExecute (pods that do not tolerate it are evicted); neither while Ready
 * is True or not reported yet. A taint already there keeps its timeAdded
 * (evictions count from it); other taints are untouched. undefined when
 * nothing changes.
 */
export function readinessTaints(node: Node, now: string): Taint[] | undefined {
  const ready = nodeReadyStatus(node);
  const key = ready === 'False' ? TAINT_NOT_READY : ready === 'Unknown' ? TAINT_UNREACHABLE : undefined;
  const taints = node.spec?.taints ?? [];
  const isReadiness = (t: Taint) =>
    READINESS_KEYS.has(t.key) && (READINESS_EFFECTS as readonly string[]).includes(t.effect);
  const wanted: Taint[] = key
    ? READINESS_EFFECTS.map(
        (effect) => taints.find((t) => t.key === key && t.effect === effect) ?? { key, effect, timeAdded: now },
      )
    : [];
  const kept = taints.filter((t) => isReadiness(t) && wanted.includes(t));
  if (kept.length === wanted.length && taints.filter(isReadiness).length === wanted.length) return undefined;
  return [...taints.filter((t) => !isReadiness(t)), ...wanted];
}

/** kube's MarkPodsNotReady for one pod: its Ready condition flips to False; undefined when nothing changes. */
export function podNotReadyConditions(pod: Pod, now: string): Condition[] | undefined {
  const conds = pod.status?.conditions ?? [];
  const ready = conds.find((c) => c.type === 'Ready');
  if (!ready || ready.status === 'False') return undefined;
  return conds.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: now } : c));
}

export const nodeReadyStatus = (node: Node): string | undefined =>
  node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
