/**
 * Schemas of apps/v1 (Deployments, ReplicaSets, DaemonSets, StatefulSets,
 * ControllerRevisions), the core PodTemplateSpec and PersistentVolumeClaim
 * they embed, and autoscaling/v1 Scale (the scale subresource): field
 * names, types and patch metadata as in Kubernetes 1.32.
 */
import type { Definitions, Schema } from './types.js';
import {
  APPS,
  AUTOSCALING,
  CORE,
  META,
  any,
  arr,
  int32,
  int64,
  intOrString,
  map,
  obj,
  quantity,
  r,
  str,
  time,
} from './dsl.js';

/** A top-level kind (metadata, spec, status) and its list. */
function kind(prefix: string, name: string, fields: Record<string, Schema>): Definitions {
  return {
    [prefix + name]: obj({ kind: str(), apiVersion: str(), metadata: r(META + 'ObjectMeta'), ...fields }),
    [prefix + name + 'List']: obj(
      { kind: str(), apiVersion: str(), metadata: r(META + 'ListMeta'), items: arr(r(prefix + name)) },
      { required: ['items'] },
    ),
  };
}

const conditions = (ref: string): Schema =>
  arr(r(ref), { mergeKey: 'type', patchStrategy: 'merge', listType: 'map', listMapKeys: ['type'] });

const condition = (withUpdateTime: boolean): Schema =>
  obj(
    {
      type: str(),
      status: str(),
      ...(withUpdateTime ? { lastUpdateTime: time() } : {}),
      lastTransitionTime: time(),
      reason: str(),
      message: str(),
    },
    { required: ['type', 'status'] },
  );

export const appsDefinitions: Definitions = {
  ...kind(APPS, 'Deployment', { spec: r(APPS + 'DeploymentSpec'), status: r(APPS + 'DeploymentStatus') }),
  ...kind(APPS, 'ReplicaSet', { spec: r(APPS + 'ReplicaSetSpec'), status: r(APPS + 'ReplicaSetStatus') }),
  ...kind(APPS, 'DaemonSet', { spec: r(APPS + 'DaemonSetSpec'), status: r(APPS + 'DaemonSetStatus') }),
  ...kind(APPS, 'StatefulSet', { spec: r(APPS + 'StatefulSetSpec'), status: r(APPS + 'StatefulSetStatus') }),
  ...kind(APPS, 'ControllerRevision', { data: any(), revision: int64() }),

  [APPS + 'DeploymentSpec']: obj(
    {
      replicas: int32(),
      selector: r(META + 'LabelSelector'),
      template: r(CORE + 'PodTemplateSpec'),
      strategy: r(APPS + 'DeploymentStrategy'),
      minReadySeconds: int32(),
      revisionHistoryLimit: int32(),
      paused: { type: 'boolean' },
      progressDeadlineSeconds: int32(),
    },
    { required: ['selector', 'template'] },
  ),
  // patchStrategy retainKeys: switching to Recreate drops rollingUpdate in a strategic merge patch.
  [APPS + 'DeploymentStrategy']: obj(
    { type: str(), rollingUpdate: r(APPS + 'RollingUpdateDeployment') },
    { retainKeys: true },
  ),
  [APPS + 'RollingUpdateDeployment']: obj({ maxUnavailable: intOrString(), maxSurge: intOrString() }),
  [APPS + 'DeploymentStatus']: obj({
    observedGeneration: int64(),
    replicas: int32(),
    updatedReplicas: int32(),
    readyReplicas: int32(),
    availableReplicas: int32(),
    unavailableReplicas: int32(),
    conditions: conditions(APPS + 'DeploymentCondition'),
    collisionCount: int32(),
  }),
  [APPS + 'DeploymentCondition']: condition(true),

  [APPS + 'ReplicaSetSpec']: obj(
    {
      replicas: int32(),
      minReadySeconds: int32(),
      selector: r(META + 'LabelSelector'),
      template: r(CORE + 'PodTemplateSpec'),
    },
    { required: ['selector'] },
  ),
  [APPS + 'ReplicaSetStatus']: obj(
    {
      replicas: int32(),
      fullyLabeledReplicas: int32(),
      readyReplicas: int32(),
      availableReplicas: int32(),
      observedGeneration: int64(),
      conditions: conditions(APPS + 'ReplicaSetCondition'),
    },
    { required: ['replicas'] },
  ),
  [APPS + 'ReplicaSetCondition']: condition(false),

  [APPS + 'DaemonSetSpec']: obj(
    {
      selector: r(META + 'LabelSelector'),
      template: r(CORE + 'PodTemplateSpec'),
      updateStrategy: r(APPS + 'DaemonSetUpdateStrategy'),
      minReadySeconds: int32(),
      revisionHistoryLimit: int32(),
    },
    { required: ['selector', 'template'] },
  ),
  [APPS + 'DaemonSetUpdateStrategy']: obj({ type: str(), rollingUpdate: r(APPS + 'RollingUpdateDaemonSet') }),
  [APPS + 'RollingUpdateDaemonSet']: obj({ maxUnavailable: intOrString(), maxSurge: intOrString() }),
  [APPS + 'DaemonSetStatus']: obj(
    {
      currentNumberScheduled: int32(),
      numberMisscheduled: int32(),
      desiredNumberScheduled: int32(),
      numberReady: int32(),
      observedGeneration: int64(),
      updatedNumberScheduled: int32(),
      numberAvailable: int32(),
      numberUnavailable: int32(),
      collisionCount: int32(),
      conditions: conditions(APPS + 'DaemonSetCondition'),
    },
    { required: ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'] },
  ),
  [APPS + 'DaemonSetCondition']: condition(false),

  [APPS + 'StatefulSetSpec']: obj(
    {
      replicas: int32(),
      selector: r(META + 'LabelSelector'),
      template: r(CORE + 'PodTemplateSpec'),
      volumeClaimTemplates: arr(r(CORE + 'PersistentVolumeClaim'), { listType: 'atomic' }),
      serviceName: str(),
      podManagementPolicy: str(),
      updateStrategy: r(APPS + 'StatefulSetUpdateStrategy'),
      revisionHistoryLimit: int32(),
      minReadySeconds: int32(),
      persistentVolumeClaimRetentionPolicy: r(APPS + 'StatefulSetPersistentVolumeClaimRetentionPolicy'),
      ordinals: r(APPS + 'StatefulSetOrdinals'),
    },
    { required: ['selector', 'template'] },
  ),
  [APPS + 'StatefulSetUpdateStrategy']: obj({
    type: str(),
    rollingUpdate: r(APPS + 'RollingUpdateStatefulSetStrategy'),
  }),
  [APPS + 'RollingUpdateStatefulSetStrategy']: obj({ partition: int32(), maxUnavailable: intOrString() }),
  [APPS + 'StatefulSetPersistentVolumeClaimRetentionPolicy']: obj({ whenDeleted: str(), whenScaled: str() }),
  [APPS + 'StatefulSetOrdinals']: obj({ start: int32() }),
  [APPS + 'StatefulSetStatus']: obj(
    {
      observedGeneration: int64(),
      replicas: int32(),
      readyReplicas: int32(),
      currentReplicas: int32(),
      updatedReplicas: int32(),
      currentRevision: str(),
      updateRevision: str(),
      collisionCount: int32(),
      conditions: conditions(APPS + 'StatefulSetCondition'),
      availableReplicas: int32(),
    },
    { required: ['replicas'] },
  ),
  [APPS + 'StatefulSetCondition']: condition(false),

  [CORE + 'PodTemplateSpec']: obj({ metadata: r(META + 'ObjectMeta'), spec: r(CORE + 'PodSpec') }),
  [CORE + 'PersistentVolumeClaim']: obj({
    kind: str(),
    apiVersion: str(),
    metadata: r(META + 'ObjectMeta'),
    spec: r(CORE + 'PersistentVolumeClaimSpec'),
    status: r(CORE + 'PersistentVolumeClaimStatus'),
  }),
  [CORE + 'PersistentVolumeClaimSpec']: obj({
    accessModes: arr(str(), { listType: 'atomic' }),
    selector: r(META + 'LabelSelector'),
    resources: r(CORE + 'VolumeResourceRequirements'),
    volumeName: str(),
    storageClassName: str(),
    volumeMode: str(),
    dataSource: r(CORE + 'TypedLocalObjectReference'),
    dataSourceRef: r(CORE + 'TypedObjectReference'),
    volumeAttributesClassName: str(),
  }),
  [CORE + 'VolumeResourceRequirements']: obj({ limits: map(quantity()), requests: map(quantity()) }),
  [CORE + 'TypedObjectReference']: obj(
    { apiGroup: str(), kind: str(), name: str(), namespace: str() },
    { required: ['kind', 'name'] },
  ),
  [CORE + 'PersistentVolumeClaimStatus']: obj({
    phase: str(),
    accessModes: arr(str(), { listType: 'atomic' }),
    capacity: map(quantity()),
  }),

  [AUTOSCALING + 'Scale']: obj({
    kind: str(),
    apiVersion: str(),
    metadata: r(META + 'ObjectMeta'),
    spec: r(AUTOSCALING + 'ScaleSpec'),
    status: r(AUTOSCALING + 'ScaleStatus'),
  }),
  [AUTOSCALING + 'ScaleSpec']: obj({ replicas: int32() }),
  [AUTOSCALING + 'ScaleStatus']: obj({ replicas: int32(), selector: str() }, { required: ['replicas'] }),
};
