/** Schemas of core-node (field names, types and patch metadata as in Kubernetes 1.32). */
import type { Definitions } from './types.js';
import { CORE, META, arr, bool, int32, int64, map, obj, quantity, r, str, time } from './dsl.js';

export const coreNodeDefinitions: Definitions = {
  [CORE + 'Node']: obj({
    kind: str(),
    apiVersion: str(),
    metadata: r(META + 'ObjectMeta'),
    spec: r(CORE + 'NodeSpec'),
    status: r(CORE + 'NodeStatus'),
  }),
  [CORE + 'NodeList']: obj(
    {
      kind: str(),
      apiVersion: str(),
      metadata: r(META + 'ListMeta'),
      items: arr(r(CORE + 'Node')),
    },
    { required: ['items'] },
  ),
  [CORE + 'NodeSpec']: obj({
    podCIDR: str(),
    podCIDRs: arr(str(), { patchStrategy: 'merge', listType: 'set' }),
    providerID: str(),
    unschedulable: bool(),
    taints: arr(r(CORE + 'Taint'), { listType: 'atomic' }),
    configSource: r(CORE + 'NodeConfigSource'),
    externalID: str(),
  }),
  [CORE + 'NodeStatus']: obj({
    capacity: map(quantity()),
    allocatable: map(quantity()),
    phase: str(),
    conditions: arr(r(CORE + 'NodeCondition'), {
      mergeKey: 'type',
      patchStrategy: 'merge',
      listType: 'map',
      listMapKeys: ['type'],
    }),
    addresses: arr(r(CORE + 'NodeAddress'), {
      mergeKey: 'type',
      patchStrategy: 'merge',
      listType: 'map',
      listMapKeys: ['type'],
    }),
    daemonEndpoints: r(CORE + 'NodeDaemonEndpoints'),
    nodeInfo: r(CORE + 'NodeSystemInfo'),
    images: arr(r(CORE + 'ContainerImage'), { listType: 'atomic' }),
    volumesInUse: arr(str(), { listType: 'atomic' }),
    volumesAttached: arr(r(CORE + 'AttachedVolume'), { listType: 'atomic' }),
    config: r(CORE + 'NodeConfigStatus'),
    runtimeHandlers: arr(r(CORE + 'NodeRuntimeHandler'), { listType: 'atomic' }),
    features: r(CORE + 'NodeFeatures'),
  }),
  [CORE + 'Taint']: obj(
    {
      key: str(),
      value: str(),
      effect: str(),
      timeAdded: time(),
    },
    { required: ['key', 'effect'] },
  ),
  [CORE + 'NodeConfigSource']: obj({
    configMap: r(CORE + 'ConfigMapNodeConfigSource'),
  }),
  [CORE + 'NodeCondition']: obj(
    {
      type: str(),
      status: str(),
      lastHeartbeatTime: time(),
      lastTransitionTime: time(),
      reason: str(),
      message: str(),
    },
    { required: ['type', 'status'] },
  ),
  [CORE + 'NodeAddress']: obj(
    {
      type: str(),
      address: str(),
    },
    { required: ['type', 'address'] },
  ),
  [CORE + 'NodeDaemonEndpoints']: obj({
    kubeletEndpoint: r(CORE + 'DaemonEndpoint'),
  }),
  [CORE + 'NodeSystemInfo']: obj(
    {
      machineID: str(),
      systemUUID: str(),
      bootID: str(),
      kernelVersion: str(),
      osImage: str(),
      containerRuntimeVersion: str(),
      kubeletVersion: str(),
      kubeProxyVersion: str(),
      operatingSystem: str(),
      architecture: str(),
    },
    {
      required: [
        'machineID',
        'systemUUID',
        'bootID',
        'kernelVersion',
        'osImage',
        'containerRuntimeVersion',
        'kubeletVersion',
        'kubeProxyVersion',
        'operatingSystem',
        'architecture',
      ],
    },
  ),
  [CORE + 'ContainerImage']: obj({
    names: arr(str(), { listType: 'atomic' }),
    sizeBytes: int64(),
  }),
  [CORE + 'AttachedVolume']: obj(
    {
      name: str(),
      devicePath: str(),
    },
    { required: ['name', 'devicePath'] },
  ),
  [CORE + 'NodeConfigStatus']: obj({
    assigned: r(CORE + 'NodeConfigSource'),
    active: r(CORE + 'NodeConfigSource'),
    lastKnownGood: r(CORE + 'NodeConfigSource'),
    error: str(),
  }),
  [CORE + 'NodeRuntimeHandler']: obj({
    name: str(),
    features: r(CORE + 'NodeRuntimeHandlerFeatures'),
  }),
  [CORE + 'NodeFeatures']: obj({
    supplementalGroupsPolicy: bool(),
  }),
  [CORE + 'NodeAffinity']: obj({
    requiredDuringSchedulingIgnoredDuringExecution: r(CORE + 'NodeSelector'),
    preferredDuringSchedulingIgnoredDuringExecution: arr(r(CORE + 'PreferredSchedulingTerm'), { listType: 'atomic' }),
  }),
  [CORE + 'ConfigMapNodeConfigSource']: obj(
    {
      namespace: str(),
      name: str(),
      uid: str(),
      resourceVersion: str(),
      kubeletConfigKey: str(),
    },
    { required: ['namespace', 'name', 'kubeletConfigKey'] },
  ),
  [CORE + 'DaemonEndpoint']: obj(
    {
      Port: int32(),
    },
    { required: ['Port'] },
  ),
  [CORE + 'NodeRuntimeHandlerFeatures']: obj({
    recursiveReadOnlyMounts: bool(),
    userNamespaces: bool(),
  }),
  [CORE + 'NodeSelector']: obj(
    {
      nodeSelectorTerms: arr(r(CORE + 'NodeSelectorTerm'), { listType: 'atomic' }),
    },
    { required: ['nodeSelectorTerms'], atomic: true },
  ),
  [CORE + 'NodeSelectorTerm']: obj(
    {
      matchExpressions: arr(r(CORE + 'NodeSelectorRequirement'), { listType: 'atomic' }),
      matchFields: arr(r(CORE + 'NodeSelectorRequirement'), { listType: 'atomic' }),
    },
    { atomic: true },
  ),
  [CORE + 'NodeSelectorRequirement']: obj(
    {
      key: str(),
      operator: str(),
      values: arr(str(), { listType: 'atomic' }),
    },
    { required: ['key', 'operator'] },
  ),
};
