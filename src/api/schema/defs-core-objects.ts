/** Schemas of core-objects (field names, types and patch metadata as in Kubernetes 1.32). */
import type { Definitions } from './types.js';
import { CORE, META, arr, bool, bytes, int32, map, obj, r, str, time } from './dsl.js';

export const coreObjectsDefinitions: Definitions = {
  [CORE + 'Namespace']: obj({
    kind: str(),
    apiVersion: str(),
    metadata: r(META + 'ObjectMeta'),
    spec: r(CORE + 'NamespaceSpec'),
    status: r(CORE + 'NamespaceStatus'),
  }),
  [CORE + 'NamespaceList']: obj(
    {
      kind: str(),
      apiVersion: str(),
      metadata: r(META + 'ListMeta'),
      items: arr(r(CORE + 'Namespace')),
    },
    { required: ['items'] },
  ),
  [CORE + 'ConfigMap']: obj({
    kind: str(),
    apiVersion: str(),
    metadata: r(META + 'ObjectMeta'),
    immutable: bool(),
    data: map(str()),
    binaryData: map(bytes()),
  }),
  [CORE + 'ConfigMapList']: obj(
    {
      kind: str(),
      apiVersion: str(),
      metadata: r(META + 'ListMeta'),
      items: arr(r(CORE + 'ConfigMap')),
    },
    { required: ['items'] },
  ),
  [CORE + 'Secret']: obj({
    kind: str(),
    apiVersion: str(),
    metadata: r(META + 'ObjectMeta'),
    immutable: bool(),
    data: map(bytes()),
    stringData: map(str()),
    type: str(),
  }),
  [CORE + 'SecretList']: obj(
    {
      kind: str(),
      apiVersion: str(),
      metadata: r(META + 'ListMeta'),
      items: arr(r(CORE + 'Secret')),
    },
    { required: ['items'] },
  ),
  [CORE + 'Event']: obj(
    {
      kind: str(),
      apiVersion: str(),
      metadata: r(META + 'ObjectMeta'),
      involvedObject: r(CORE + 'ObjectReference'),
      reason: str(),
      message: str(),
      source: r(CORE + 'EventSource'),
      firstTimestamp: time(),
      lastTimestamp: time(),
      count: int32(),
      type: str(),
      eventTime: time(),
      series: r(CORE + 'EventSeries'),
      action: str(),
      related: r(CORE + 'ObjectReference'),
      reportingComponent: str(),
      reportingInstance: str(),
    },
    { required: ['metadata', 'involvedObject'] },
  ),
  [CORE + 'EventList']: obj(
    {
      kind: str(),
      apiVersion: str(),
      metadata: r(META + 'ListMeta'),
      items: arr(r(CORE + 'Event')),
    },
    { required: ['items'] },
  ),
  [CORE + 'ServiceAccount']: obj({
    kind: str(),
    apiVersion: str(),
    metadata: r(META + 'ObjectMeta'),
    secrets: arr(r(CORE + 'ObjectReference'), {
      mergeKey: 'name',
      patchStrategy: 'merge',
      listType: 'map',
      listMapKeys: ['name'],
    }),
    imagePullSecrets: arr(r(CORE + 'LocalObjectReference'), { listType: 'atomic' }),
    automountServiceAccountToken: bool(),
  }),
  [CORE + 'ServiceAccountList']: obj(
    {
      kind: str(),
      apiVersion: str(),
      metadata: r(META + 'ListMeta'),
      items: arr(r(CORE + 'ServiceAccount')),
    },
    { required: ['items'] },
  ),
  [CORE + 'Binding']: obj(
    {
      kind: str(),
      apiVersion: str(),
      metadata: r(META + 'ObjectMeta'),
      target: r(CORE + 'ObjectReference'),
    },
    { required: ['target'] },
  ),
  [CORE + 'NamespaceSpec']: obj({
    finalizers: arr(str(), { listType: 'atomic' }),
  }),
  [CORE + 'NamespaceStatus']: obj({
    phase: str(),
    conditions: arr(r(CORE + 'NamespaceCondition'), {
      mergeKey: 'type',
      patchStrategy: 'merge',
      listType: 'map',
      listMapKeys: ['type'],
    }),
  }),
  [CORE + 'ObjectReference']: obj(
    {
      kind: str(),
      namespace: str(),
      name: str(),
      uid: str(),
      apiVersion: str(),
      resourceVersion: str(),
      fieldPath: str(),
    },
    { atomic: true },
  ),
  [CORE + 'EventSource']: obj({
    component: str(),
    host: str(),
  }),
  [CORE + 'EventSeries']: obj({
    count: int32(),
    lastObservedTime: time(),
  }),
  [CORE + 'NamespaceCondition']: obj(
    {
      type: str(),
      status: str(),
      lastTransitionTime: time(),
      reason: str(),
      message: str(),
    },
    { required: ['type', 'status'] },
  ),
};
