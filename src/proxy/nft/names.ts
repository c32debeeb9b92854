/** Names and types of the fixed parts of the `ip podnet` table. */

export const MASQ_MARK = '0x4000';
const KEY_TYPE = 'ipv4_addr . inet_proto . inet_service';

/** Names of the fixed sets, maps and chains. */
export const N = {
  clusterIps: 'cluster-ips',
  serviceIps: 'service-ips',
  serviceNodePorts: 'service-nodeports',
  noEndpoints: 'no-endpoint-services',
  markMasq: 'mark-for-masquerade',
  masquerading: 'masquerading',
  services: 'services',
  endpointsCheck: 'service-endpoints-check',
  clusterIpsCheck: 'cluster-ips-check',
  reject: 'reject-chain',
  hairpin: 'hairpin-endpoints',
} as const;

/** The sets and maps every service port's elements go into, with their declarations. */
export const SHARED_SETS: { name: string; kind: 'set' | 'map'; spec: string }[] = [
  { name: N.clusterIps, kind: 'set', spec: 'type ipv4_addr ;' },
  { name: N.serviceIps, kind: 'map', spec: `type ${KEY_TYPE} : verdict ;` },
  { name: N.serviceNodePorts, kind: 'map', spec: `type ${KEY_TYPE} : verdict ;` },
  { name: N.noEndpoints, kind: 'map', spec: `type ${KEY_TYPE} : verdict ;` },
  { name: N.hairpin, kind: 'set', spec: 'type ipv4_addr . ipv4_addr ;' },
];

/**
 * Spread pools: one per (protocol, endpoint count K) in use, shared by every
 * service port with K endpoints. A map from (original address . port .
 * slot) to endpoint address . port, and two chains that DNAT through it
 * with `numgen random mod K` as the slot: `cluster-spread-*` (ClusterIP
 * traffic: masquerade only what comes from outside the cluster CIDR) and
 * `external-spread-*` (NodePorts and external IPs: always masquerade). A
 * Service is then only map elements, no chain or rule of its own, which is
 * what keeps a 10,000-Service load near one second: the kernel pays per
 * rule and per (rule binding x map element), so 110,000 per-endpoint rules
 * took 3.4 s to load and 10,000 rules each bound to one shared map 14 s,
 * while one binding per pool costs next to nothing.
 */
export const spreadPoolId = (proto: string, k: number): string => `${proto}-${k}`;
export const spreadMap = (pool: string): string => `spread-${pool}`;
export const clusterSpreadChain = (pool: string): string => `cluster-spread-${pool}`;
export const externalSpreadChain = (pool: string): string => `external-spread-${pool}`;
/**
 * The map's declaration: typeof, since a numgen value has no named type;
 * with the protocol's own dport (nft 1.0.6 refuses `th dport` here when the
 * map is flushed and its rules re-added in one transaction).
 */
export const spreadMapSpec = (proto: string): string =>
  `typeof ip daddr . ${proto} dport . numgen random mod 1 : ip daddr . ${proto} dport ;`;
const SPREAD_MAP = /^spread-(tcp|udp|sctp)-\d+$/;

export const sharedSetKind = (name: string): 'set' | 'map' => {
  if (SPREAD_MAP.test(name)) return 'map';
  const s = SHARED_SETS.find((x) => x.name === name);
  if (!s) throw new Error(`${name} is not a shared set`);
  return s.kind;
};
