/**
 * The chains and map of one spread pool (see names.ts): what the full
 * render adds once per pool in use and an incremental sync adds or removes
 * when the first port joins or the last leaves. Pure.
 */
import type { NftChain, NftSet } from './model.js';
import { clusterSpreadChain, externalSpreadChain, N, spreadMap, spreadMapSpec } from './names.js';

interface SpreadPoolParts {
  map: NftSet;
  chains: NftChain[];
}

export function spreadPoolParts(pool: string, clusterCidr: string): SpreadPoolParts {
  const m = /^(tcp|udp|sctp)-(\d+)$/.exec(pool);
  if (!m) throw new Error(`not a spread pool id: ${pool}`);
  const [, proto, k] = m;
  const map = spreadMap(pool);
  // A port match must precede a port mapping in nft; the slot is drawn per new connection.
  const dnat = `meta l4proto ${proto} dnat ip to ip daddr . ${proto} dport . numgen random mod ${k} map @${map}`;
  return {
    map: { name: map, kind: 'map', spec: spreadMapSpec(proto!), dynamic: false, elements: new Map() },
    chains: [
      { name: clusterSpreadChain(pool), rules: [`ip saddr != ${clusterCidr} jump ${N.markMasq}`, dnat] },
      { name: externalSpreadChain(pool), rules: [`jump ${N.markMasq}`, dnat] },
    ],
  };
}

/** Rules a pool adds to the table (the rules-count metric): the same for every pool. */
export const SPREAD_POOL_RULES = spreadPoolParts('tcp-1', '0.0.0.0/0').chains.reduce((n, c) => n + c.rules.length, 0);
