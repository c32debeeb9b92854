/**
 * Changes to the table as data: the differ emits them, applyOps replays
 * them on a model (tests check diff(prev, next) applied to prev == next),
 * and opsToScript turns them into one `nft -f -` transaction.
 */
import { cloneTable, TABLE_FAMILY, TABLE_NAME, type BaseChain, type NftSet, type NftTable } from './model.js';

export type NftOp =
  | { op: 'add-table' }
  | { op: 'add-set'; set: Omit<NftSet, 'elements'> }
  | { op: 'flush-set'; name: string; kind: 'set' | 'map' }
  | { op: 'delete-set'; name: string; kind: 'set' | 'map' }
  | { op: 'add-elements'; set: string; kind: 'set' | 'map'; elements: [string, string][] }
  | { op: 'delete-elements'; set: string; kind: 'set' | 'map'; keys: string[] }
  | { op: 'add-chain'; name: string; base?: BaseChain }
  | { op: 'flush-chain'; name: string }
  | { op: 'add-rules'; chain: string; rules: string[] }
  | { op: 'delete-chain'; name: string };

const T = `${TABLE_FAMILY} ${TABLE_NAME}`;
const ELEMENTS_PER_LINE = 1000;

function chunks<X>(xs: X[], n: number): X[][] {
  const out: X[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

const baseText = (b: BaseChain): string =>
  ` { type ${b.type} hook ${b.hook} priority ${b.priority} ; policy accept ; }`;

/** The nft script for these changes; `nft -f -` applies it as one transaction. */
export function opsToScript(ops: NftOp[]): string {
  const lines: string[] = [];
  for (const o of ops) {
    switch (o.op) {
      case 'add-table':
        lines.push(`add table ${T}`);
        break;
      case 'add-set':
        lines.push(`add ${o.set.kind} ${T} ${o.set.name} { ${o.set.spec} }`);
        break;
      case 'flush-set':
        lines.push(`flush ${o.kind} ${T} ${o.name}`);
        break;
      case 'delete-set':
        lines.push(`delete ${o.kind} ${T} ${o.name}`);
        break;
      case 'add-elements':
        for (const c of chunks(o.elements, ELEMENTS_PER_LINE))
          lines.push(`add element ${T} ${o.set} { ${c.map(([k, v]) => (v ? `${k} : ${v}` : k)).join(', ')} }`);
        break;
      case 'delete-elements':
        for (const c of chunks(o.keys, ELEMENTS_PER_LINE))
          lines.push(`delete element ${T} ${o.set} { ${c.join(', ')} }`);
        break;
      case 'add-chain':
        lines.push(`add chain ${T} ${o.name}${o.base ? baseText(o.base) : ''}`);
        break;
      case 'flush-chain':
        lines.push(`flush chain ${T} ${o.name}`);
        break;
      case 'add-rules':
        for (const r of o.rules) lines.push(`add rule ${T} ${o.chain} ${r}`);
        break;
      case 'delete-chain':
        lines.push(`delete chain ${T} ${o.name}`);
        break;
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** Names a rule or element value refers to: chains (jump/goto) and sets (@name). */
export function references(text: string): { chains: string[]; sets: string[] } {
  const chains = [...text.matchAll(/\b(?:jump|goto) ([^\s,}]+)/g)].map((m) => m[1]!);
  const sets = [...text.matchAll(/@([^\s,}]+)/g)].map((m) => m[1]!);
  return { chains, sets };
}

/**
 * Replays ops on a copy of the table, failing where the kernel would: a
 * missing chain or set, deleting a chain that still has rules or is
 * still referenced.
 */
export function applyOps(table: NftTable, ops: NftOp[]): NftTable {
  const t = cloneTable(table);
  const need = <X>(x: X | undefined, what: string): X => {
    if (x === undefined) throw new Error(`${what} does not exist`);
    return x;
  };
  const referenced = (name: string): boolean =>
    [...t.chains.values()].some((c) => c.rules.some((r) => references(r).chains.includes(name))) ||
    [...t.sets.values()].some((s) => [...s.elements.values()].some((v) => references(v).chains.includes(name)));
  for (const o of ops) {
    switch (o.op) {
      case 'add-table':
        break;
      case 'add-set':
        if (!t.sets.has(o.set.name)) t.sets.set(o.set.name, { ...o.set, elements: new Map() });
        break;
      case 'flush-set':
        need(t.sets.get(o.name), `set ${o.name}`).elements.clear();
        break;
      case 'delete-set':
        need(t.sets.get(o.name), `set ${o.name}`);
        t.sets.delete(o.name);
        break;
      case 'add-elements': {
        const s = need(t.sets.get(o.set), `set ${o.set}`);
        for (const [k, v] of o.elements) {
          for (const c of references(v).chains) need(t.chains.get(c), `chain ${c} (element ${k} of ${o.set})`);
          if (s.elements.has(k) && s.elements.get(k) !== v)
            throw new Error(`element ${k} of ${o.set} exists with another value`);
          s.elements.set(k, v);
        }
        break;
      }
      case 'delete-elements': {
        const s = need(t.sets.get(o.set), `set ${o.set}`);
        for (const k of o.keys) {
          need(s.elements.get(k), `element ${k} of ${o.set}`);
          s.elements.delete(k);
        }
        break;
      }
      case 'add-chain':
        if (!t.chains.has(o.name))
          t.chains.set(o.name, { name: o.name, rules: [], ...(o.base ? { base: o.base } : {}) });
        break;
      case 'flush-chain':
        need(t.chains.get(o.name), `chain ${o.name}`).rules = [];
        break;
      case 'add-rules': {
        const c = need(t.chains.get(o.chain), `chain ${o.chain}`);
        for (const r of o.rules) {
          const refs = references(r);
          for (const x of refs.chains) need(t.chains.get(x), `chain ${x} (rule in ${o.chain})`);
          for (const x of refs.sets) need(t.sets.get(x), `set ${x} (rule in ${o.chain})`);
          c.rules.push(r);
        }
        break;
      }
      case 'delete-chain': {
        const c = need(t.chains.get(o.name), `chain ${o.name}`);
        if (c.rules.length) throw new Error(`chain ${o.name} still has rules`);
        if (referenced(o.name)) throw new Error(`chain ${o.name} is still referenced`);
        t.chains.delete(o.name);
        break;
      }
    }
  }
  return t;
}
