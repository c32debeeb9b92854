/** The few fields of Services, EndpointSlices and Pods that DNS reads (its own typed view of the API objects). */
import type { KObject } from '../../api/meta.js';

export interface DnsServicePort {
  name?: string;
  port: number;
  protocol?: string;
}
export interface DnsService extends KObject {
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    externalName?: string;
    ports?: readonly Readonly<DnsServicePort>[];
    publishNotReadyAddresses?: boolean;
  };
}

interface DnsEndpoint {
  addresses: string[];
  conditions?: { ready?: boolean | null };
  hostname?: string;
}
export interface DnsEndpointSlice extends KObject {
  addressType?: string;
  endpoints?: DnsEndpoint[] | null;
  ports?: { name?: string; port?: number; protocol?: string }[] | null;
}

export interface DnsPod extends KObject {
  spec?: { hostNetwork?: boolean };
  status?: { phase?: string; podIP?: string; podIPs?: { ip: string }[] };
}

/** Annotation listing a Service's business names, comma separated. */
export const ANNOTATION_DNS_NAMES = 'podnet.io/dns-names';
/** Annotation widening business names to every namespace: value "cluster". */
export const ANNOTATION_DNS_SCOPE = 'podnet.io/dns-scope';
/** Label tying an EndpointSlice to its Service. */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
