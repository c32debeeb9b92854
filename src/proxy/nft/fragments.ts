/**
 * One service port's share of the `ip podnet` table: the elements it puts
 * in the shared sets and maps, the spread pools those lead to, and, for
 * affinity or Local external traffic, its own chains and affinity sets.
 * The full render assembles every port's fragment; an incremental sync
 * compares a changed port's old and new fragments. Pure.
 */
import { affinitySet, endpointChain, externalChain, serviceChain } from '../names.js';
import type { Endpoint, ProxyNode, ServicePortState } from '../types.js';
import type { NftChain, NftSet } from './model.js';
import { clusterSpreadChain, externalSpreadChain, N, spreadMap, spreadPoolId } from './names.js';

/**
 * An element's "a . b . c" text, joined rather than concatenated: join makes one flat string, where `+` makes a
 * tree of pieces that V8 copies flat again the first time the netlink encoder reads it (~100 ms a full sync).
 */
const concat = (...fields: (string | number)[]): string => fields.join(' . ');
const key = (ip: string, p: ServicePortState, port: number): string => concat(ip, p.protocol, port);

/** How ClusterIP/external traffic of a port with its own chains reaches `eps`: affinity lookups, then a random spread. */
function spreadRules(p: ServicePortState, eps: Endpoint[]): string[] {
  if (p.affinitySeconds !== undefined) {
    return [
      ...eps.map((e) => `ip saddr @${affinitySet(p, e)} goto ${endpointChain(p, e)}`),
      `numgen random mod ${eps.length} vmap { ${eps.map((e, i) => `${i} : goto ${endpointChain(p, e)}`).join(', ')} }`,
    ];
  }
  // iptables' statistic spread in plain rules: rule i of n matches with probability 1/(n-i), the last always.
  // No anonymous map: each one is a kernel set, and at 10,000 Services they made a full load take 20 s instead of 5.
  return eps.map(
    (e, i) =>
      `${eps.length - i > 1 ? `numgen random mod ${eps.length - i} 0 ` : ''}meta l4proto ${p.protocol} dnat to ${e.ip}:${e.port}`,
  );
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
export interface PortFragment {
  /** The service port's id. */
  id: string;
  node: ProxyNode;
  chains: NftChain[];
  sets: NftSet[];
  /** Spread pools (names.ts) its elements lead to; each once. */
  pools: string[];
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

export function renderPort(p: ServicePortState, node: ProxyNode): PortFragment {
  const cached = fragments.get(p);
  if (cached && cached.node === node) return cached;
  const f: PortFragment = { id: p.id, node, chains: [], sets: [], pools: [], elements: [] };
  // Most ports are only elements of shared spread pools; affinity and Local external traffic need chains of their own.
  const pooled = p.affinitySeconds === undefined && !p.externalLocal;
  /** Puts `eps` in the pool for their count under (ip . port . slot) and returns the pool. */
  const spread = (ip: string, port: number, eps: Endpoint[]): string => {
    const pool = spreadPoolId(p.protocol, eps.length);
    if (!f.pools.includes(pool)) f.pools.push(pool);
    eps.forEach((e, i) => f.elements.push([spreadMap(pool), concat(ip, port, i), concat(e.ip, e.port)]));
    return pool;
  };
  const chain = (name: string, rules: string[]) => f.chains.push({ name, rules });
  const { clusterCidr } = node;
  f.elements.push([N.clusterIps, p.clusterIP, '']);
  // Missing endpoints: REJECT when the Service has none anywhere, DROP when a Local policy filtered them out.
  const none = p.hasEndpoints ? 'drop' : `goto ${N.reject}`;
  const endpointsUsed = new Map<string, Endpoint>();
  const useEndpoints = (eps: Endpoint[]) => {
    for (const e of eps) {
      if (p.affinitySeconds !== undefined) endpointsUsed.set(endpointChain(p, e), e);
      else if (e.local) f.elements.push([N.hairpin, concat(e.ip, e.ip), '']);
    }
  };
  if (p.clusterEndpoints.length && pooled) {
    const pool = spread(p.clusterIP, p.port, p.clusterEndpoints);
    f.elements.push([N.serviceIps, key(p.clusterIP, p, p.port), `goto ${clusterSpreadChain(pool)}`]);
    useEndpoints(p.clusterEndpoints);
  } else if (p.clusterEndpoints.length) {
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
  const externalKeys: [string, string, number][] = [
    ...p.externalIPs.map((ip) => [N.serviceIps, ip, p.port] as [string, string, number]),
    ...(p.nodePort ? node.ips.map((ip) => [N.serviceNodePorts, ip, p.nodePort!] as [string, string, number]) : []),
  ];
  if (externalKeys.length) {
    if (p.externalEndpoints.length && pooled) {
      for (const [map, ip, port] of externalKeys) {
        const pool = spread(ip, port, p.externalEndpoints);
        f.elements.push([map, key(ip, p, port), `goto ${externalSpreadChain(pool)}`]);
      }
      useEndpoints(p.externalEndpoints);
    } else if (p.externalEndpoints.length) {
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
      for (const [map, ip, port] of externalKeys) f.elements.push([map, key(ip, p, port), `goto ${ext}`]);
    } else {
      for (const [, ip, port] of externalKeys) f.elements.push([N.noEndpoints, key(ip, p, port), none]);
    }
  }
  for (const [name, e] of endpointsUsed) {
    chain(name, endpointRules(p, e));
    f.sets.push({
      name: affinitySet(p, e),
      kind: 'set',
      spec: `type ipv4_addr ; flags dynamic,timeout ; timeout ${p.affinitySeconds}s ;`,
      dynamic: true,
      elements: new Map(),
    });
  }
  fragments.set(p, f);
  return f;
}
