/**
 * NodeRestriction admission: which objects a node's writes may touch. A
 * node writes only its own Node (never its podCIDR, taints, or labels
 * outside what a kubelet sets), its own Lease, and pods bound to it (their
 * status, or deleting them); it creates no pods.
 */
import { ApiError } from '../../api/errors.js';
import type { KObject } from '../../api/meta.js';
import type { ResourceInfo } from '../../api/resources.js';
import { nodeNameOf } from './node-authorizer.js';
import type { UserInfo } from './types.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

/** Labels a kubelet may set on its own Node (kube's kubelet label allow-list). */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'topology.kubernetes.io/region',
  'topology.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
]);
const KUBELET_LABEL_PREFIXES = ['kubelet.kubernetes.io/', 'node.kubernetes.io/'];

/** A label a node may not set on itself: the restricted prefix, or kubernetes.io / k8s.io ones outside the allow-list. */
export function labelRestricted(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return false;
  const ns = key.slice(0, slash);
  if (ns === 'node-restriction.kubernetes.io' || ns.endsWith('.node-restriction.kubernetes.io')) return true;
  const kubeNs = ns === 'kubernetes.io' || ns.endsWith('.kubernetes.io') || ns === 'k8s.io' || ns.endsWith('.k8s.io');
  if (!kubeNs) return false;
  return !KUBELET_LABELS.has(key) && !KUBELET_LABEL_PREFIXES.some((p) => key.startsWith(p));
}

function refuse(ri: ResourceInfo, name: string, message: string): ApiError {
  const q = ri.group ? `${ri.resource}.${ri.group}` : ri.resource;
  return new ApiError(403, 'Forbidden', `${q} "${name}" is forbidden: ${message}`, {
    name,
    ...(ri.group ? { group: ri.group } : {}),
    kind: ri.resource,
  });
}

interface NodeSpec {
  podCIDR?: string;
  podCIDRs?: string[];
  taints?: unknown[];
}

function changedLabels(next: Record<string, string> | undefined, prev: Record<string, string> | undefined): string[] {
  const a = next ?? {},
    b = prev ?? {};
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => a[k] !== b[k]);
}

export function admitNodeWrite(w: {
  ri: ResourceInfo;
  operation: 'create' | 'update' | 'delete';
  obj?: KObject;
  old?: KObject;
  subresource?: string;
  user?: UserInfo;
}): void {
  const node = nodeNameOf(w.user);
  if (!node) return;
  const { ri } = w;
  const obj = w.obj ?? w.old!;
  const name = obj.metadata.name ?? '';
  if (ri.group === '' && ri.resource === 'nodes') {
    if (name !== node) throw refuse(ri, name, `node "${node}" is not allowed to modify node "${name}"`);
    if (w.operation === 'create') {
      const spec = (obj.spec ?? {}) as NodeSpec;
      if (spec.podCIDR || spec.podCIDRs?.length)
        throw refuse(
          ri,
          name,
          `node "${node}" is not allowed to set spec.podCIDR: the controller manager allocates it`,
        );
      const bad = Object.keys(obj.metadata.labels ?? {}).filter(labelRestricted);
      if (bad.length)
        throw refuse(ri, name, `node "${node}" is not allowed to set the following labels: ${bad.join(', ')}`);
    }
    if (w.operation === 'update' && w.old) {
      const spec = (obj.spec ?? {}) as NodeSpec,
        was = (w.old.spec ?? {}) as NodeSpec;
      if (spec.podCIDR !== was.podCIDR || JSON.stringify(spec.podCIDRs ?? []) !== JSON.stringify(was.podCIDRs ?? []))
        throw refuse(ri, name, `node "${node}" is not allowed to modify spec.podCIDR`);
      if (JSON.stringify(spec.taints ?? []) !== JSON.stringify(was.taints ?? []))
        throw refuse(ri, name, `node "${node}" is not allowed to modify taints`);
      const bad = changedLabels(obj.metadata.labels, w.old.metadata.labels).filter(labelRestricted);
      if (bad.length) throw refuse(ri, name, `node "${node}" is not allowed to modify labels: ${bad.join(', ')}`);
    }
    return;
  }
  if (ri.group === '' && ri.resource === 'pods') {
    const bound = ((w.old ?? obj).spec as { nodeName?: string } | undefined)?.nodeName;
    if (w.operation === 'create') {
      const mirror = obj.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined;
      if (!mirror)
        throw refuse(
          ri,
          name,
          `pod does not have "${MIRROR_ANNOTATION}" annotation, node "${node}" can only create mirror pods`,
        );
      if (bound !== node)
        throw refuse(ri, name, `node "${node}" can only create pods with spec.nodeName set to itself`);
      return;
    }
    if (w.operation === 'delete') {
      if (bound !== node)
        throw refuse(ri, name, `node "${node}" can only delete pods with spec.nodeName set to itself`);
      return;
    }
    if (w.subresource === 'status') {
      if (bound !== node)
        throw refuse(ri, name, `node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
      return;
    }
    throw refuse(ri, name, `node "${node}" can only update the status of pods bound to it`);
  }
  if (ri.group === 'coordination.k8s.io' && ri.resource === 'leases') {
    if (obj.metadata.namespace !== NODE_LEASE_NAMESPACE || name !== node)
      throw refuse(ri, name, 'can only access node lease with the same name as the requesting node');
  }
}
