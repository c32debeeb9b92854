/**
 * Every host-visible name a cluster uses, derived from its name alone so two
 * clusters started side by side (tests) never share a netns, link or bridge.
 * Linux limits link names to 15 characters (IFNAMSIZ - 1).
 */
import { createHash } from 'node:crypto';

export const MAX_NODES = 240;
const IFNAMSIZ_MAX = 15;

/** Why a --name is unusable, or undefined when it is fine. */
export function clusterNameProblem(name: string): string | undefined {
  if (!/^[a-z]([a-z0-9]*)(-[a-z0-9]+)*$/.test(name) || name.length > 30) {
    return `cluster name "${name}" must be 1-30 characters of a-z, 0-9 and inner "-", starting with a letter (e.g. "dev" or "t1")`;
  }
  // A "node<N>" segment would make node and pod netns names ambiguous between clusters (see ownerOfNetns).
  if (name.split('-').some((seg) => /^node\d+$/.test(seg))) {
    return `cluster name "${name}" must not contain a "node<N>" part: node names are built as "<cluster>-node<N>"`;
  }
  return undefined;
}

/** Short hex digest of the cluster name: the unique part of link names. */
export function clusterHash(name: string | undefined): string {
  return createHash('sha256')
    .update(name === undefined ? 'podnet-default-cluster' : `cluster:${name}`)
    .digest('hex')
    .slice(0, 5);
}

export const bridgeName = (hash: string): string => `podnet${hash}`;

/** Host end of node i's veth pair; the node end is always eth0 inside the node netns. */
export function hostVethName(hash: string, index: number): string {
  const n = `podnet${hash}v${index}`;
  if (n.length > IFNAMSIZ_MAX)
    throw new Error(
      `node index ${index} makes link name ${n} longer than ${IFNAMSIZ_MAX} characters; at most ${MAX_NODES} nodes are supported`,
    );
  return n;
}

/** Host end of control-plane namespace i's veth pair (at most 9, so it always fits). */
export const controlPlaneVethName = (hash: string, index: number): string => `podnet${hash}c${index}`;

/** Links of this cluster on the host: the bridge and the host veth ends of nodes and control planes. */
export const isClusterLink = (hash: string, link: string): boolean =>
  new RegExp(`^podnet${hash}([vc]\\d+)?$`).test(link);

/** node1..nodeN without --name, C-node1..C-nodeN with --name C. */
export const nodeName = (cluster: string | undefined, index: number): string =>
  cluster ? `${cluster}-node${index}` : `node${index}`;

export const nodeNetns = (node: string): string => `podnet-${node}`;

/** cp1..cpN without --name, C-cp1.. with --name C: the control-plane namespaces of --store etcd. */
export const controlPlaneName = (cluster: string | undefined, index: number): string =>
  cluster ? `${cluster}-cp${index}` : `cp${index}`;

/**
 * Which node a netns named podnet-<node>[-<pod>] belongs to. A node name ends
 * at its first "node<N>" segment (cluster names may not contain one), so
 * "podnet-t1-node2-web-abc" is node "t1-node2" and never cluster "t1-node2-web".
 */
export function ownerOfNetns(netns: string): { node: string; pod: boolean } | undefined {
  if (!netns.startsWith('podnet-')) return undefined;
  const segs = netns.slice('podnet-'.length).split('-');
  const i = segs.findIndex((s) => /^node\d+$/.test(s));
  if (i < 0) return undefined;
  return { node: segs.slice(0, i + 1).join('-'), pod: i < segs.length - 1 };
}
