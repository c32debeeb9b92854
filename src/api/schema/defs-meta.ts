/** Schemas of meta (field names, types and patch metadata as in Kubernetes 1.32). */
import type { Definitions } from './types.js';
import { META, any, arr, bool, int32, int64, map, obj, r, str, time } from './dsl.js';

export const metaDefinitions: Definitions = {
  [META + 'Status']: obj({
    kind: str(),
    apiVersion: str(),
    metadata: r(META + 'ListMeta'),
    status: str(),
    message: str(),
    reason: str(),
    details: r(META + 'StatusDetails'),
    code: int32(),
  }),
  [META + 'DeleteOptions']: obj({
    kind: str(),
    apiVersion: str(),
    gracePeriodSeconds: int64(),
    preconditions: r(META + 'Preconditions'),
    orphanDependents: bool(),
    propagationPolicy: str(),
    dryRun: arr(str(), { listType: 'atomic' }),
    ignoreStoreReadErrorWithClusterBreakingPotential: bool(),
  }),
  [META + 'ObjectMeta']: obj({
    name: str(),
    generateName: str(),
    namespace: str(),
    selfLink: str(),
    uid: str(),
    resourceVersion: str(),
    generation: int64(),
    creationTimestamp: time(),
    deletionTimestamp: time(),
    deletionGracePeriodSeconds: int64(),
    labels: map(str()),
    annotations: map(str()),
    ownerReferences: arr(r(META + 'OwnerReference'), {
      mergeKey: 'uid',
      patchStrategy: 'merge',
      listType: 'map',
      listMapKeys: ['uid'],
    }),
    finalizers: arr(str(), { patchStrategy: 'merge', listType: 'set' }),
    managedFields: arr(r(META + 'ManagedFieldsEntry'), { listType: 'atomic' }),
  }),
  [META + 'ListMeta']: obj({
    selfLink: str(),
    resourceVersion: str(),
    continue: str(),
    remainingItemCount: int64(),
  }),
  [META + 'StatusDetails']: obj({
    name: str(),
    group: str(),
    kind: str(),
    uid: str(),
    causes: arr(r(META + 'StatusCause'), { listType: 'atomic' }),
    retryAfterSeconds: int32(),
  }),
  [META + 'Preconditions']: obj({
    uid: str(),
    resourceVersion: str(),
  }),
  [META + 'OwnerReference']: obj(
    {
      apiVersion: str(),
      kind: str(),
      name: str(),
      uid: str(),
      controller: bool(),
      blockOwnerDeletion: bool(),
    },
    { required: ['apiVersion', 'kind', 'name', 'uid'], atomic: true },
  ),
  [META + 'ManagedFieldsEntry']: obj({
    manager: str(),
    operation: str(),
    apiVersion: str(),
    time: time(),
    fieldsType: str(),
    fieldsV1: any(),
    subresource: str(),
  }),
  [META + 'Condition']: obj(
    {
      type: str(),
      status: str(),
      observedGeneration: int64(),
      lastTransitionTime: time(),
      reason: str(),
      message: str(),
    },
    { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
  ),
  [META + 'LabelSelector']: obj(
    {
      matchLabels: map(str()),
      matchExpressions: arr(r(META + 'LabelSelectorRequirement'), { listType: 'atomic' }),
    },
    { atomic: true },
  ),
  [META + 'StatusCause']: obj({
    reason: str(),
    message: str(),
    field: str(),
  }),
  [META + 'LabelSelectorRequirement']: obj(
    {
      key: str(),
      operator: str(),
      values: arr(str(), { listType: 'atomic' }),
    },
    { required: ['key', 'operator'] },
  ),
  // Declared in apimachinery's watch.go rather than types.go; the body of every watch stream line.
  [META + 'WatchEvent']: obj(
    {
      type: str(),
      object: any(),
    },
    { required: ['type', 'object'] },
  ),
};
