/**
 * Desired proxy state -> the `ip podnet` table, in kube-proxy's nftables
 * shape: verdict maps keyed on address . protocol . port lead to one chain
 * per service port that DNATs with one `numgen random mod K 0` rule per
 * endpoint (no chain per endpoint and no anonymous maps: loading thousands of tiny chains is what made kube-proxy's
 * shape slow; only ClientIP-affinity services keep endpoint chains, since
 * their affinity sets need a statement per endpoint); hairpin traffic is
 * found in postrouting by source == destination;
 * services without endpoints hit a map in filter hooks that rejects;
 * unallocated addresses in the service CIDR are dropped. Pure.
 */
import { affinitySet, endpointChain, externalChain, serviceChain } from '../names.js';
import type { Endpoint, ProxyNode, ProxyState, ServicePortState } from '../types.js';
import { emptyTable, type BaseChain, type NftChain, type NftSet, type NftTable } from './model.js';

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

const key = (ip: string, p: ServicePortState, port: number): string => `${ip} . ${p.protocol} . ${port}`;

function baseChains(): [string, BaseChain, string[]][] {
  const vmapCheck = `ct state new jump ${N.endpointsCheck}`;
  const ipsCheck = `ct state new jump ${N.clusterIpsCheck}`;
  return [
    // Filter hooks run before NAT (-110): a service without endpoints is refused before anything else.
    ['filter-input', { type: 'filter', hook: 'input', priority: -110 }, [vmapCheck]],
    ['filter-forward', { type: 'filter', hook: 'forward', priority: -110 }, [vmapCheck, ipsCheck]],
    ['filter-output', { type: 'filter', hook: 'output', priority: -110 }, [vmapCheck]],
    // After output DNAT (-100): anything still addressed to the service CIDR matched no service.
    ['filter-output-post-dnat', { type: 'filter', hook: 'output', priority: -90 }, [ipsCheck]],
    ['nat-prerouting', { type: 'nat', hook: 'prerouting', priority: -100 }, [`jump ${N.services}`]],
    ['nat-output', { type: 'nat', hook: 'output', priority: -100 }, [`jump ${N.services}`]],
    ['nat-postrouting', { type: 'nat', hook: 'postrouting', priority: 100 }, [`jump ${N.masquerading}`]],
  ];
}

function fixedChains(state: ProxyState): [string, string[]][] {
  return [
    [N.services, [
      `ip daddr . meta l4proto . th dport vmap @${N.serviceIps}`,
      `ip daddr . meta l4proto . th dport vmap @${N.serviceNodePorts}`,
    ]],
    [N.endpointsCheck, [`ip daddr . meta l4proto . th dport vmap @${N.noEndpoints}`]],
    [N.clusterIpsCheck, [
      `ip daddr @${N.clusterIps} reject`, // a ClusterIP on a port the Service does not have
      `ip daddr ${state.node.serviceCidr} drop`, // an address no Service holds
    ]],
    [N.reject, ['meta l4proto tcp reject with tcp reset', 'reject']],
    [N.markMasq, [`meta mark set meta mark | ${MASQ_MARK}`]],
    [N.masquerading, [
      // Hairpin: after DNAT a pod reaching itself has source == destination (local endpoints only can).
      `ip saddr . ip daddr @${N.hairpin} jump ${N.markMasq}`,
      `meta mark & ${MASQ_MARK} == 0 return`,
      `meta mark set meta mark ^ ${MASQ_MARK}`, // clear the bit so a re-routed packet is not masqueraded twice
      'masquerade fully-random',
    ]],
  ];
}

/** How ClusterIP/external traffic reaches `eps`: affinity lookups, then a random spread. */
function spreadRules(p: ServicePortState, eps: Endpoint[]): string[] {
  if (p.affinitySeconds !== undefined) {
    return [
      ...eps.map((e) => `ip saddr @${affinitySet(p, e)} goto ${endpointChain(p, e)}`),
      `numgen random mod ${eps.length} vmap { ${eps.map((e, i) => `${i} : goto ${endpointChain(p, e)}`).join(', ')} }`,
    ];
  }
  // iptables' statistic spread in plain rules: rule i of n matches with probability 1/(n-i), the last always.
  // No anonymous map: each one is a kernel set, and at 10,000 Services they made a full load take 20 s instead of 5.
  return eps.map((e, i) => `${eps.length - i > 1 ? `numgen random mod ${eps.length - i} 0 ` : ''}meta l4proto ${p.protocol} dnat to ${e.ip}:${e.port}`);
}

/** Endpoint chains exist only for affinity services: record the client, then DNAT. */
function endpointRules(p: ServicePortState, e: Endpoint): string[] {
  return [
    `ip saddr ${e.ip} jump ${N.markMasq}`, // hairpin: a pod reaching itself through its Service
    `update @${affinitySet(p, e)} { ip saddr }`,
    `meta l4proto ${p.protocol} dnat to ${e.ip}:${e.port}`,
  ];
}

/** What one service port adds to the table. */
interface PortFragment {
  node: ProxyNode;
  chains: NftChain[];
  sets: NftSet[];
  /** [set or map name, key, value]. */
  elements: [string, string, string][];
}

/**
 * Fragments by ServicePortState identity: the model hands back the same
 * object for a service that did not change, so a sync renders only what
 * changed, and unchanged chains keep their rule arrays (the differ
 * compares those by identity first). Safe because states are never mutated.
 */
const fragments = new WeakMap<ServicePortState, PortFragment>();

function renderPort(p: ServicePortState, node: ProxyNode): PortFragment {
  const cached = fragments.get(p);
  if (cached && cached.node === node) return cached;
  const f: PortFragment = { node, chains: [], sets: [], elements: [] };
  const chain = (name: string, rules: string[]) => f.chains.push({ name, rules });
  const { clusterCidr } = node;
  f.elements.push([N.clusterIps, p.clusterIP, '']);
  // Missing endpoints: REJECT when the Service has none anywhere, DROP when a Local policy filtered them out.
  const none = p.hasEndpoints ? 'drop' : `goto ${N.reject}`;
  const endpointsUsed = new Map<string, Endpoint>();
  const useEndpoints = (eps: Endpoint[]) => {
    for (const e of eps) {
      if (p.affinitySeconds !== undefined) endpointsUsed.set(endpointChain(p, e), e);
      else if (e.local) f.elements.push([N.hairpin, `${e.ip} . ${e.ip}`, '']);
    }
  };
  if (p.clusterEndpoints.length) {
    const svcChain = serviceChain(p);
    chain(svcChain, [
      `ip daddr ${p.clusterIP} ${p.protocol} dport ${p.port} ip saddr != ${clusterCidr} jump ${N.markMasq}`,
      ...spreadRules(p, p.clusterEndpoints),
    ]);
    f.elements.push([N.serviceIps, key(p.clusterIP, p, p.port), `goto ${svcChain}`]);
    useEndpoints(p.clusterEndpoints);
  } else {
    f.elements.push([N.noEndpoints, key(p.clusterIP, p, p.port), none]);
  }
  const externalKeys: [string, string][] = [...p.externalIPs.map((ip) => [N.serviceIps, key(ip, p, p.port)] as [string, string]),
    ...(p.nodePort ? node.ips.map((ip) => [N.serviceNodePorts, key(ip, p, p.nodePort!)] as [string, string]) : [])];
  if (externalKeys.length) {
    if (p.externalEndpoints.length) {
      const ext = externalChain(p);
      const rules: string[] = [];
      if (p.externalLocal) {
        // Pods and the node itself get the cluster-wide behaviour; outside clients keep their source IP.
        if (p.clusterEndpoints.length) {
          rules.push(`ip saddr ${clusterCidr} goto ${serviceChain(p)}`);
          rules.push(`fib saddr type local jump ${N.markMasq}`);
          rules.push(`fib saddr type local goto ${serviceChain(p)}`);
        }
      } else {
        rules.push(`jump ${N.markMasq}`);
      }
      rules.push(...spreadRules(p, p.externalEndpoints));
      chain(ext, rules);
      useEndpoints(p.externalEndpoints);
      for (const [map, k] of externalKeys) f.elements.push([map, k, `goto ${ext}`]);
    } else {
      for (const [, k] of externalKeys) f.elements.push([N.noEndpoints, k, none]);
    }
  }
  for (const [name, e] of endpointsUsed) {
    chain(name, endpointRules(p, e));
    f.sets.push({ name: affinitySet(p, e), kind: 'set', spec: `type ipv4_addr ; flags dynamic,timeout ; timeout ${p.affinitySeconds}s ;`, dynamic: true, elements: new Map() });
  }
  fragments.set(p, f);
  return f;
}

export function renderNft(state: ProxyState): NftTable {
  const t = emptyTable();
  const set = (name: string, kind: 'set' | 'map', spec: string) => { t.sets.set(name, { name, kind, spec, dynamic: false, elements: new Map() }); };
  set(N.clusterIps, 'set', 'type ipv4_addr ;');
  set(N.serviceIps, 'map', `type ${KEY_TYPE} : verdict ;`);
  set(N.serviceNodePorts, 'map', `type ${KEY_TYPE} : verdict ;`);
  set(N.noEndpoints, 'map', `type ${KEY_TYPE} : verdict ;`);
  set(N.hairpin, 'set', 'type ipv4_addr . ipv4_addr ;');
  for (const [name, base, rules] of baseChains()) t.chains.set(name, { name, rules, base });
  for (const [name, rules] of fixedChains(state)) t.chains.set(name, { name, rules });
  for (const p of state.ports) {
    const f = renderPort(p, state.node);
    for (const c of f.chains) t.chains.set(c.name, c);
    for (const s of f.sets) t.sets.set(s.name, s);
    for (const [name, k, v] of f.elements) t.sets.get(name)!.elements.set(k, v);
  }
  return t;
}
