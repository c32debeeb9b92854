/**
 * The full-sync change that rebuilds everything in one transaction while
 * keeping affinity sets and never leaving a moment without rules; and
 * the smallest ordered change between two whole tables (O(table): the
 * proxy's incremental syncs use incremental.ts, which looks only at the
 * changed ports; tests use this one as the reference). Pure.
 */
import type { NftSet, NftTable } from './model.js';
import type { NftOp } from './ops.js';

const sameRules = (a: string[], b: string[]): boolean =>
  a === b || (a.length === b.length && a.every((r, i) => r === b[i]));
const setHeader = (s: NftSet): Omit<NftSet, 'elements'> => ({
  name: s.name,
  kind: s.kind,
  spec: s.spec,
  dynamic: s.dynamic,
});

/**
 * Order matters inside one transaction: create what new rules refer to,
 * then rewrite chains and elements, and only then remove what nothing
 * refers to any more.
 */
export function diffTables(prev: NftTable, next: NftTable): NftOp[] {
  const ops: NftOp[] = [];
  for (const s of next.sets.values()) if (!prev.sets.has(s.name)) ops.push({ op: 'add-set', set: setHeader(s) });
  for (const c of next.chains.values())
    if (!prev.chains.has(c.name)) ops.push({ op: 'add-chain', name: c.name, ...(c.base ? { base: c.base } : {}) });
  for (const c of next.chains.values()) {
    const old = prev.chains.get(c.name);
    if (old && sameRules(old.rules, c.rules)) continue;
    if (old) ops.push({ op: 'flush-chain', name: c.name });
    if (c.rules.length) ops.push({ op: 'add-rules', chain: c.name, rules: c.rules });
  }
  for (const s of next.sets.values()) {
    if (s.dynamic) continue;
    const old = prev.sets.get(s.name)?.elements ?? new Map<string, string>();
    const del = [...old].filter(([k, v]) => s.elements.get(k) !== v).map(([k]) => k);
    const add = [...s.elements].filter(([k, v]) => old.get(k) !== v);
    if (del.length) ops.push({ op: 'delete-elements', set: s.name, kind: s.kind, keys: del });
    if (add.length) ops.push({ op: 'add-elements', set: s.name, kind: s.kind, elements: add });
  }
  const goneChains = [...prev.chains.keys()].filter((n) => !next.chains.has(n));
  for (const name of goneChains) if (prev.chains.get(name)!.rules.length) ops.push({ op: 'flush-chain', name });
  for (const name of goneChains) ops.push({ op: 'delete-chain', name });
  for (const s of prev.sets.values())
    if (!next.sets.has(s.name)) ops.push({ op: 'delete-set', name: s.name, kind: s.kind });
  return ops;
}

/** What the kernel has in our table, by name (read before a full sync). */
export interface ExistingNames {
  chains: string[];
  sets: { name: string; kind: 'set' | 'map' }[];
}

/**
 * Rebuild the whole table in one transaction: every chain and map is
 * flushed and refilled (so whatever someone changed by hand is undone),
 * affinity sets keep their entries, and anything else in the table is
 * removed. Established connections live in conntrack and are untouched.
 */
export function fullSyncOps(next: NftTable, existing: ExistingNames): NftOp[] {
  const ops: NftOp[] = [{ op: 'add-table' }];
  const had = new Set(existing.chains);
  for (const s of next.sets.values()) ops.push({ op: 'add-set', set: setHeader(s) });
  for (const c of next.chains.values())
    ops.push({ op: 'add-chain', name: c.name, ...(c.base ? { base: c.base } : {}) });
  // Stale chains go too; the flush below empties whatever referenced them first.
  const stale = existing.chains.filter((n) => !next.chains.has(n));
  for (const s of next.sets.values()) if (!s.dynamic) ops.push({ op: 'flush-set', name: s.name, kind: s.kind });
  for (const s of existing.sets)
    if (!next.sets.has(s.name) && s.kind === 'map') ops.push({ op: 'flush-set', name: s.name, kind: s.kind });
  for (const c of next.chains.values()) if (had.has(c.name)) ops.push({ op: 'flush-chain', name: c.name });
  for (const name of stale) ops.push({ op: 'flush-chain', name });
  for (const c of next.chains.values())
    if (c.rules.length) ops.push({ op: 'add-rules', chain: c.name, rules: c.rules });
  for (const s of next.sets.values())
    if (!s.dynamic && s.elements.size)
      ops.push({ op: 'add-elements', set: s.name, kind: s.kind, elements: [...s.elements] });
  for (const name of stale) ops.push({ op: 'delete-chain', name });
  for (const s of existing.sets) if (!next.sets.has(s.name)) ops.push({ op: 'delete-set', name: s.name, kind: s.kind });
  return ops;
}

interface SplitFullSync {
  /** Tables, sets, chains and rules: one `nft -f` transaction. */
  structure: NftOp[];
  /** Flushes and refills of the sets that stay: one netlink transaction. */
  elements: Extract<NftOp, { op: 'flush-set' | 'add-elements' }>[];
  /** What is removed (flushed and deleted stale chains and sets): one more `nft -f`, once nothing refers to it. */
  removals: NftOp[];
}

/**
 * fullSyncOps cut into three transactions, each valid on its own and in
 * this order: the new structure (old elements still route as before),
 * every set's elements replaced at once, then the stale chains and sets
 * that only the old elements referred to.
 */
export function splitFullSync(ops: NftOp[]): SplitFullSync {
  const goneChains = new Set(ops.flatMap((o) => (o.op === 'delete-chain' ? [o.name] : [])));
  const goneSets = new Set(ops.flatMap((o) => (o.op === 'delete-set' ? [o.name] : [])));
  const out: SplitFullSync = { structure: [], elements: [], removals: [] };
  for (const o of ops) {
    if ((o.op === 'flush-chain' || o.op === 'delete-chain') && goneChains.has(o.name)) out.removals.push(o);
    else if ((o.op === 'flush-set' || o.op === 'delete-set') && goneSets.has(o.name)) out.removals.push(o);
    else if (o.op === 'flush-set' || o.op === 'add-elements') out.elements.push(o);
    else out.structure.push(o);
  }
  return out;
}
