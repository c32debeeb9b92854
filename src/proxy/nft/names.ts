/** Names and types of the fixed parts of the `ip podnet` table. */

export const MASQ_MARK = '0x4000';
export const KEY_TYPE = 'ipv4_addr . inet_proto . inet_service';

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

export const sharedSetKind = (name: string): 'set' | 'map' => {
  const s = SHARED_SETS.find((x) => x.name === name);
  if (!s) throw new Error(`${name} is not a shared set`);
  return s.kind;
};
