/**
 * Desired proxy state -> the `ip podnet` table: verdict maps keyed on
 * address . protocol . port, as kube-proxy's nftables mode has them, lead
 * to shared spread pools (names.ts) that DNAT through one map per
 * (protocol, endpoint count), so a Service is map elements, not chains
 * and rules; ports with ClientIP affinity or a Local external policy keep
 * a chain of their own that DNATs with one `numgen random mod K 0` rule
 * per endpoint (affinity also keeps a chain per endpoint, since its
 * affinity sets need a statement per endpoint); hairpin traffic is
 * found in postrouting by source == destination;
 * services without endpoints hit a map in filter hooks that rejects;
 * unallocated addresses in the service CIDR are dropped. Pure.
 */
import type { ProxyState } from '../types.js';
import { renderPort } from './fragments.js';
import { emptyTable, type BaseChain, type NftTable } from './model.js';
import { MASQ_MARK, N, SHARED_SETS } from './names.js';
import { spreadPoolParts } from './spread-pool.js';

export { MASQ_MARK, N } from './names.js';

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
    [
      N.services,
      [
        `ip daddr . meta l4proto . th dport vmap @${N.serviceIps}`,
        `ip daddr . meta l4proto . th dport vmap @${N.serviceNodePorts}`,
      ],
    ],
    [N.endpointsCheck, [`ip daddr . meta l4proto . th dport vmap @${N.noEndpoints}`]],
    [
      N.clusterIpsCheck,
      [
        `ip daddr @${N.clusterIps} reject`, // a ClusterIP on a port the Service does not have
        `ip daddr ${state.node.serviceCidr} drop`, // an address no Service holds
      ],
    ],
    [N.reject, ['meta l4proto tcp reject with tcp reset', 'reject']],
    [N.markMasq, [`meta mark set meta mark | ${MASQ_MARK}`]],
    [
      N.masquerading,
      [
        // Hairpin: after DNAT a pod reaching itself has source == destination (local endpoints only can).
        `ip saddr . ip daddr @${N.hairpin} jump ${N.markMasq}`,
        `meta mark & ${MASQ_MARK} == 0 return`,
        `meta mark set meta mark ^ ${MASQ_MARK}`, // clear the bit so a re-routed packet is not masqueraded twice
        'masquerade fully-random',
      ],
    ],
  ];
}

export function renderNft(state: ProxyState): NftTable {
  const t = emptyTable();
  for (const { name, kind, spec } of SHARED_SETS)
    t.sets.set(name, { name, kind, spec, dynamic: false, elements: new Map() });
  for (const [name, base, rules] of baseChains()) t.chains.set(name, { name, rules, base });
  for (const [name, rules] of fixedChains(state)) t.chains.set(name, { name, rules });
  const fragments = state.ports.map((p) => renderPort(p, state.node));
  for (const pool of new Set(fragments.flatMap((f) => f.pools))) {
    const parts = spreadPoolParts(pool, state.node.clusterCidr);
    t.sets.set(parts.map.name, parts.map);
    for (const c of parts.chains) t.chains.set(c.name, c);
  }
  for (const f of fragments) {
    for (const c of f.chains) t.chains.set(c.name, c);
    for (const s of f.sets) t.sets.set(s.name, s);
    // Indexed, not destructured: this runs 120,000 times in a new process's first sync, before V8 optimises it.
    for (let i = 0; i < f.elements.length; i++) {
      const e = f.elements[i]!;
      t.sets.get(e[0])!.elements.set(e[1], e[2]);
    }
  }
  return t;
}
