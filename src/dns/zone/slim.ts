/**
 * Informer transforms: the fields DNS reads, nothing else. A Service as the
 * API serves it is ~30 JS objects (managedFields, selector, status, ...);
 * at 100k Services the full objects alone would be hundreds of MB. Keeps
 * what the cache needs (name, namespace, resourceVersion) and what the
 * records and business names need; uid and creationTimestamp only on a
 * Service with business names (the oldest claim wins; Events name the
 * loser). Namespaces and port lists repeat across thousands of Services,
 * so one copy of each is shared.
 */
import type { ObjectMeta } from '../../api/meta.js';
import {
  ANNOTATION_DNS_NAMES,
  ANNOTATION_DNS_SCOPE,
  LABEL_SERVICE_NAME,
  type DnsEndpointSlice,
  type DnsPod,
  type DnsService,
  type DnsServicePort,
} from './objects.js';
import { SlimRareService, SlimService, ipv4ToInt32, type RareServiceFields } from './slim-service.js';

/** Values seen many times, one copy each; bounded, so churn of unique values cannot grow it without limit. */
class Interner<T> {
  private readonly seen = new Map<string, T>();
  constructor(private readonly limit: number) {}
  get(key: string, make: () => T): T {
    const hit = this.seen.get(key);
    if (hit !== undefined) return hit;
    const v = make();
    if (this.seen.size < this.limit) this.seen.set(key, v);
    return v;
  }
}

const namespaces = new Interner<string>(10_000);
const portLists = new Interner<readonly Readonly<DnsServicePort>[]>(10_000);

function slimMeta(m: ObjectMeta, keepAnnotations: readonly string[], keepLabels: readonly string[]): ObjectMeta {
  const out: ObjectMeta = {
    name: m.name,
    namespace: m.namespace === undefined ? undefined : namespaces.get(m.namespace, () => m.namespace!),
    resourceVersion: m.resourceVersion,
  };
  const annotations = pick(m.annotations, keepAnnotations);
  if (annotations) {
    out.annotations = annotations;
    out.uid = m.uid;
    if (m.creationTimestamp) out.creationTimestamp = m.creationTimestamp;
  }
  const labels = pick(m.labels, keepLabels);
  if (labels) out.labels = labels;
  return out;
}

function pick(from: Record<string, string> | undefined, keys: readonly string[]): Record<string, string> | undefined {
  if (!from) return undefined;
  let out: Record<string, string> | undefined;
  for (const k of keys) if (from[k] !== undefined) (out ??= {})[k] = from[k]!;
  return out;
}

const SERVICE_ANNOTATIONS = [ANNOTATION_DNS_NAMES, ANNOTATION_DNS_SCOPE];

export function slimService(s: DnsService): DnsService {
  const spec = s.spec ?? {};
  const m = s.metadata;
  const rare: RareServiceFields = {};
  if (spec.type && spec.type !== 'ClusterIP') rare.type = spec.type;
  // clusterIPs repeats clusterIP in single-stack Services: keep the list only when it says more.
  let ipv4: number | undefined;
  if (spec.clusterIPs && spec.clusterIPs.length > 1) rare.clusterIPs = spec.clusterIPs;
  else {
    const ip = spec.clusterIP ?? spec.clusterIPs?.[0];
    if (ip) ipv4 = ipv4ToInt32(ip);
    if (ip && ipv4 === undefined) rare.clusterIP = ip;
  }
  if (spec.externalName) rare.externalName = spec.externalName;
  if (spec.publishNotReadyAddresses) rare.publishNotReadyAddresses = true;
  const annotations = pick(m.annotations, SERVICE_ANNOTATIONS);
  if (annotations) {
    rare.annotations = annotations;
    rare.uid = m.uid;
    if (m.creationTimestamp) rare.creationTimestamp = m.creationTimestamp;
  }
  // Only named ports make SRV records.
  const named = spec.ports?.filter((p) => p.name);
  let ports: readonly Readonly<DnsServicePort>[] | undefined;
  if (named?.length) {
    const key = named.map((p) => `${p.name}/${p.protocol ?? 'TCP'}/${p.port}`).join(',');
    ports = portLists.get(key, () =>
      Object.freeze(named.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' }))),
    );
  }
  // join, not a template: that makes a cons string, which keeps the parsed
  // name alive beside it (~56 bytes a Service); join makes one flat string.
  const key = [m.namespace ?? '', m.name ?? ''].join('/');
  return Object.keys(rare).length
    ? new SlimRareService(key, m.resourceVersion, ipv4, ports, rare)
    : new SlimService(key, m.resourceVersion, ipv4, ports);
}

/** The informer's cache key of a slim Service: the string it already holds. */
export function slimServiceKey(s: DnsService): string {
  return s instanceof SlimService ? s.key : `${s.metadata.namespace}/${s.metadata.name}`;
}

export function slimSlice(s: DnsEndpointSlice): DnsEndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: slimMeta(s.metadata, [], [LABEL_SERVICE_NAME]),
    addressType: s.addressType,
    endpoints:
      s.endpoints?.map((e) => {
        const ep: { addresses: string[]; conditions?: { ready?: boolean | null }; hostname?: string } = {
          addresses: e.addresses,
        };
        if (e.conditions?.ready !== undefined) ep.conditions = { ready: e.conditions.ready };
        if (e.hostname) ep.hostname = e.hostname;
        return ep;
      }) ?? null,
    ports: s.ports?.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })) ?? null,
  };
}

export function slimPod(p: DnsPod): DnsPod {
  const out: DnsPod = { apiVersion: 'v1', kind: 'Pod', metadata: slimMeta(p.metadata, [], []), status: {} };
  if (p.spec?.hostNetwork) out.spec = { hostNetwork: true };
  if (p.status?.phase) out.status!.phase = p.status.phase;
  if (p.status?.podIP) out.status!.podIP = p.status.podIP;
  if (p.status?.podIPs?.length) out.status!.podIPs = p.status.podIPs.map((x) => ({ ip: x.ip }));
  return out;
}
