/**
 * The router's vocabulary: the fields it reads from Ingresses, Services,
 * EndpointSlices, Pods, Secrets and Nodes, and the routing table it builds
 * from them (pure data, rendered by haproxy/render.ts).
 */
import type { KObject } from '../api/meta.js';

interface ServiceBackendRef {
  name: string;
  port?: { number?: number; name?: string };
}

export interface IngressBackendObject {
  service?: ServiceBackendRef;
  resource?: unknown;
}

interface IngressPathObject {
  path?: string;
  pathType?: string;
  backend: IngressBackendObject;
}

export interface IngressObject extends KObject {
  spec?: {
    ingressClassName?: string;
    defaultBackend?: IngressBackendObject;
    tls?: { hosts?: string[]; secretName?: string }[];
    rules?: { host?: string; http?: { paths?: IngressPathObject[] } }[];
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface IngressClassObject extends KObject {
  spec?: { controller?: string };
}

export interface RouterServiceObject extends KObject {
  spec?: {
    type?: string;
    ports?: { name?: string; port: number; protocol?: string; targetPort?: number | string }[];
  };
}

interface RouterSliceEndpoint {
  addresses: string[];
  conditions?: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null };
  targetRef?: { kind?: string; name?: string; namespace?: string; uid?: string };
}

export interface RouterEndpointSliceObject extends KObject {
  addressType?: string;
  endpoints?: RouterSliceEndpoint[] | null;
  ports?: { name?: string | null; protocol?: string; port?: number | null }[] | null;
}

export interface RouterPodObject extends KObject {
  status?: { podIP?: string; phase?: string };
}

export interface SecretObject extends KObject {
  type?: string;
  data?: Record<string, string>;
}

export interface RouterNodeObject extends KObject {
  status?: { addresses?: { type: string; address: string }[] };
}

/** Everything the router reads, as the informers hold it. */
export interface ClusterView {
  ingresses: IngressObject[];
  ingressClasses: IngressClassObject[];
  services: RouterServiceObject[];
  endpointSlices: RouterEndpointSliceObject[];
  pods: RouterPodObject[];
  secrets: SecretObject[];
  nodes: RouterNodeObject[];
}

export type PathType = 'Exact' | 'Prefix';
export type Balance = 'roundrobin' | 'leastconn';

/** Per-route options from annotations; a backend is one Service port with one set of options. */
/**
 * What the router retries on another pod: "requests" (the default) also
 * replays an idempotent request whose pod failed before answering, which
 * makes HAProxy keep a copy of every request; "connect" retries failed
 * connections only, for routes that would rather have the throughput.
 */
export type Retries = 'requests' | 'connect';

export interface BackendOptions {
  balance: Balance;
  /** Undefined: "requests". */
  retries?: Retries;
  /** Milliseconds; undefined keeps the router's default. */
  connectTimeoutMs?: number;
  /** Time for the app to answer (HAProxy's "timeout server"). */
  responseTimeoutMs?: number;
  /** Idle time of an upgraded connection (WebSocket) before it is closed. */
  tunnelTimeoutMs?: number;
}

/** One endpoint of a backend: a pod (or a bare address when the endpoint names none). */
export interface Server {
  /** Unique in its backend and stable for the pod: the pod's name, else the address. Also the sticky cookie value. */
  name: string;
  address: string;
  port: number;
}

export interface Backend {
  /** HAProxy backend name: stable, unique, [a-z0-9_.-]. */
  name: string;
  namespace: string;
  service: string;
  /** The Service port as the route named it (number or name). */
  servicePort: string;
  options: BackendOptions;
  /** Sorted by name. */
  servers: Server[];
}

/** Where a route came from: an Ingress rule or a Service's podnet.io/routes annotation. */
export interface RouteSource {
  kind: 'Ingress' | 'Service';
  namespace: string;
  name: string;
  uid: string;
  /** metadata.creationTimestamp: the oldest claim of a host and path wins. */
  created: string;
}

export interface Route {
  /** A lower-case host, "*.example.com" (exactly one label), or "" for any host. */
  host: string;
  /** Starts with "/"; a Prefix path has no trailing "/" except the root. */
  path: string;
  pathType: PathType;
  backend: string;
  source: RouteSource;
}

/** A TLS certificate and the SNI names it is chosen for ([] = the names inside it). */
export interface Certificate {
  /** File-safe and unique: <namespace>_<secret>. */
  name: string;
  /** Certificate chain then key, PEM. */
  pem: string;
  sni: string[];
}

/** A Warning (or Normal) Event the router records about an object. */
export interface RouterEvent {
  regarding: { kind: string; namespace: string; name: string; uid: string };
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** The routing table: what HAProxy must do. */
export interface RouterState {
  /** Sorted by name. */
  backends: Backend[];
  /** The winners, sorted by host, path, type. */
  routes: Route[];
  /** Sorted by name. */
  certificates: Certificate[];
  events: RouterEvent[];
  /** Ingress key "namespace/name" -> the addresses its status should list. */
  ingressAddresses: Map<string, string[]>;
}
