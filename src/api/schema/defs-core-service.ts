/** Schemas of core-service (field names, types and patch metadata as in Kubernetes 1.32). */
import type { Definitions } from './types.js';
import { CORE, META, arr, bool, int32, intOrString, map, obj, r, str } from './dsl.js';

export const coreServiceDefinitions: Definitions = {
  [CORE + 'Service']: obj({
    kind: str(),
    apiVersion: str(),
    metadata: r(META + 'ObjectMeta'),
    spec: r(CORE + 'ServiceSpec'),
    status: r(CORE + 'ServiceStatus'),
  }),
  [CORE + 'ServiceList']: obj(
    {
      kind: str(),
      apiVersion: str(),
      metadata: r(META + 'ListMeta'),
      items: arr(r(CORE + 'Service')),
    },
    { required: ['items'] },
  ),
  [CORE + 'Endpoints']: obj({
    kind: str(),
    apiVersion: str(),
    metadata: r(META + 'ObjectMeta'),
    subsets: arr(r(CORE + 'EndpointSubset'), { listType: 'atomic' }),
  }),
  [CORE + 'EndpointsList']: obj(
    {
      kind: str(),
      apiVersion: str(),
      metadata: r(META + 'ListMeta'),
      items: arr(r(CORE + 'Endpoints')),
    },
    { required: ['items'] },
  ),
  [CORE + 'ServiceSpec']: obj({
    ports: arr(r(CORE + 'ServicePort'), {
      mergeKey: 'port',
      patchStrategy: 'merge',
      listType: 'map',
      listMapKeys: ['port', 'protocol'],
    }),
    selector: map(str(), { atomic: true }),
    clusterIP: str(),
    clusterIPs: arr(str(), { listType: 'atomic' }),
    type: str(),
    externalIPs: arr(str(), { listType: 'atomic' }),
    sessionAffinity: str(),
    loadBalancerIP: str(),
    loadBalancerSourceRanges: arr(str(), { listType: 'atomic' }),
    externalName: str(),
    externalTrafficPolicy: str(),
    healthCheckNodePort: int32(),
    publishNotReadyAddresses: bool(),
    sessionAffinityConfig: r(CORE + 'SessionAffinityConfig'),
    ipFamilies: arr(str(), { listType: 'atomic' }),
    ipFamilyPolicy: str(),
    allocateLoadBalancerNodePorts: bool(),
    loadBalancerClass: str(),
    internalTrafficPolicy: str(),
    trafficDistribution: str(),
  }),
  [CORE + 'ServiceStatus']: obj({
    loadBalancer: r(CORE + 'LoadBalancerStatus'),
    conditions: arr(r(META + 'Condition'), {
      mergeKey: 'type',
      patchStrategy: 'merge',
      listType: 'map',
      listMapKeys: ['type'],
    }),
  }),
  [CORE + 'EndpointSubset']: obj({
    addresses: arr(r(CORE + 'EndpointAddress'), { listType: 'atomic' }),
    notReadyAddresses: arr(r(CORE + 'EndpointAddress'), { listType: 'atomic' }),
    ports: arr(r(CORE + 'EndpointPort'), { listType: 'atomic' }),
  }),
  [CORE + 'ServicePort']: obj(
    {
      name: str(),
      protocol: str(),
      appProtocol: str(),
      port: int32(),
      targetPort: intOrString(),
      nodePort: int32(),
    },
    { required: ['port'] },
  ),
  [CORE + 'SessionAffinityConfig']: obj({
    clientIP: r(CORE + 'ClientIPConfig'),
  }),
  [CORE + 'LoadBalancerStatus']: obj({
    ingress: arr(r(CORE + 'LoadBalancerIngress'), { listType: 'atomic' }),
  }),
  [CORE + 'EndpointAddress']: obj(
    {
      ip: str(),
      hostname: str(),
      nodeName: str(),
      targetRef: r(CORE + 'ObjectReference'),
    },
    { required: ['ip'], atomic: true },
  ),
  [CORE + 'EndpointPort']: obj(
    {
      name: str(),
      port: int32(),
      protocol: str(),
      appProtocol: str(),
    },
    { required: ['port'], atomic: true },
  ),
  [CORE + 'ClientIPConfig']: obj({
    timeoutSeconds: int32(),
  }),
  [CORE + 'LoadBalancerIngress']: obj({
    ip: str(),
    hostname: str(),
    ipMode: str(),
    ports: arr(r(CORE + 'PortStatus'), { listType: 'atomic' }),
  }),
  [CORE + 'PortStatus']: obj(
    {
      port: int32(),
      protocol: str(),
      error: str(),
    },
    { required: ['port', 'protocol'] },
  ),
};
