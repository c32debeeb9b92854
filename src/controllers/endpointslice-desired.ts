/**
 * The EndpointSlices a Service should have, and the smallest set of writes
 * that gets the existing slices there. Pure: the controller feeds it the
 * informer caches and applies the plan.
 */
import type { OwnerReference } from '../api/meta.js';
import { canonicalJson } from './canonical.js';
import {
  findPodPort,
  isPodReady,
  isPodTerminal,
  podIPv4,
  selectorMatches,
  shouldSetHostname,
  type Endpoint,
  type EndpointPort,
  type EndpointSlice,
  type Pod,
  type Service,
} from './types.js';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
/** kube's --max-endpoints-per-slice default. */
const MAX_ENDPOINTS_PER_SLICE = 100;

/** Endpoints that share one resolved port list (pods lacking a named port land in another group). */
export interface EndpointGroup {
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

/** True when this controller owns the slices of the Service (a selector, not ExternalName). */
export function managesSlices(svc: Service): boolean {
  return !!svc.spec?.selector && Object.keys(svc.spec.selector).length > 0 && svc.spec.type !== 'ExternalName';
}

/** kube's podToEndpoint for one IPv4 address. */
export function podToEndpoint(pod: Pod, svc: Service, ip: string): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  // A terminating pod is never "ready" unless the Service publishes not-ready addresses.
  const ready = !!svc.spec?.publishNotReadyAddresses || (serving && !terminating);
  const ep: Endpoint = { addresses: [ip], conditions: { ready, serving, terminating } };
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname;
  ep.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name!, uid: pod.metadata.uid };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  return ep;
}

/** The service's ports as this pod resolves them; ports the pod lacks are left out. */
function podEndpointPorts(pod: Pod, svc: Service): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPodPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

/** Canonical identity of a port list, order-insensitive. */
function portsKey(ports: EndpointPort[] | null | undefined): string {
  return (ports ?? [])
    .map((p) => `${p.name ?? ''}/${p.protocol ?? 'TCP'}/${p.port ?? ''}/${p.appProtocol ?? ''}`)
    .sort()
    .join(',');
}

/** Identity of an endpoint across syncs: the pod (uid) at its address. */
const endpointKey = (ep: Endpoint) => `${ep.addresses.join(',')}|${ep.targetRef?.uid ?? ep.targetRef?.name ?? ''}`;

/**
 * The endpoints of a Service from the pods of its namespace, grouped by
 * resolved ports. Pods that are terminal or have no IPv4 address are left
 * out; terminating pods stay (with terminating=true), as in kube.
 */
export function desiredEndpointGroups(svc: Service, pods: Pod[]): Map<string, EndpointGroup> {
  const groups = new Map<string, EndpointGroup>();
  if (!managesSlices(svc)) return groups;
  const selector = svc.spec!.selector!;
  const sorted = pods
    .filter((p) => p.metadata.namespace === svc.metadata.namespace && selectorMatches(selector, p.metadata.labels))
    .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
  for (const pod of sorted) {
    if (isPodTerminal(pod)) continue;
    const ip = podIPv4(pod);
    if (!ip) continue;
    const ports = podEndpointPorts(pod, svc);
    const key = portsKey(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, endpoints: [] }));
    g.endpoints.push(podToEndpoint(pod, svc, ip));
  }
  return groups;
}

/** Labels kube puts on a managed slice: the service's own, plus the two managed ones (and headless). */
function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) {
    if (k !== LABEL_SERVICE_NAME && k !== LABEL_MANAGED_BY && k !== LABEL_HEADLESS) labels[k] = v;
  }
  labels[LABEL_SERVICE_NAME] = svc.metadata.name!;
  labels[LABEL_MANAGED_BY] = MANAGED_BY;
  if (svc.spec?.clusterIP === 'None') labels[LABEL_HEADLESS] = '';
  return labels;
}

function serviceOwnerRef(svc: Service): OwnerReference {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    name: svc.metadata.name!,
    uid: svc.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** A new (unnamed) slice of the service; the API server completes generateName. */
function newSlice(svc: Service, ports: EndpointPort[] | null, endpoints: Endpoint[]): EndpointSlice {
  const slice: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata.name}-`,
      namespace: svc.metadata.namespace,
      labels: sliceLabels(svc),
      ownerReferences: [serviceOwnerRef(svc)],
    },
    addressType: 'IPv4',
    endpoints,
  };
  if (ports) slice.ports = ports;
  return slice;
}

const canon = canonicalJson;

/** Whether a slice's metadata already says what it must (labels, owner). */
function metadataCurrent(slice: EndpointSlice, svc: Service): boolean {
  const owners = slice.metadata.ownerReferences ?? [];
  return (
    canon(slice.metadata.labels ?? {}) === canon(sliceLabels(svc)) &&
    owners.length === 1 &&
    owners[0]!.uid === svc.metadata.uid &&
    owners[0]!.kind === 'Service'
  );
}

/**
 * The smallest change from `existing` (the managed slices of this service)
 * to `groups`: endpoints stay in the slice they are in (updated in place
 * when their conditions change), gone ones are removed, new ones fill the
 * slices already being written, then slices with room, then new slices of
 * at most `maxPerSlice`. Slices left empty are deleted; a service with no
 * endpoints keeps exactly one placeholder slice (no ports, no endpoints), as kube does.
 */
export function planEndpointSlices(
  svc: Service,
  groups: Map<string, EndpointGroup>,
  existing: EndpointSlice[],
  maxPerSlice = MAX_ENDPOINTS_PER_SLICE,
): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const total = [...groups.values()].reduce((n, g) => n + g.endpoints.length, 0);
  const isPlaceholder = (s: EndpointSlice) => !s.endpoints?.length && !s.ports?.length;

  if (total === 0) {
    const keep = existing.find(isPlaceholder) ?? existing.find((s) => !s.endpoints?.length);
    for (const s of existing) if (s !== keep) plan.delete.push(s);
    if (!keep) plan.create.push(newSlice(svc, null, []));
    else if (!isPlaceholder(keep) || !metadataCurrent(keep, svc)) plan.update.push(asPlaceholder(keep, svc));
    return reuseDeleted(plan);
  }

  const byPorts = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    const k = isPlaceholder(s) ? '\0placeholder' : portsKey(s.ports);
    if (!groups.has(k)) {
      plan.delete.push(s); // its port set is not wanted any more (or it is the placeholder)
      continue;
    }
    byPorts.set(k, [...(byPorts.get(k) ?? []), s]);
  }

  for (const [key, group] of groups) {
    const want = new Map(group.endpoints.map((e) => [endpointKey(e), e]));
    const placed = new Set<string>();
    const touched: EndpointSlice[] = [];
    const untouched: EndpointSlice[] = [];
    for (const s of byPorts.get(key) ?? []) {
      let changed = !metadataCurrent(s, svc);
      const kept: typeof group.endpoints = [];
      for (const e of s.endpoints ?? []) {
        const k = endpointKey(e);
        const d = want.get(k);
        if (!d || placed.has(k)) {
          changed = true;
          continue;
        }
        placed.add(k);
        if (canon(d) !== canon(e)) changed = true;
        kept.push(d);
      }
      const next: EndpointSlice = {
        ...s,
        metadata: { ...s.metadata, labels: sliceLabels(svc), ownerReferences: [serviceOwnerRef(svc)] },
        endpoints: kept,
      };
      if (changed) touched.push(next);
      else untouched.push(s);
    }
    let rest = group.endpoints.filter((e) => !placed.has(endpointKey(e)));
    // Fill slices that are written anyway before touching or creating others.
    for (const s of touched) {
      const room = maxPerSlice - s.endpoints!.length;
      if (room > 0 && rest.length) {
        s.endpoints = [...s.endpoints!, ...rest.slice(0, room)];
        rest = rest.slice(room);
      }
    }
    // One unchanged slice with room for all the rest beats creating a new one.
    if (rest.length) {
      const roomy = untouched.find((s) => maxPerSlice - (s.endpoints?.length ?? 0) >= rest.length);
      if (roomy) {
        untouched.splice(untouched.indexOf(roomy), 1);
        touched.push({ ...roomy, endpoints: [...(roomy.endpoints ?? []), ...rest] });
        rest = [];
      }
    }
    for (const s of touched) (s.endpoints!.length ? plan.update : plan.delete).push(s);
    for (let i = 0; i < rest.length; i += maxPerSlice)
      plan.create.push(newSlice(svc, group.ports, rest.slice(i, i + maxPerSlice)));
  }
  return reuseDeleted(plan);
}

/** Like kube: rather than delete one slice and create another, rewrite the doomed one in place. */
function reuseDeleted(plan: SlicePlan): SlicePlan {
  while (plan.create.length && plan.delete.length) {
    const fresh = plan.create.shift()!;
    const old = plan.delete.shift()!;
    const { generateName: _g, ...meta } = fresh.metadata;
    plan.update.push({
      ...fresh,
      metadata: {
        ...meta,
        name: old.metadata.name,
        uid: old.metadata.uid,
        resourceVersion: old.metadata.resourceVersion,
      },
    });
  }
  return plan;
}

function asPlaceholder(s: EndpointSlice, svc: Service): EndpointSlice {
  const { ports: _ports, ...rest } = s;
  return {
    ...rest,
    metadata: { ...s.metadata, labels: sliceLabels(svc), ownerReferences: [serviceOwnerRef(svc)] },
    endpoints: [],
  };
}
