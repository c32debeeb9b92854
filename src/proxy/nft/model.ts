/** An nftables table as data: what the renderer produces, the differ compares and the tracer walks. */

export const TABLE_FAMILY = 'ip';
export const TABLE_NAME = 'podnet';

export interface BaseChain {
  type: 'filter' | 'nat';
  hook: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
  priority: number;
}

export interface NftChain {
  name: string;
  base?: BaseChain;
  rules: string[];
}

export interface NftSet {
  name: string;
  kind: 'set' | 'map';
  /** Declaration body, e.g. "type ipv4_addr . inet_proto . inet_service : verdict ;". */
  spec: string;
  /** Sets the kernel fills itself (affinity): never flushed, elements not ours to list. */
  dynamic: boolean;
  /** key -> value ("" for plain sets). */
  elements: Map<string, string>;
}

export interface NftTable {
  sets: Map<string, NftSet>;
  chains: Map<string, NftChain>;
}

export const emptyTable = (): NftTable => ({ sets: new Map(), chains: new Map() });

export function cloneTable(t: NftTable): NftTable {
  return {
    sets: new Map([...t.sets].map(([k, s]) => [k, { ...s, elements: new Map(s.elements) }])),
    chains: new Map([...t.chains].map(([k, c]) => [k, { ...c, rules: [...c.rules] }])),
  };
}

/** Rules in the table (the rules-count metric). */
export const ruleCount = (t: NftTable): number => [...t.chains.values()].reduce((n, c) => n + c.rules.length, 0);
