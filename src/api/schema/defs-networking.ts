/** Schemas of networking (field names, types and patch metadata as in Kubernetes 1.32). */
import type { Definitions } from './types.js';
import { CORE, META, NETWORKING, arr, int32, intOrString, obj, r, str } from './dsl.js';

export const networkingDefinitions: Definitions = {
  [NETWORKING + 'Ingress']: obj({
    kind: str(),
    apiVersion: str(),
    metadata: r(META + 'ObjectMeta'),
    spec: r(NETWORKING + 'IngressSpec'),
    status: r(NETWORKING + 'IngressStatus'),
  }),
  [NETWORKING + 'IngressList']: obj(
    {
      kind: str(),
      apiVersion: str(),
      metadata: r(META + 'ListMeta'),
      items: arr(r(NETWORKING + 'Ingress')),
    },
    { required: ['items'] },
  ),
  [NETWORKING + 'IngressClass']: obj({
    kind: str(),
    apiVersion: str(),
    metadata: r(META + 'ObjectMeta'),
    spec: r(NETWORKING + 'IngressClassSpec'),
  }),
  [NETWORKING + 'IngressClassList']: obj(
    {
      kind: str(),
      apiVersion: str(),
      metadata: r(META + 'ListMeta'),
      items: arr(r(NETWORKING + 'IngressClass')),
    },
    { required: ['items'] },
  ),
  [NETWORKING + 'NetworkPolicy']: obj({
    kind: str(),
    apiVersion: str(),
    metadata: r(META + 'ObjectMeta'),
    spec: r(NETWORKING + 'NetworkPolicySpec'),
  }),
  [NETWORKING + 'NetworkPolicyList']: obj(
    {
      kind: str(),
      apiVersion: str(),
      metadata: r(META + 'ListMeta'),
      items: arr(r(NETWORKING + 'NetworkPolicy')),
    },
    { required: ['items'] },
  ),
  [NETWORKING + 'IngressSpec']: obj({
    ingressClassName: str(),
    defaultBackend: r(NETWORKING + 'IngressBackend'),
    tls: arr(r(NETWORKING + 'IngressTLS'), { listType: 'atomic' }),
    rules: arr(r(NETWORKING + 'IngressRule'), { listType: 'atomic' }),
  }),
  [NETWORKING + 'IngressStatus']: obj({
    loadBalancer: r(NETWORKING + 'IngressLoadBalancerStatus'),
  }),
  [NETWORKING + 'IngressClassSpec']: obj({
    controller: str(),
    parameters: r(NETWORKING + 'IngressClassParametersReference'),
  }),
  [NETWORKING + 'NetworkPolicySpec']: obj(
    {
      podSelector: r(META + 'LabelSelector'),
      ingress: arr(r(NETWORKING + 'NetworkPolicyIngressRule'), { listType: 'atomic' }),
      egress: arr(r(NETWORKING + 'NetworkPolicyEgressRule'), { listType: 'atomic' }),
      policyTypes: arr(str(), { listType: 'atomic' }),
    },
    { required: ['podSelector'] },
  ),
  [NETWORKING + 'IngressBackend']: obj({
    service: r(NETWORKING + 'IngressServiceBackend'),
    resource: r(CORE + 'TypedLocalObjectReference'),
  }),
  [NETWORKING + 'IngressTLS']: obj({
    hosts: arr(str(), { listType: 'atomic' }),
    secretName: str(),
  }),
  [NETWORKING + 'IngressRule']: obj({
    host: str(),
    http: r(NETWORKING + 'HTTPIngressRuleValue'),
  }),
  [NETWORKING + 'IngressLoadBalancerStatus']: obj({
    ingress: arr(r(NETWORKING + 'IngressLoadBalancerIngress'), { listType: 'atomic' }),
  }),
  [NETWORKING + 'IngressClassParametersReference']: obj(
    {
      apiGroup: str(),
      kind: str(),
      name: str(),
      scope: str(),
      namespace: str(),
    },
    { required: ['kind', 'name'] },
  ),
  [NETWORKING + 'NetworkPolicyIngressRule']: obj({
    ports: arr(r(NETWORKING + 'NetworkPolicyPort'), { listType: 'atomic' }),
    from: arr(r(NETWORKING + 'NetworkPolicyPeer'), { listType: 'atomic' }),
  }),
  [NETWORKING + 'NetworkPolicyEgressRule']: obj({
    ports: arr(r(NETWORKING + 'NetworkPolicyPort'), { listType: 'atomic' }),
    to: arr(r(NETWORKING + 'NetworkPolicyPeer'), { listType: 'atomic' }),
  }),
  [NETWORKING + 'IngressServiceBackend']: obj(
    {
      name: str(),
      port: r(NETWORKING + 'ServiceBackendPort'),
    },
    { required: ['name'] },
  ),
  [NETWORKING + 'HTTPIngressRuleValue']: obj(
    {
      paths: arr(r(NETWORKING + 'HTTPIngressPath'), { listType: 'atomic' }),
    },
    { required: ['paths'] },
  ),
  [NETWORKING + 'IngressLoadBalancerIngress']: obj({
    ip: str(),
    hostname: str(),
    ports: arr(r(NETWORKING + 'IngressPortStatus'), { listType: 'atomic' }),
  }),
  [NETWORKING + 'NetworkPolicyPort']: obj({
    protocol: str(),
    port: intOrString(),
    endPort: int32(),
  }),
  [NETWORKING + 'NetworkPolicyPeer']: obj({
    podSelector: r(META + 'LabelSelector'),
    namespaceSelector: r(META + 'LabelSelector'),
    ipBlock: r(NETWORKING + 'IPBlock'),
  }),
  [NETWORKING + 'ServiceBackendPort']: obj(
    {
      name: str(),
      number: int32(),
    },
    { atomic: true },
  ),
  [NETWORKING + 'HTTPIngressPath']: obj(
    {
      path: str(),
      pathType: str(),
      backend: r(NETWORKING + 'IngressBackend'),
    },
    { required: ['pathType', 'backend'] },
  ),
  [NETWORKING + 'IngressPortStatus']: obj(
    {
      port: int32(),
      protocol: str(),
      error: str(),
    },
    { required: ['port', 'protocol'] },
  ),
  [NETWORKING + 'IPBlock']: obj(
    {
      cidr: str(),
      except: arr(str(), { listType: 'atomic' }),
    },
    { required: ['cidr'] },
  ),
};
