/**
 * The desired dataplane: a pure function of (all Nodes, self, backend) to
 * the routes, neighbours and FDB entries this node must have.
 *
 * vxlan, per other node:
 *   route  <podCIDR> via <their VTEP addr> dev podnet.1 onlink
 *   neigh  <their VTEP addr> lladdr <their VTEP MAC> dev podnet.1 (permanent)
 *   fdb    <their VTEP MAC> dst <their public IP> dev podnet.1 (self permanent)
 * host-gw, per other node:
 *   route  <podCIDR> via <their public IP> dev <underlay>
 */
import { cidrContains, cidrsOverlap } from '../api/ipv4.js';
import { networkAddress } from './addr.js';
import { VXLAN_DEVICE } from './constants.js';
import { peerFromNode, type OverlayNode } from './peers.js';
import { emptyDataplane, type Backend, type Dataplane, type Peer } from './types.js';

export interface DesiredContext {
  /** This node's name: it gets no routes to itself. */
  self: string;
  backend: Backend;
  clusterCidr: string;
  /** host-gw: the device the other nodes' public IPs are reached on. */
  underlayDev: string;
  /** host-gw: the underlay subnet; a next hop outside it is unreachable without a router. */
  underlayCidr?: string;
}

export interface SkippedNode {
  node: string;
  reason: string;
}

export interface DesiredResult {
  dataplane: Dataplane;
  /** The nodes that got entries, sorted by name. */
  peers: Peer[];
  /** Nodes left out and why (logged by the caller; they come back once fixed). */
  skipped: SkippedNode[];
}

export function desiredDataplane(nodes: readonly OverlayNode[], ctx: DesiredContext): DesiredResult {
  const skipped: SkippedNode[] = [];
  const peers: Peer[] = [];
  const selfNode = nodes.find((n) => n.metadata.name === ctx.self);
  const selfCidr = selfNode ? peerFromNode(selfNode, ctx.backend, ctx.clusterCidr) : undefined;
  const ownCidr = selfCidr && 'peer' in selfCidr ? selfCidr.peer.podCidr : selfNode?.spec?.podCIDR;

  // Sorted, so that when two nodes claim the same subnet or MAC the same one wins on every node.
  const sorted = [...nodes].sort((a, b) =>
    a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0,
  );
  for (const node of sorted) {
    const name = node.metadata.name!;
    if (name === ctx.self) continue;
    const r = peerFromNode(node, ctx.backend, ctx.clusterCidr);
    if ('skip' in r) {
      skipped.push({ node: name, reason: r.skip });
      continue;
    }
    const p = r.peer;
    const conflict = conflictOf(p, peers, ownCidr, ctx);
    if (conflict) skipped.push({ node: name, reason: conflict });
    else peers.push(p);
  }

  const dataplane = emptyDataplane();
  for (const p of peers) {
    if (ctx.backend === 'host-gw') {
      dataplane.routes.push({ dst: p.podCidr, via: p.publicIp, dev: ctx.underlayDev, onlink: false });
      continue;
    }
    const vtep = networkAddress(p.podCidr);
    dataplane.routes.push({ dst: p.podCidr, via: vtep, dev: VXLAN_DEVICE, onlink: true });
    dataplane.neighs.push({ ip: vtep, mac: p.vtepMac!, dev: VXLAN_DEVICE });
    dataplane.fdb.push({ mac: p.vtepMac!, dst: p.publicIp, dev: VXLAN_DEVICE });
  }
  return { dataplane, peers, skipped };
}

/** Why a peer cannot get entries next to the ones already chosen, or undefined. */
function conflictOf(
  p: Peer,
  chosen: readonly Peer[],
  ownCidr: string | undefined,
  ctx: DesiredContext,
): string | undefined {
  if (ownCidr && cidrsOverlap(p.podCidr, ownCidr)) return `its podCIDR ${p.podCidr} overlaps this node's ${ownCidr}`;
  for (const c of chosen) {
    if (cidrsOverlap(p.podCidr, c.podCidr)) return `its podCIDR ${p.podCidr} overlaps node ${c.name}'s ${c.podCidr}`;
    if (p.publicIp === c.publicIp) return `its public IP ${p.publicIp} is also node ${c.name}'s`;
    if (p.vtepMac && p.vtepMac === c.vtepMac) return `its VTEP MAC ${p.vtepMac} is also node ${c.name}'s`;
  }
  if (ctx.backend === 'host-gw' && ctx.underlayCidr && !cidrContains(ctx.underlayCidr, p.publicIp)) {
    return `host-gw needs every node on one L2 network, and its public IP ${p.publicIp} is outside ${ctx.underlayCidr}; use the vxlan backend`;
  }
  return undefined;
}
