/**
 * Observed vs desired dataplane -> the smallest list of kernel changes, in
 * an order that never sends a packet into a half-made path: stale routes go
 * first, stale FDB remotes next (so a MAC never has two destinations), then
 * FDB and neighbour entries are written before the routes that use them,
 * and stale neighbours go last. Pure.
 */
import type { Change, Dataplane, FdbEntry, NeighEntry, RouteEntry } from './types.js';

interface KindRules<T> {
  key(e: T): string;
  /** True when the observed entry already is the desired one. */
  same(desired: T, observed: T): boolean;
  /** True when `replace desired` overwrites `observed` in place (same kernel key). */
  overwrites(desired: T, observed: T): boolean;
}

const routeRules: KindRules<RouteEntry> = {
  key: (r) => r.dst,
  same: (d, o) => d.via === o.via && d.dev === o.dev && d.onlink === o.onlink && !o.metric,
  // The kernel keys routes by (dst, tos, metric, table): ours have metric 0.
  overwrites: (_d, o) => !o.metric,
};

const neighRules: KindRules<NeighEntry> = {
  key: (n) => `${n.dev}/${n.ip}`,
  same: (d, o) => d.mac.toLowerCase() === o.mac.toLowerCase(),
  overwrites: () => true,
};

const fdbRules: KindRules<FdbEntry> = {
  key: (f) => `${f.dev}/${f.mac.toLowerCase()}`,
  same: (d, o) => d.dst === o.dst,
  // A VXLAN FDB entry may hold several remotes; replace rewrites one of them, so only a lone one is overwritten predictably.
  overwrites: () => true,
};

interface KindDiff<T> {
  replace: T[];
  del: T[];
}

function diffKind<T>(desired: readonly T[], observed: readonly T[], rules: KindRules<T>): KindDiff<T> {
  const byKey = new Map<string, T[]>();
  for (const o of observed) {
    const k = rules.key(o);
    byKey.set(k, [...(byKey.get(k) ?? []), o]);
  }
  const out: KindDiff<T> = { replace: [], del: [] };
  const wanted = new Set<string>();
  for (const d of desired) {
    const k = rules.key(d);
    if (wanted.has(k)) continue; // the desired function never makes duplicates; be safe anyway
    wanted.add(k);
    const group = byKey.get(k) ?? [];
    const match = group.find((o) => rules.same(d, o));
    if (match) {
      out.del.push(...group.filter((o) => o !== match));
    } else if (group.length === 1 && rules.overwrites(d, group[0]!)) {
      out.replace.push(d);
    } else {
      out.del.push(...group);
      out.replace.push(d);
    }
  }
  for (const [k, group] of byKey) if (!wanted.has(k)) out.del.push(...group);
  return out;
}

export function diffDataplane(desired: Dataplane, observed: Dataplane): Change[] {
  const routes = diffKind(desired.routes, observed.routes, routeRules);
  const neighs = diffKind(desired.neighs, observed.neighs, neighRules);
  const fdb = diffKind(desired.fdb, observed.fdb, fdbRules);
  return [
    ...routes.del.map((entry): Change => ({ kind: 'route', op: 'del', entry })),
    ...fdb.del.map((entry): Change => ({ kind: 'fdb', op: 'del', entry })),
    ...fdb.replace.map((entry): Change => ({ kind: 'fdb', op: 'replace', entry })),
    ...neighs.replace.map((entry): Change => ({ kind: 'neigh', op: 'replace', entry })),
    ...routes.replace.map((entry): Change => ({ kind: 'route', op: 'replace', entry })),
    ...neighs.del.map((entry): Change => ({ kind: 'neigh', op: 'del', entry })),
  ];
}
