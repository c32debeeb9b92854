/**
 * Desired proxy state -> the `ip podnet` table, in kube-proxy's nftables
 * shape: verdict maps keyed on address . protocol . port lead to one chain
 * per service port (spreading with numgen) and one per endpoint (DNAT);
 * services without endpoints hit a map in filter hooks that rejects;
 * unallocated addresses in the service CIDR are dropped. Pure.
 */
import { affinitySet, endpointChain, externalChain, serviceChain } from '../names.js';
import type { Endpoint, ProxyState, ServicePortState } from '../types.js';
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
      `meta mark & ${MASQ_MARK} == 0 return`,
      `meta mark set meta mark ^ ${MASQ_MARK}`, // clear the bit so a re-routed packet is not masqueraded twice
      'masquerade fully-random',
    ]],
  ];
}

/** Affinity lookups, then a random spread over `eps`. */
function spreadRules(p: ServicePortState, eps: Endpoint[]): string[] {
  const rules: string[] = [];
  if (p.affinitySeconds !== undefined) for (const e of eps) rules.push(`ip saddr @${affinitySet(p, e)} goto ${endpointChain(p, e)}`);
  rules.push(`numgen random mod ${eps.length} vmap { ${eps.map((e, i) => `${i} : goto ${endpointChain(p, e)}`).join(', ')} }`);
  return rules;
}

function endpointRules(p: ServicePortState, e: Endpoint): string[] {
  return [
    `ip saddr ${e.ip} jump ${N.markMasq}`, // hairpin: a pod reaching itself through its Service
    ...(p.affinitySeconds !== undefined ? [`update @${affinitySet(p, e)} { ip saddr }`] : []),
    `meta l4proto ${p.protocol} dnat to ${e.ip}:${e.port}`,
  ];
}

export function renderNft(state: ProxyState): NftTable {
  const t = emptyTable();
  const set = (name: string, kind: 'set' | 'map', spec: string, dynamic = false): NftSet => {
    const s: NftSet = { name, kind, spec, dynamic, elements: new Map() };
    t.sets.set(name, s);
    return s;
  };
  const chain = (name: string, rules: string[], base?: BaseChain): void => { t.chains.set(name, { name, rules, ...(base ? { base } : {}) } as NftChain); };

  const clusterIps = set(N.clusterIps, 'set', 'type ipv4_addr ;');
  const serviceIps = set(N.serviceIps, 'map', `type ${KEY_TYPE} : verdict ;`);
  const nodePorts = set(N.serviceNodePorts, 'map', `type ${KEY_TYPE} : verdict ;`);
  const noEndpoints = set(N.noEndpoints, 'map', `type ${KEY_TYPE} : verdict ;`);
  for (const [name, base, rules] of baseChains()) chain(name, rules, base);
  for (const [name, rules] of fixedChains(state)) chain(name, rules);

  const { clusterCidr } = state.node;
  for (const p of state.ports) {
    clusterIps.elements.set(p.clusterIP, '');
    // Missing endpoints: REJECT when the Service has none anywhere, DROP when a Local policy filtered them out.
    const none = p.hasEndpoints ? 'drop' : `goto ${N.reject}`;
    const endpointsUsed = new Map<string, Endpoint>();

    if (p.clusterEndpoints.length) {
      const svcChain = serviceChain(p);
      chain(svcChain, [
        `ip daddr ${p.clusterIP} ${p.protocol} dport ${p.port} ip saddr != ${clusterCidr} jump ${N.markMasq}`,
        ...spreadRules(p, p.clusterEndpoints),
      ]);
      serviceIps.elements.set(key(p.clusterIP, p, p.port), `goto ${svcChain}`);
      for (const e of p.clusterEndpoints) endpointsUsed.set(endpointChain(p, e), e);
    } else {
      noEndpoints.elements.set(key(p.clusterIP, p, p.port), none);
    }

    const externalKeys = [...p.externalIPs.map((ip) => [serviceIps, key(ip, p, p.port)] as const),
      ...(p.nodePort ? state.node.ips.map((ip) => [nodePorts, key(ip, p, p.nodePort!)] as const) : [])];
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
        for (const e of p.externalEndpoints) endpointsUsed.set(endpointChain(p, e), e);
        for (const [map, k] of externalKeys) map.elements.set(k, `goto ${ext}`);
      } else {
        for (const [, k] of externalKeys) noEndpoints.elements.set(k, none);
      }
    }

    for (const [name, e] of endpointsUsed) {
      chain(name, endpointRules(p, e));
      if (p.affinitySeconds !== undefined) {
        set(affinitySet(p, e), 'set', `type ipv4_addr ; flags dynamic,timeout ; timeout ${p.affinitySeconds}s ;`, true);
      }
    }
  }
  return t;
}
