/**
 * The proxy's vocabulary: the few Service / EndpointSlice fields it reads,
 * and the desired state (one entry per service port) every backend renders.
 */
import type { KObject } from '../api/meta.js';

export type Protocol = 'tcp' | 'udp' | 'sctp';

export interface ServicePortSpec {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface ServiceObject extends KObject {
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    externalIPs?: string[];
    ports?: ServicePortSpec[];
    sessionAffinity?: string;
    sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
    internalTrafficPolicy?: string;
    externalTrafficPolicy?: string;
  };
}

export interface SliceEndpoint {
  addresses: string[];
  conditions?: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null };
  nodeName?: string;
}

export interface EndpointSliceObject extends KObject {
  addressType?: string;
  endpoints?: SliceEndpoint[] | null;
  ports?: { name?: string | null; protocol?: string; port?: number | null }[] | null;
}

/** The node the rules are for. */
export interface ProxyNode {
  name: string;
  /** Addresses NodePorts answer on. */
  ips: string[];
  /** Pod addresses of the whole cluster: traffic from elsewhere to a ClusterIP is masqueraded. */
  clusterCidr: string;
  /** Addresses inside it that no Service holds are dropped. */
  serviceCidr: string;
}

export interface Endpoint {
  ip: string;
  port: number;
  local: boolean;
}

/** One port of one Service, as every node must program it. */
export interface ServicePortState {
  /** "namespace/name/protocol/portName" (portName "p<port>" when the port has no name). */
  id: string;
  namespace: string;
  service: string;
  protocol: Protocol;
  clusterIP: string;
  port: number;
  nodePort?: number;
  externalIPs: string[];
  /** sessionAffinity ClientIP: its timeout in seconds. */
  affinitySeconds?: number;
  /** Where ClusterIP traffic goes (internalTrafficPolicy applied). */
  clusterEndpoints: Endpoint[];
  /** Where NodePort / externalIP traffic goes (externalTrafficPolicy applied). */
  externalEndpoints: Endpoint[];
  externalLocal: boolean;
  /** True when the Service has usable endpoints somewhere: empty policy-filtered lists then mean DROP, not REJECT. */
  hasEndpoints: boolean;
}

export interface ProxyState {
  node: ProxyNode;
  /** Sorted by id, so renders are deterministic. */
  ports: ServicePortState[];
}
