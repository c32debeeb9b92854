/**
 * The benchmark's Services and EndpointSlices, in the shapes the
 * controllers write: a ClusterIP Service (address chosen here so the
 * driver knows it without reading back) and one slice of ready endpoints.
 */
import { numberToIpv4 } from '../../api/ipv4.js';
import type { EndpointSliceObject, ServiceObject } from '../../proxy/types.js';

export const NAMESPACE = 'default';
export const SERVICE_PORT = 80;
export const TARGET_PORT = 8080;
/**
 * The same nginx on a second port for the direct path. Direct and ClusterIP
 * connections must not share server-side tuples: the client's TCP timestamps
 * are offset per (source, destination) pair, so a ClusterIP SYN reusing a
 * tuple a direct connection left in the server's TIME_WAIT carries an older
 * timestamp, is refused by PAWS and retried a second later.
 */
export const DIRECT_PORT = 8081;
/** And a third for the connection-rate floor (netns.ts), for the same reason. */
export const FLOOR_PORT = 8082;
export const ENDPOINTS_PER_SERVICE = 10;

/** The i-th benchmark ClusterIP: 10.100.0.0/14 inside the default service CIDR, skipping .0 and .255 hosts. */
export function clusterIpFor(i: number): string {
  const n = (10 << 24) + (100 << 16) + Math.floor(i / 254) * 256 + (i % 254) + 1;
  return numberToIpv4(n);
}

/** Addresses nothing answers on (no route to them in the namespace): the bulk of the endpoints. */
export function syntheticEndpoints(i: number): string[] {
  return Array.from({ length: ENDPOINTS_PER_SERVICE }, (_, j) => {
    const idx = i * ENDPOINTS_PER_SERVICE + j;
    return `10.${250 + (idx >>> 16)}.${(idx >>> 8) & 255}.${idx & 255}`;
  });
}

export function serviceObj(name: string, clusterIP: string): ServiceObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NAMESPACE },
    spec: {
      type: 'ClusterIP',
      clusterIP,
      clusterIPs: [clusterIP],
      ports: [{ name: 'http', protocol: 'TCP', port: SERVICE_PORT, targetPort: TARGET_PORT }],
    },
  };
}

/** The node the proxy under test runs as: the real endpoints (nginx in the pod namespace) are its pods. */
export const PROXY_NODE = 'bench-node';
/**
 * Where the synthetic endpoints live: other nodes, as in a cluster, where a
 * node hosts about a hundred pods, not a hundred thousand. (Local endpoints
 * also get a hairpin element each; with all 100,000 local the table had
 * twice the elements a real node ever holds.)
 */
export const REMOTE_NODE = 'bench-other-node';

export function sliceObj(service: string, addresses: string[], nodeName = PROXY_NODE): EndpointSliceObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-bench`, namespace: NAMESPACE, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: [{ name: 'http', protocol: 'TCP', port: TARGET_PORT }],
    endpoints: addresses.map((ip) => ({
      addresses: [ip],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName,
    })),
  };
}
