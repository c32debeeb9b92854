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
import type { KObject, ObjectMeta } from '../../api/meta.js';
import { ANNOTATION_DNS_NAMES, ANNOTATION_DNS_SCOPE, LABEL_SERVICE_NAME, type DnsEndpointSlice, type DnsPod, type DnsService, type DnsServicePort } from './objects.js';

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
  const out: ObjectMeta = { name: m.name, namespace: m.namespace === undefined ? undefined : namespaces.get(m.namespace, () => m.namespace!), resourceVersion: m.resourceVersion };
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
  const out: DnsService['spec'] = {};
  if (spec.type && spec.type !== 'ClusterIP') out.type = spec.type;
  // clusterIPs repeats clusterIP in single-stack Services: keep the list only when it says more.
  if (spec.clusterIPs && spec.clusterIPs.length > 1) out.clusterIPs = spec.clusterIPs;
  else if (spec.clusterIP ?? spec.clusterIPs?.[0]) out.clusterIP = spec.clusterIP ?? spec.clusterIPs![0];
  if (spec.externalName) out.externalName = spec.externalName;
  if (spec.publishNotReadyAddresses) out.publishNotReadyAddresses = true;
  // Only named ports make SRV records.
  const named = spec.ports?.filter((p) => p.name);
  if (named?.length) {
    const key = named.map((p) => `${p.name}/${p.protocol ?? 'TCP'}/${p.port}`).join(',');
    out.ports = portLists.get(key, () => Object.freeze(named.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' }))));
  }
  // List items may come without apiVersion/kind; Events about the Service need them.
  return { apiVersion: 'v1', kind: 'Service', metadata: slimMeta(s.metadata, SERVICE_ANNOTATIONS, []), spec: out };
}

export function slimSlice(s: DnsEndpointSlice): DnsEndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: slimMeta(s.metadata, [], [LABEL_SERVICE_NAME]),
    addressType: s.addressType,
    endpoints: s.endpoints?.map((e) => {
      const ep: { addresses: string[]; conditions?: { ready?: boolean | null }; hostname?: string } = { addresses: e.addresses };
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
  return out as KObject as DnsPod;
}
