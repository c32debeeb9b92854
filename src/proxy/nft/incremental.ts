/**
 * What the `ip podnet` table holds, per service port (kube-proxy's
 * "previously applied state"), so an incremental sync costs O(change):
 * plan() compares only the changed ports' old and new fragments and emits
 * their chains, affinity sets and map/set elements, and creates or
 * removes a spread pool when its first port joins or its last leaves (pools
 * are counted by their users). Shared elements (a
 * hairpin pair two Services use) are reference-counted by owner; when two
 * ports claim one key, the highest port id wins, as in the full render.
 * Pure (no I/O); the backend drops it after a failed transaction.
 */
import type { PortChange } from '../changes.js';
import type { ProxyNode, ProxyState } from '../types.js';
import { renderPort, type PortFragment } from './fragments.js';
import { ruleCount } from './model.js';
import { sharedSetKind } from './names.js';
import type { NftOp } from './ops.js';
import { renderNft } from './render.js';
import { SPREAD_POOL_RULES, spreadPoolParts } from './spread-pool.js';

/**
 * Who wants an element, and the value each wants: nearly every key has one
 * owner, kept as its fragment (which holds the value); a Map of id -> value
 * only for keys two ports share. Nothing is allocated per element: recording
 * a 100,000-element full sync runs while the kernel loads it, and an object
 * per element made it the longer of the two.
 */
type Owners = PortFragment | Map<string, string>;

/** The value a fragment gives a key of a set: its last write, as in the full render (a fragment has a dozen elements). */
function valueIn(f: PortFragment, set: string, key: string): string | undefined {
  for (let i = f.elements.length - 1; i >= 0; i--) {
    const e = f.elements[i]!;
    if (e[1] === key && e[0] === set) return e[2];
  }
  return undefined;
}

export class AppliedNftTable {
  private readonly fragments = new Map<string, PortFragment>();
  /** set name -> element key -> owners. */
  private readonly owners = new Map<string, Map<string, Owners>>();
  /** Spread pool -> how many ports use it: it exists while that is above 0. */
  private readonly poolUsers = new Map<string, number>();
  private fixedRules = 0;
  private portRules = 0;

  /** After a full sync of `state`. */
  constructor(state: ProxyState) {
    this.fixedRules = ruleCount(renderNft({ node: state.node, ports: [] }));
    for (const p of state.ports) this.own(p.id, renderPort(p, state.node));
  }

  get rules(): number {
    return this.fixedRules + this.portRules + this.poolUsers.size * SPREAD_POOL_RULES;
  }

  /** The ops that take the table from what was applied to the changes' `next` states; records them as applied. */
  plan(changes: PortChange[], node: ProxyNode): NftOp[] {
    const before = changes.map((c) => this.fragments.get(c.id));
    const after = changes.map((c) => (c.next ? renderPort(c.next, node) : undefined));
    // Element keys these ports touch, with the value each had in the table before.
    const touched = new Map<string, Map<string, string | undefined>>();
    for (const f of [...before, ...after]) {
      for (const [set, k] of f?.elements ?? []) {
        const m = touched.get(set) ?? new Map<string, string | undefined>();
        if (!m.has(k)) m.set(k, this.value(set, k));
        touched.set(set, m);
      }
    }
    const poolsBefore = new Set(this.poolUsers.keys());
    changes.forEach((c, i) => {
      if (before[i]) this.disown(c.id, before[i]);
      if (after[i]) this.own(c.id, after[i]);
    });

    const ops: NftOp[] = [];
    // A pool's map and chains come before the elements that lead to them, and go after those are gone.
    const newPools = [...this.poolUsers.keys()]
      .filter((pool) => !poolsBefore.has(pool))
      .map((pool) => spreadPoolParts(pool, node.clusterCidr));
    const gonePools = [...poolsBefore]
      .filter((pool) => !this.poolUsers.has(pool))
      .map((pool) => spreadPoolParts(pool, node.clusterCidr));
    for (const { map, chains } of newPools) {
      ops.push({ op: 'add-set', set: { name: map.name, kind: map.kind, spec: map.spec, dynamic: false } });
      for (const c of chains)
        ops.push({ op: 'add-chain', name: c.name }, { op: 'add-rules', chain: c.name, rules: c.rules });
    }
    const oldChains = new Map(before.flatMap((f) => f?.chains ?? []).map((c) => [c.name, c]));
    const newChains = after.flatMap((f) => f?.chains ?? []);
    const newChainNames = new Set(newChains.map((c) => c.name));
    const oldSets = new Set(before.flatMap((f) => f?.sets ?? []).map((s) => s.name));
    const newSets = after.flatMap((f) => f?.sets ?? []);
    const newSetNames = new Set(newSets.map((s) => s.name));
    // Create what new rules refer to, rewrite chains, swap elements, then remove what nothing refers to.
    for (const s of newSets)
      if (!oldSets.has(s.name))
        ops.push({ op: 'add-set', set: { name: s.name, kind: s.kind, spec: s.spec, dynamic: s.dynamic } });
    for (const c of newChains) if (!oldChains.has(c.name)) ops.push({ op: 'add-chain', name: c.name });
    for (const c of newChains) {
      const old = oldChains.get(c.name);
      if (old && sameRules(old.rules, c.rules)) continue;
      if (old) ops.push({ op: 'flush-chain', name: c.name });
      if (c.rules.length) ops.push({ op: 'add-rules', chain: c.name, rules: c.rules });
    }
    for (const [set, keys] of touched) {
      const kind = sharedSetKind(set);
      const del: string[] = [];
      const add: [string, string][] = [];
      for (const [k, was] of keys) {
        const now = this.value(set, k);
        if (was === now) continue;
        if (was !== undefined) del.push(k);
        if (now !== undefined) add.push([k, now]);
      }
      if (del.length) ops.push({ op: 'delete-elements', set, kind, keys: del });
      if (add.length) ops.push({ op: 'add-elements', set, kind, elements: add });
    }
    const gone = [...oldChains.values()].filter((c) => !newChainNames.has(c.name));
    for (const c of gone) if (c.rules.length) ops.push({ op: 'flush-chain', name: c.name });
    for (const c of gone) ops.push({ op: 'delete-chain', name: c.name });
    for (const name of oldSets) if (!newSetNames.has(name)) ops.push({ op: 'delete-set', name, kind: 'set' });
    for (const { map, chains } of gonePools) {
      for (const c of chains) ops.push({ op: 'flush-chain', name: c.name });
      for (const c of chains) ops.push({ op: 'delete-chain', name: c.name });
      ops.push({ op: 'delete-set', name: map.name, kind: 'map' });
    }
    return ops;
  }

  /** The value the table holds for a key: the highest-id owner's (the full render's last write). */
  private value(set: string, key: string): string | undefined {
    const o = this.owners.get(set)?.get(key);
    if (!o) return undefined;
    if (!(o instanceof Map)) return valueIn(o, set, key);
    let best: string | undefined;
    for (const id of o.keys()) if (best === undefined || id > best) best = id;
    return best === undefined ? undefined : o.get(best);
  }

  private own(id: string, f: PortFragment): void {
    this.fragments.set(id, f);
    this.portRules += f.chains.reduce((n, c) => n + c.rules.length, 0);
    for (const pool of f.pools) this.poolUsers.set(pool, (this.poolUsers.get(pool) ?? 0) + 1);
    // Indexed, not destructured: a full sync records 120,000 elements here, mostly before V8 optimises this loop.
    let set = '';
    let keys: Map<string, Owners> | undefined;
    for (let i = 0; i < f.elements.length; i++) {
      const e = f.elements[i]!;
      if (e[0] !== set || !keys) {
        set = e[0];
        keys = this.owners.get(set);
        if (!keys) this.owners.set(set, (keys = new Map<string, Owners>()));
      }
      const k = e[1];
      const o = keys.get(k);
      if (!o || (!(o instanceof Map) && o.id === id)) keys.set(k, f);
      else if (o instanceof Map) o.set(id, e[2]);
      else
        keys.set(
          k,
          new Map([
            [o.id, valueIn(o, set, k)!],
            [id, e[2]],
          ]),
        );
    }
  }

  private disown(id: string, f: PortFragment): void {
    this.fragments.delete(id);
    this.portRules -= f.chains.reduce((n, c) => n + c.rules.length, 0);
    for (const pool of f.pools) {
      const n = (this.poolUsers.get(pool) ?? 0) - 1;
      if (n > 0) this.poolUsers.set(pool, n);
      else this.poolUsers.delete(pool);
    }
    for (const [set, k] of f.elements) {
      const keys = this.owners.get(set);
      const o = keys?.get(k);
      if (!o) continue;
      if (!(o instanceof Map)) {
        if (o.id === id) keys!.delete(k);
        continue;
      }
      o.delete(id);
      // One owner left: back to its fragment (owners are found by id among the recorded fragments).
      if (o.size === 1) keys!.set(k, this.fragments.get([...o.keys()][0]!)!);
      else if (!o.size) keys!.delete(k);
    }
  }
}

const sameRules = (a: string[], b: string[]): boolean =>
  a === b || (a.length === b.length && a.every((r, i) => r === b[i]));
