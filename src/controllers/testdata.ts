/** Builders for the controller tests: short, explicit objects. */
import type { EndpointSlice, Node, Pod, Service, ServicePort } from './types.js';

interface PodOpts {
  ns?: string;
  labels?: Record<string, string>;
  ip?: string;
  ready?: boolean;
  node?: string;
  phase?: string;
  deleting?: boolean;
  ports?: { name: string; containerPort: number; protocol?: string }[];
  hostname?: string;
  subdomain?: string;
  uid?: string;
  owner?: string;
}

export function pod(name: string, o: PodOpts = {}): Pod {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.ns ?? 'default', uid: o.uid ?? `uid-${name}`, labels: o.labels ?? { app: 'web' } },
    spec: {
      nodeName: o.node,
      containers: [{ name: 'c', ports: o.ports }],
      hostname: o.hostname,
      subdomain: o.subdomain,
    },
    status: {
      phase: o.phase ?? 'Running',
      podIP: o.ip,
      podIPs: o.ip ? [{ ip: o.ip }] : undefined,
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
  if (o.deleting) p.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
  if (o.owner)
    p.metadata.ownerReferences = [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: o.owner, controller: true },
    ];
  return p;
}

export function service(
  name: string,
  o: {
    ns?: string;
    selector?: Record<string, string> | null;
    ports?: ServicePort[];
    publishNotReady?: boolean;
    clusterIP?: string;
    labels?: Record<string, string>;
    type?: string;
  } = {},
): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: o.ns ?? 'default', uid: `svc-uid-${name}`, labels: o.labels },
    spec: {
      selector: o.selector === null ? undefined : (o.selector ?? { app: 'web' }),
      ports: o.ports ?? [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
      publishNotReadyAddresses: o.publishNotReady,
      clusterIP: o.clusterIP ?? '10.96.0.20',
      type: o.type ?? 'ClusterIP',
    },
  };
}

export function node(
  name: string,
  o: {
    ready?: 'True' | 'False' | 'Unknown' | null;
    unschedulable?: boolean;
    labels?: Record<string, string>;
    taints?: Node['spec'] extends infer S ? (S extends { taints?: infer T } ? T : never) : never;
  } = {},
): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `node-${name}`, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { unschedulable: o.unschedulable, taints: o.taints },
    status: { conditions: o.ready === null ? [] : [{ type: 'Ready', status: o.ready ?? 'True' }] },
  };
}

/** An existing managed slice as the API would return it. */
export function existingSlice(
  svc: Service,
  name: string,
  ports: EndpointSlice['ports'],
  endpoints: EndpointSlice['endpoints'],
  rv = '10',
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: svc.metadata.namespace,
      resourceVersion: rv,
      uid: `slice-${name}`,
      labels: {
        'kubernetes.io/service-name': svc.metadata.name!,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      },
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          name: svc.metadata.name!,
          uid: svc.metadata.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    addressType: 'IPv4',
    endpoints,
    ports,
  };
}
