/**
 * The legacy v1 Endpoints object of a Service, in kube's format: one subset
 * per distinct port list, ready pods in addresses, the others in
 * notReadyAddresses, at most 1000 addresses in all. Pure.
 */
import type { KObject } from '../api/meta.js';
import { canonicalJson } from './canonical.js';
import { LABEL_HEADLESS, managesSlices } from './endpointslice-desired.js';
import {
  findPodPort,
  isPodReady,
  isPodTerminal,
  podIPv4,
  selectorMatches,
  shouldSetHostname,
  type ObjectReference,
  type Pod,
  type Service,
} from './types.js';

/** kube's maxCapacity for one Endpoints object. */
const MAX_ENDPOINTS_ADDRESSES = 1000;
export const ANNOTATION_OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';
/** Marks Endpoints this controller wrote (kube 1.33 sets the same label). */
export const LABEL_ENDPOINTS_MANAGED_BY = 'endpoints.kubernetes.io/managed-by';
export const ENDPOINTS_MANAGED_BY = 'endpoint-controller';

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}
interface EndpointsPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}
export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointsPort[];
}

export interface Endpoints extends KObject {
  subsets?: EndpointSubset[];
}

/**
 * The Endpoints object the Service should have, or undefined when the
 * controller leaves it alone (no selector, ExternalName).
 */
export function desiredEndpoints(
  svc: Service,
  pods: Pod[],
  maxCapacity = MAX_ENDPOINTS_ADDRESSES,
): Endpoints | undefined {
  if (!managesSlices(svc)) return undefined;
  const publishNotReady = !!svc.spec?.publishNotReadyAddresses;
  // One entry per pod address with its port list, merged by port list below (kube's RepackSubsets).
  const byPorts = new Map<string, { ports: EndpointsPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const pod of pods) {
    if (pod.metadata.namespace !== svc.metadata.namespace || !selectorMatches(svc.spec!.selector!, pod.metadata.labels))
      continue;
    if (isPodTerminal(pod)) continue;
    const ip = podIPv4(pod);
    if (!ip) continue;
    // Terminating pods only stay when the service publishes not-ready addresses.
    if (pod.metadata.deletionTimestamp && !publishNotReady) continue;
    const addr: EndpointAddress = { ip };
    if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec!.hostname;
    if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
    addr.targetRef = {
      kind: 'Pod',
      namespace: pod.metadata.namespace,
      name: pod.metadata.name!,
      uid: pod.metadata.uid,
    };
    const ports: EndpointsPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = findPodPort(pod, sp);
      if (port === undefined) continue;
      const p: EndpointsPort = { port, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) p.name = sp.name;
      if (sp.appProtocol) p.appProtocol = sp.appProtocol;
      ports.push(p);
    }
    // A pod with no usable port is only listed for a headless service that has no ports.
    const svcHasPorts = (svc.spec?.ports?.length ?? 0) > 0;
    if (!ports.length && (svcHasPorts || svc.spec?.clusterIP !== 'None')) continue;
    ports.sort(comparePorts);
    const key = JSON.stringify(ports);
    let e = byPorts.get(key);
    if (!e) byPorts.set(key, (e = { ports, ready: [], notReady: [] }));
    (publishNotReady || isPodReady(pod) ? e.ready : e.notReady).push(addr);
  }
  const subsets: EndpointSubset[] = [...byPorts.values()].map((e) => {
    const s: EndpointSubset = {};
    if (e.ready.length) s.addresses = e.ready.sort(compareAddresses);
    if (e.notReady.length) s.notReadyAddresses = e.notReady.sort(compareAddresses);
    if (e.ports.length) s.ports = e.ports;
    return s;
  });
  subsets.sort((a, b) => (JSON.stringify(a.ports ?? []) < JSON.stringify(b.ports ?? []) ? -1 : 1));

  const labels: Record<string, string> = {
    ...(svc.metadata.labels ?? {}),
    [LABEL_ENDPOINTS_MANAGED_BY]: ENDPOINTS_MANAGED_BY,
  };
  if (svc.spec?.clusterIP === 'None') labels[LABEL_HEADLESS] = '';
  const ep: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace, labels },
    subsets: truncate(subsets, maxCapacity),
  };
  if (countAddresses(subsets) > maxCapacity) ep.metadata.annotations = { [ANNOTATION_OVER_CAPACITY]: 'truncated' };
  return ep;
}

const countAddresses = (subsets: EndpointSubset[]) =>
  subsets.reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);

/**
 * kube's truncation: keep maxCapacity addresses, ready ones before not-ready
 * ones, taking from each subset in proportion to its size.
 */
export function truncate(subsets: EndpointSubset[], maxCapacity: number): EndpointSubset[] {
  const total = countAddresses(subsets);
  if (total <= maxCapacity) return subsets;
  const ready = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  const out = subsets.map((s) => ({
    ...s,
    addresses: [...(s.addresses ?? [])],
    notReadyAddresses: [...(s.notReadyAddresses ?? [])],
  }));
  if (ready >= maxCapacity) {
    for (const s of out) s.notReadyAddresses = [];
    shrink(out, 'addresses', maxCapacity);
  } else {
    shrink(out, 'notReadyAddresses', maxCapacity - ready);
  }
  return out
    .map((s) => {
      const r: EndpointSubset = {};
      if (s.addresses.length) r.addresses = s.addresses;
      if (s.notReadyAddresses.length) r.notReadyAddresses = s.notReadyAddresses;
      if (s.ports) r.ports = s.ports;
      return r;
    })
    .filter((s) => s.addresses || s.notReadyAddresses);
}

/** Cuts one address list across subsets to `keep` in all, proportionally, the last subset taking the remainder. */
function shrink(
  subsets: { addresses: EndpointAddress[]; notReadyAddresses: EndpointAddress[] }[],
  field: 'addresses' | 'notReadyAddresses',
  keep: number,
): void {
  const total = subsets.reduce((n, s) => n + s[field].length, 0);
  let left = keep;
  subsets.forEach((s, i) => {
    const share = i === subsets.length - 1 ? left : Math.min(left, Math.floor((s[field].length * keep) / total));
    s[field] = s[field].slice(0, share);
    left -= s[field].length;
  });
}

function comparePorts(a: EndpointsPort, b: EndpointsPort): number {
  return (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port || a.protocol.localeCompare(b.protocol);
}

function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  const n = (ip: string) => ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  return n(a.ip) - n(b.ip) || (a.targetRef?.name ?? '').localeCompare(b.targetRef?.name ?? '');
}

/** Whether the live object already matches the desired one (subsets, labels, annotations). */
export function endpointsEqual(live: Endpoints, want: Endpoints): boolean {
  const over = (o: Endpoints) => o.metadata.annotations?.[ANNOTATION_OVER_CAPACITY];
  return (
    canonicalJson(live.subsets ?? []) === canonicalJson(want.subsets ?? []) &&
    canonicalJson(live.metadata.labels ?? {}) === canonicalJson(want.metadata.labels ?? {}) &&
    over(live) === over(want)
  );
}
