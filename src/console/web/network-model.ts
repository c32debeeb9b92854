/**
 * The picture of the cluster network, as data, from the watched objects:
 * nodes with their pod subnets and the overlay tunnels between them, the
 * pods on each, and for every Service what reaches it (ClusterIP, DNS
 * names, router routes) and which pods it reaches (its EndpointSlices).
 * Pure: network-svg.ts draws it, network-model.test.ts checks it.
 */
import type { EndpointSliceObject, IngressObject, NodeObject, PodObject, ServiceObject } from './objects.js';
import { keyOf } from './objects.js';

export const ANNOTATION_DNS_NAMES = 'podnet.io/dns-names';
export const ANNOTATION_ROUTES = 'podnet.io/routes';
export const ANNOTATION_BACKEND_TYPE = 'podnet.io/backend-type';
export const ANNOTATION_PUBLIC_IP = 'podnet.io/public-ip';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
/** The router's class; an Ingress without a class is the router's too (podnet is the default class). */
const ROUTER_CLASS = 'podnet';

export interface ClusterObjects {
  nodes: readonly NodeObject[];
  pods: readonly PodObject[];
  services: readonly ServiceObject[];
  slices: readonly EndpointSliceObject[];
  ingresses: readonly IngressObject[];
}

export interface PicturePod {
  key: string;
  name: string;
  namespace: string;
  ip?: string;
  phase: string;
  ready: boolean;
  hostNetwork: boolean;
  containers: string[];
}

export interface PictureNode {
  name: string;
  ip?: string;
  podCidr?: string;
  backend?: string;
  ready: boolean;
  pods: PicturePod[];
}

/** A path between two nodes' pod subnets: a VXLAN tunnel or a host-gw route. */
interface PictureTunnel {
  from: string;
  to: string;
  kind: string;
}

interface PictureEndpoint {
  /** The pod's key (namespace/name) when the endpoint is a pod the picture shows. */
  pod?: string;
  ip: string;
  ready: boolean;
}

export interface PictureService {
  key: string;
  name: string;
  namespace: string;
  type: string;
  clusterIp?: string;
  ports: string[];
  dnsNames: string[];
  routes: string[];
  endpoints: PictureEndpoint[];
}

export interface NetworkPicture {
  nodes: PictureNode[];
  /** Pods no node runs yet. */
  unscheduled: PicturePod[];
  tunnels: PictureTunnel[];
  services: PictureService[];
}

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
const byKey = <T extends { key: string }>(a: T, b: T) => a.key.localeCompare(b.key);

/** Entries of a comma- or space-separated annotation, as the DNS server and the router read them. */
const listAnnotation = (text: string | undefined): string[] =>
  (text ?? '')
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);

function picturePod(p: PodObject): PicturePod {
  const ready = p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  return {
    key: keyOf(p),
    name: p.metadata.name,
    namespace: p.metadata.namespace ?? 'default',
    ...(p.status?.podIP ? { ip: p.status.podIP } : {}),
    phase: p.status?.phase ?? 'Pending',
    ready,
    hostNetwork: p.spec?.hostNetwork === true,
    containers: (p.spec?.containers ?? []).map((c) => c.name),
  };
}

function pictureNode(n: NodeObject, pods: PicturePod[]): PictureNode {
  const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  const backend = n.metadata.annotations?.[ANNOTATION_BACKEND_TYPE];
  return {
    name: n.metadata.name,
    ...(ip ? { ip } : {}),
    ...(n.spec?.podCIDR ? { podCidr: n.spec.podCIDR } : {}),
    ...(backend ? { backend } : {}),
    ready: n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    pods,
  };
}

/** Every pair of nodes with pod subnets is connected, by the backend they publish. */
function tunnels(nodes: PictureNode[]): PictureTunnel[] {
  const linked = nodes.filter((n) => n.podCidr);
  const out: PictureTunnel[] = [];
  for (let i = 0; i < linked.length; i++)
    for (let j = i + 1; j < linked.length; j++) {
      const a = linked[i]!,
        b = linked[j]!;
      out.push({ from: a.name, to: b.name, kind: a.backend ?? b.backend ?? 'overlay' });
    }
  return out;
}

function portText(p: ServicePortLike): string {
  const proto = p.protocol && p.protocol !== 'TCP' ? `/${p.protocol}` : '';
  const target = p.targetPort !== undefined && String(p.targetPort) !== String(p.port) ? `→${p.targetPort}` : '';
  const node = p.nodePort ? ` (node :${p.nodePort})` : '';
  return `${p.port}${proto}${target}${node}`;
}
type ServicePortLike = NonNullable<NonNullable<ServiceObject['spec']>['ports']>[number];

function ingressClass(ing: IngressObject): string | undefined {
  return ing.spec?.ingressClassName ?? ing.metadata.annotations?.[LEGACY_CLASS_ANNOTATION];
}

/** host/path routes that lead to each Service ("ns/name" -> routes), from Ingresses and the routes annotation. */
function routesByService(
  services: readonly ServiceObject[],
  ingresses: readonly IngressObject[],
): Map<string, string[]> {
  const routes = new Map<string, string[]>();
  const add = (key: string, route: string) => {
    const list = routes.get(key) ?? [];
    if (!list.includes(route)) list.push(route);
    routes.set(key, list);
  };
  for (const ing of ingresses) {
    const ns = ing.metadata.namespace ?? 'default';
    const cls = ingressClass(ing);
    const suffix = cls === undefined || cls === ROUTER_CLASS ? '' : ` (class ${cls})`;
    const def = ing.spec?.defaultBackend?.service?.name;
    if (def) add(`${ns}/${def}`, `* (default backend of ${ing.metadata.name})${suffix}`);
    for (const rule of ing.spec?.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        const svc = p.backend.service?.name;
        if (svc) add(`${ns}/${svc}`, `${rule.host ?? '*'}${p.path ?? '/'}${suffix}`);
      }
    }
  }
  for (const s of services) {
    for (const entry of listAnnotation(s.metadata.annotations?.[ANNOTATION_ROUTES])) {
      const slash = entry.indexOf('/');
      add(keyOf(s), slash < 0 ? `${entry.toLowerCase()}/` : entry.slice(0, slash).toLowerCase() + entry.slice(slash));
    }
  }
  return routes;
}

function serviceEndpoints(
  s: ServiceObject,
  slices: readonly EndpointSliceObject[],
  podsByKey: ReadonlyMap<string, PicturePod>,
  podsByIp: ReadonlyMap<string, PicturePod>,
): PictureEndpoint[] {
  const ns = s.metadata.namespace ?? 'default';
  const seen = new Map<string, PictureEndpoint>();
  for (const slice of slices) {
    if ((slice.metadata.namespace ?? 'default') !== ns) continue;
    if (slice.metadata.labels?.[SERVICE_NAME_LABEL] !== s.metadata.name) continue;
    for (const e of slice.endpoints ?? []) {
      const ref = e.targetRef;
      for (const ip of e.addresses) {
        const byRef = ref?.kind === 'Pod' && ref.name ? podsByKey.get(`${ref.namespace ?? ns}/${ref.name}`) : undefined;
        const pod = byRef ?? podsByIp.get(ip);
        const ready = e.conditions?.ready !== false;
        seen.set(ip, { ...(pod ? { pod: pod.key } : {}), ip, ready });
      }
    }
  }
  return [...seen.values()].sort((a, b) => a.ip.localeCompare(b.ip, undefined, { numeric: true }));
}

export function buildNetworkPicture(o: ClusterObjects, clusterDomain = 'cluster.local'): NetworkPicture {
  const pods = o.pods.map(picturePod).sort(byKey);
  const podsByKey = new Map(pods.map((p) => [p.key, p]));
  // A hostNetwork pod shares its node's address; an endpoint at that address is not told apart by IP.
  const podsByIp = new Map(pods.filter((p) => p.ip && !p.hostNetwork).map((p) => [p.ip!, p]));
  const onNode = new Map<string, PicturePod[]>();
  const unscheduled: PicturePod[] = [];
  for (const p of o.pods) {
    const node = p.spec?.nodeName;
    const pp = podsByKey.get(keyOf(p))!;
    if (!node) unscheduled.push(pp);
    else onNode.set(node, [...(onNode.get(node) ?? []), pp]);
  }
  const nodes = o.nodes.map((n) => pictureNode(n, (onNode.get(n.metadata.name) ?? []).sort(byKey))).sort(byName);
  // Pods bound to a node the cluster no longer lists still show, under that name.
  for (const [name, list] of onNode)
    if (!nodes.some((n) => n.name === name)) nodes.push({ name, ready: false, pods: list.sort(byKey) });

  const routes = routesByService(o.services, o.ingresses);
  const services = o.services
    .map((s): PictureService => {
      const ns = s.metadata.namespace ?? 'default';
      const clusterIp = s.spec?.clusterIP;
      return {
        key: keyOf(s),
        name: s.metadata.name,
        namespace: ns,
        type: s.spec?.type ?? 'ClusterIP',
        ...(clusterIp ? { clusterIp } : {}),
        ports: (s.spec?.ports ?? []).map(portText),
        dnsNames: [
          `${s.metadata.name}.${ns}.svc.${clusterDomain}`,
          ...listAnnotation(s.metadata.annotations?.[ANNOTATION_DNS_NAMES]).map((n) => n.toLowerCase()),
        ],
        routes: routes.get(keyOf(s)) ?? [],
        endpoints: serviceEndpoints(s, o.slices, podsByKey, podsByIp),
      };
    })
    .sort(byKey);
  return { nodes, unscheduled, tunnels: tunnels(nodes), services };
}
