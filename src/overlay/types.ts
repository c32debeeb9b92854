/** The overlay's data: what a peer node publishes and the kernel entries we own. */

export type Backend = 'vxlan' | 'host-gw';
export const BACKENDS: readonly Backend[] = ['vxlan', 'host-gw'];

/** Where the host commands of one overlay instance run: the current netns, or a named/pathed one. */
export interface HostTarget {
  netns?: string;
}

export type Logger = (message: string) => void;

/** Another node, as far as the overlay needs to know it. */
export interface Peer {
  name: string;
  /** The node's pod subnet, e.g. 10.244.3.0/24. */
  podCidr: string;
  /** Address of the node on the underlay network (VXLAN outer destination / host-gw next hop). */
  publicIp: string;
  /** vxlan only: MAC of the peer's VXLAN device. */
  vtepMac?: string;
}

/** `ip route replace <dst> via <via> dev <dev> [onlink] proto 80` */
export interface RouteEntry {
  dst: string;
  via: string;
  dev: string;
  onlink: boolean;
  /** Only on observed routes that have one; the overlay's own routes have none. */
  metric?: number;
}

/** `ip neigh replace <ip> lladdr <mac> dev <dev> nud permanent` */
export interface NeighEntry {
  ip: string;
  mac: string;
  dev: string;
}

/** `bridge fdb replace <mac> dev <dev> dst <dst> self permanent` */
export interface FdbEntry {
  mac: string;
  dst: string;
  dev: string;
}

/** The kernel entries the overlay owns in one network namespace. */
export interface Dataplane {
  routes: RouteEntry[];
  neighs: NeighEntry[];
  fdb: FdbEntry[];
}

export const emptyDataplane = (): Dataplane => ({ routes: [], neighs: [], fdb: [] });

/** One kernel change; `replace` both adds and overwrites the entry with the same key. */
export type Change =
  | { kind: 'route'; op: 'replace' | 'del'; entry: RouteEntry }
  | { kind: 'neigh'; op: 'replace' | 'del'; entry: NeighEntry }
  | { kind: 'fdb'; op: 'replace' | 'del'; entry: FdbEntry };
