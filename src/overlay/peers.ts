/**
 * Node objects <-> overlay data: what this node publishes in its
 * annotations, and what the overlay reads back from the other nodes'.
 * Pure: no I/O.
 */
import type { KObject } from '../api/meta.js';
import { canonicalCidr, cidrContains, isIpv4, tryParseCidr } from '../api/ipv4.js';
import { isUnicastMac } from './addr.js';
import { ANNOTATION_BACKEND_TYPE, ANNOTATION_PUBLIC_IP, ANNOTATION_VTEP_MAC } from './constants.js';
import type { Backend, Peer } from './types.js';

/** The parts of a Node the overlay reads. */
export interface OverlayNode extends KObject {
  spec?: { podCIDR?: string; podCIDRs?: string[] };
}

/** A node the overlay can reach, or why it cannot (yet). */
export type PeerResult = { peer: Peer } | { skip: string };

/**
 * The overlay view of one Node, for `backend` within `clusterCidr`. A node
 * whose podCIDR or annotations are missing is skipped until it has them;
 * one outside the cluster CIDR is skipped for good, because a route there
 * would not be ours to clean up.
 */
export function peerFromNode(node: OverlayNode, backend: Backend, clusterCidr: string): PeerResult {
  const ann = node.metadata.annotations ?? {};
  const rawCidr = node.spec?.podCIDR;
  if (!rawCidr) return { skip: 'no spec.podCIDR yet' };
  if (!tryParseCidr(rawCidr)) return { skip: `spec.podCIDR "${rawCidr}" is not an IPv4 CIDR` };
  const podCidr = canonicalCidr(rawCidr);
  if (!cidrContains(clusterCidr, podCidr))
    return { skip: `podCIDR ${podCidr} is outside the cluster CIDR ${clusterCidr}` };
  const type = ann[ANNOTATION_BACKEND_TYPE];
  if (!type) return { skip: `no ${ANNOTATION_BACKEND_TYPE} annotation yet (its overlay has not started)` };
  if (type !== backend)
    return { skip: `it runs backend ${type}, this node runs ${backend}; every node must use the same backend` };
  const publicIp = ann[ANNOTATION_PUBLIC_IP];
  if (!publicIp || !isIpv4(publicIp))
    return {
      skip: `${ANNOTATION_PUBLIC_IP} annotation is ${publicIp ? `"${publicIp}", not an IPv4 address` : 'missing'}`,
    };
  if (backend === 'host-gw') return { peer: { name: node.metadata.name!, podCidr, publicIp } };
  const vtepMac = ann[ANNOTATION_VTEP_MAC]?.toLowerCase();
  if (!vtepMac || !isUnicastMac(vtepMac))
    return { skip: `${ANNOTATION_VTEP_MAC} annotation is ${vtepMac ? `"${vtepMac}", not a unicast MAC` : 'missing'}` };
  return { peer: { name: node.metadata.name!, podCidr, publicIp, vtepMac } };
}

/** The annotations this node publishes; null removes one the backend does not use. */
export function selfAnnotations(
  backend: Backend,
  publicIp: string,
  vtepMac: string | undefined,
): Record<string, string | null> {
  return {
    [ANNOTATION_BACKEND_TYPE]: backend,
    [ANNOTATION_PUBLIC_IP]: publicIp,
    [ANNOTATION_VTEP_MAC]: backend === 'vxlan' ? (vtepMac ?? null) : null,
  };
}

/** A merge patch bringing the node's annotations to `want`, or undefined when they already match. */
export function annotationPatch(
  node: OverlayNode,
  want: Record<string, string | null>,
): { metadata: { annotations: Record<string, string | null> } } | undefined {
  const have = node.metadata.annotations ?? {};
  const changes: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(want)) {
    if (v === null ? k in have : have[k] !== v) changes[k] = v;
  }
  return Object.keys(changes).length ? { metadata: { annotations: changes } } : undefined;
}
