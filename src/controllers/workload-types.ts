/**
 * Typed views of the apps/v1 objects the workload controllers read and
 * write, and the pod facts they decide by (ready, available, active).
 */
import type { KObject, ObjectMeta, OwnerReference } from '../api/meta.js';
import type { LabelSelectorObject } from '../api/selectors/index.js';
import { isPodReady, isPodTerminal, type Condition, type Pod } from './types.js';

export interface PodTemplate {
  metadata?: Pick<ObjectMeta, 'labels' | 'annotations' | 'finalizers'> & Record<string, unknown>;
  spec?: Record<string, unknown>;
}

/** The Pod fields the workload controllers read beyond the shared Pod view. */
export type WorkloadPod = Pod & {
  status?: Pod['status'] & { containerStatuses?: { restartCount?: number }[] };
};

export interface ReplicaSet extends KObject {
  spec: { replicas?: number; minReadySeconds?: number; selector?: LabelSelectorObject; template?: PodTemplate };
  status?: {
    replicas?: number;
    fullyLabeledReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration?: number;
    conditions?: Condition[];
  };
}

export interface DeploymentCondition extends Condition {
  lastUpdateTime?: string;
}

export interface Deployment extends KObject {
  spec: {
    replicas?: number;
    selector?: LabelSelectorObject;
    template?: PodTemplate;
    strategy?: { type?: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    paused?: boolean;
    progressDeadlineSeconds?: number;
  };
  status?: DeploymentStatus;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

export interface DaemonSet extends KObject {
  spec: {
    selector?: LabelSelectorObject;
    template?: PodTemplate;
    updateStrategy?: {
      type?: string;
      rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string };
    };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
  };
  status?: DaemonSetStatus;
}

export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
}

export interface StatefulSet extends KObject {
  spec: {
    replicas?: number;
    selector?: LabelSelectorObject;
    template?: PodTemplate;
    serviceName?: string;
    podManagementPolicy?: string;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
    revisionHistoryLimit?: number;
    minReadySeconds?: number;
    ordinals?: { start?: number };
  };
  status?: StatefulSetStatus;
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  availableReplicas: number;
}

export interface ControllerRevision extends KObject {
  data?: unknown;
  revision: number;
}

/** The owner reference with controller=true, if any. */
export function controllerRefOf(o: KObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller);
}

/** The controller reference an owner puts on what it creates (blockOwnerDeletion, as kube's controllers set it). */
export function controllerRefTo(owner: KObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Not finished and not being deleted: a pod that counts toward replicas (kube's IsPodActive). */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !pod.metadata.deletionTimestamp;
}

/** When the pod last became Ready (ms), if it is. */
export function readySince(pod: Pod): number | undefined {
  const c = pod.status?.conditions?.find((x) => x.type === 'Ready' && x.status === 'True');
  if (!c) return undefined;
  const t = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

/** kube's IsPodAvailable: Ready for at least minReadySeconds. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = readySince(pod);
  return since !== undefined && since > 0 && since + minReadySeconds * 1000 <= now;
}

/** ms until a Ready pod becomes available, or undefined when it is not Ready or already available. */
export function untilAvailable(pod: Pod, minReadySeconds: number, now: number): number | undefined {
  if (!minReadySeconds || !isPodReady(pod)) return undefined;
  const since = readySince(pod);
  if (!since) return undefined;
  const left = since + minReadySeconds * 1000 - now;
  return left > 0 ? left : undefined;
}

export { isPodReady };
