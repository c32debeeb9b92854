/**
 * Services + EndpointSlices + this node -> the desired proxy state. Pure.
 * Follows kube-proxy's endpoint categorisation: ready endpoints, or
 * terminating-but-serving ones when none is ready; Local traffic policies
 * keep only this node's endpoints (with the same fallback among them).
 */
import type {
  Endpoint,
  EndpointSliceObject,
  Protocol,
  ProxyNode,
  ProxyState,
  ServiceObject,
  ServicePortState,
} from './types.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const DEFAULT_AFFINITY_SECONDS = 10800;

const PROTOCOLS: Record<string, Protocol> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };

/** Services that get no rules: headless, ExternalName, or without a ClusterIP yet. */
function hasProxyRules(svc: ServiceObject): boolean {
  const ip = svc.spec?.clusterIP;
  return svc.spec?.type !== 'ExternalName' && !!ip && ip !== 'None' && /^\d+\.\d+\.\d+\.\d+$/.test(ip);
}

interface Candidate {
  endpoint: Endpoint;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  order: number;
}

/** Ready endpoints; else terminating-but-serving ones (kube-proxy's fallback). */
function usable(cands: Candidate[]): Endpoint[] {
  const anyReady = cands.some((c) => c.ready);
  const out: Endpoint[] = [];
  for (const c of cands) if (anyReady ? c.ready : c.serving && c.terminating) out.push(c.endpoint);
  return out;
}

/** Endpoints of one service port across its slices, by address; named targetPorts resolve per slice. */
function candidatesFor(
  slices: EndpointSliceObject[],
  portName: string,
  protocol: Protocol,
  nodeName: string,
): Candidate[] {
  const all: Candidate[] = [];
  for (const slice of slices) {
    if ((slice.addressType ?? 'IPv4') !== 'IPv4') continue;
    const sp = (slice.ports ?? []).find(
      (p) => (p.name ?? '') === portName && (PROTOCOLS[p.protocol ?? 'TCP'] ?? 'tcp') === protocol,
    );
    if (!sp || typeof sp.port !== 'number') continue;
    const port = sp.port;
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses?.[0];
      if (!ip) continue;
      // Unset conditions mean ready/serving (API semantics) and not terminating.
      const ready = ep.conditions?.ready ?? true;
      all.push({
        endpoint: { ip, port, local: ep.nodeName === nodeName },
        ready: ready !== false,
        serving: (ep.conditions?.serving ?? ready) !== false,
        terminating: ep.conditions?.terminating === true,
        // Computed once per endpoint: parsing addresses inside the comparator was a fifth of a full sync.
        order: ipv4Order(ip) * 65536 + port,
      });
    }
  }
  // The sort is stable, so an endpoint listed twice (in two slices) is adjacent to itself and its first listing wins;
  // no lookup table per endpoint. Texts that are not dotted quads may share an order: the run is compared by text.
  all.sort((a, b) => a.order - b.order);
  const out: Candidate[] = [];
  let runStart = 0;
  for (const c of all) {
    if (!out.length || out[out.length - 1]!.order !== c.order) runStart = out.length;
    else if (out.slice(runStart).some((o) => o.endpoint.ip === c.endpoint.ip)) continue;
    out.push(c);
  }
  return out;
}

/** An IPv4 address as a number for ordering (a.b.c.d -> a*2^24 + ...); only digits and dots are read, missing parts count as 0. */
export function ipv4Order(ip: string): number {
  let n = 0;
  let part = 0;
  let parts = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i) - 48;
    if (c === -2) {
      n = n * 256 + part;
      part = 0;
      parts++;
    } // '.'
    else if (c >= 0 && c <= 9) part = part * 10 + c;
  }
  n = n * 256 + part;
  for (parts++; parts < 4; parts++) n *= 256;
  return n;
}

const compareIp = (a: string, b: string): number => ipv4Order(a) - ipv4Order(b);

/** The service ports one Service contributes. */
export function servicePorts(svc: ServiceObject, slices: EndpointSliceObject[], node: ProxyNode): ServicePortState[] {
  if (!hasProxyRules(svc)) return [];
  const spec = svc.spec!;
  const namespace = svc.metadata.namespace ?? 'default';
  const service = svc.metadata.name ?? '';
  const nodePortsOn = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  const affinitySeconds =
    spec.sessionAffinity === 'ClientIP'
      ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS)
      : undefined;
  const out: ServicePortState[] = [];
  for (const p of spec.ports ?? []) {
    const protocol = PROTOCOLS[p.protocol ?? 'TCP'];
    if (!protocol) continue;
    const portName = p.name ?? '';
    const cands = candidatesFor(slices, portName, protocol, node.name);
    const all = usable(cands);
    const local = usable(cands.filter((c) => c.endpoint.local));
    const externalLocal = spec.externalTrafficPolicy === 'Local';
    out.push({
      id: `${namespace}/${service}/${protocol}/${portName || `p${p.port}`}`,
      namespace,
      service,
      protocol,
      clusterIP: spec.clusterIP!,
      port: p.port,
      ...(nodePortsOn && p.nodePort ? { nodePort: p.nodePort } : {}),
      externalIPs: spec.externalIPs?.length ? [...new Set(spec.externalIPs)].sort(compareIp) : [],
      ...(affinitySeconds !== undefined ? { affinitySeconds } : {}),
      clusterEndpoints: spec.internalTrafficPolicy === 'Local' ? local : all,
      externalEndpoints: externalLocal ? local : all,
      externalLocal,
      hasEndpoints: all.length > 0,
    });
  }
  return out;
}

/** The whole desired state for this node. */
export function buildProxyState(services: ServiceObject[], slices: EndpointSliceObject[], node: ProxyNode): ProxyState {
  const byService = new Map<string, EndpointSliceObject[]>();
  for (const s of slices) {
    const svcName = s.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svcName) continue;
    const key = `${s.metadata.namespace ?? 'default'}/${svcName}`;
    const list = byService.get(key) ?? [];
    list.push(s);
    byService.set(key, list);
  }
  const ports = services.flatMap((svc) =>
    servicePorts(svc, byService.get(`${svc.metadata.namespace ?? 'default'}/${svc.metadata.name}`) ?? [], node),
  );
  ports.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { node, ports };
}
