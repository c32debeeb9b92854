/**
 * Node podCIDRs never overlap (pure): a Node whose new spec.podCIDR(s)
 * share an address with another Node's would make the overlay route one
 * subnet to two nodes.
 */
import { cidrsOverlap, tryParseCidr } from '../../api/ipv4.js';

interface NodeCidrs {
  name: string;
  podCIDRs: string[];
}

/** Why this Node's podCIDRs are refused, or undefined. */
export function podCidrProblem(node: NodeCidrs, others: readonly NodeCidrs[]): string | undefined {
  for (const cidr of node.podCIDRs) {
    if (!tryParseCidr(cidr)) continue; // validation reports malformed values
    for (const o of others) {
      if (o.name === node.name) continue;
      const clash = o.podCIDRs.find((c) => tryParseCidr(c) && cidrsOverlap(c, cidr));
      if (clash) return `podCIDR ${cidr} overlaps node "${o.name}"'s ${clash}; each node needs a subnet of its own`;
    }
  }
  return undefined;
}

export function cidrsOf(spec: { podCIDR?: string; podCIDRs?: string[] } | undefined): string[] {
  return [...new Set([...(spec?.podCIDRs ?? []), ...(spec?.podCIDR ? [spec.podCIDR] : [])])];
}
