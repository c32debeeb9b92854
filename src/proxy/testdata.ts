/** Builders for proxy tests: Services, EndpointSlices and a node, with kube's shapes. */
import type { EndpointSliceObject, ProxyNode, ServiceObject, ServicePortSpec, SliceEndpoint } from './types.js';

export const NODE: ProxyNode = {
  name: 'n1',
  ips: ['192.168.0.11'],
  clusterCidr: '10.244.0.0/16',
  serviceCidr: '10.96.0.0/12',
};

export function svc(name: string, spec: NonNullable<ServiceObject['spec']>, namespace = 'default'): ServiceObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { type: 'ClusterIP', ...spec } };
}

export const tcp = (port: number, extra: Partial<ServicePortSpec> = {}): ServicePortSpec => ({
  protocol: 'TCP',
  port,
  ...extra,
});

type EpInput = string | { ip: string; node?: string; ready?: boolean; serving?: boolean; terminating?: boolean };

export function ep(e: EpInput): SliceEndpoint {
  if (typeof e === 'string')
    return { addresses: [e], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'n2' };
  const ready = e.ready ?? true;
  return {
    addresses: [e.ip],
    conditions: { ready, serving: e.serving ?? ready, terminating: e.terminating ?? false },
    nodeName: e.node ?? 'n2',
  };
}

let sliceCounter = 0;
export function slice(
  service: string,
  ports: { name?: string; port: number; protocol?: string }[],
  endpoints: EpInput[],
  namespace = 'default',
): EndpointSliceObject {
  sliceCounter += 1;
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-${sliceCounter}`, namespace, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port })),
    endpoints: endpoints.map(ep),
  };
}
