/**
 * Merging an applied configuration into the live object the way
 * structured-merge-diff does: maps and structs field by field, map-type
 * lists item by item (by key), sets as a union, atomic values replaced.
 * List order: items of the configuration in its order, live-only items kept
 * where they were.
 */
import type { Schema } from '../../../api/schema/types.js';
import { clone, isMap } from '../json-value.js';
import { deref, fieldSchema, isAtomicObject, itemSchema, listKind, type Resolve } from '../schema-nav.js';
import { keyElement, valueElement } from './fieldpath.js';
import { itemKey } from './typed.js';

/** live merged with config (neither modified). A null in config removes the field. */
export function mergeApplied(live: unknown, config: unknown, schema: Schema | undefined, resolve: Resolve): unknown {
  if (config === undefined) return clone(live);
  const d = deref(schema, resolve);
  if (
    isMap(live) &&
    isMap(config) &&
    !isAtomicObject(d, resolve) &&
    (!d || d.type === 'object' || d.type === 'map' || d.type === 'any')
  ) {
    const out: Record<string, unknown> = clone(live);
    for (const [k, v] of Object.entries(config)) {
      if (v === null) delete out[k];
      else if (v !== undefined) out[k] = mergeApplied(live[k], v, fieldSchema(d, k, resolve), resolve);
    }
    return out;
  }
  if (Array.isArray(live) && Array.isArray(config)) {
    const lk = listKind(d, resolve);
    if (lk.kind === 'set')
      return mergeLists(
        live,
        config,
        (v) => valueElement(v),
        (l, r) => clone(r ?? l),
      );
    if (lk.kind === 'map') {
      const id = (v: unknown) => {
        const k = itemKey(v, lk.keys);
        return k ? keyElement(k) : undefined;
      };
      if (live.every((v) => id(v) !== undefined) && config.every((v) => id(v) !== undefined)) {
        const is = itemSchema(d, resolve);
        return mergeLists(
          live,
          config,
          (v) => id(v)!,
          (l, r) => (r === undefined ? clone(l) : mergeApplied(l, r, is, resolve)),
        );
      }
    }
  }
  return clone(config);
}

/**
 * Interleaves two keyed lists: walk both, emitting shared items when the
 * configuration reaches them, live-only items in place, new items where the
 * configuration puts them.
 */
function mergeLists(
  lhs: unknown[],
  rhs: unknown[],
  id: (v: unknown) => string,
  merge: (l: unknown, r: unknown) => unknown,
): unknown[] {
  const lIds = lhs.map(id);
  const rIds = rhs.map(id);
  const lhsBy = new Map<string, unknown>();
  lhs.forEach((v, i) => {
    if (!lhsBy.has(lIds[i]!)) lhsBy.set(lIds[i]!, v);
  });
  const rhsBy = new Map<string, unknown>();
  rhs.forEach((v, i) => {
    if (!rhsBy.has(rIds[i]!)) rhsBy.set(rIds[i]!, v);
  });
  const shared = rIds.filter((r) => lhsBy.has(r));
  let nextShared = shared.shift();
  const advance = (pe: string) => {
    if (nextShared === pe) nextShared = shared.shift();
  };
  const done = new Set<string>();
  const out: unknown[] = [];
  let l = 0;
  let r = 0;
  while (l < lhs.length || r < rhs.length) {
    if (l < lhs.length && r < rhs.length) {
      const pe = lIds[l]!;
      if (pe === rIds[r]) {
        if (!done.has(pe)) out.push(merge(lhsBy.get(pe), rhsBy.get(pe)));
        done.add(pe);
        advance(pe);
        l++;
        r++;
        continue;
      }
      if (rhsBy.has(pe) && nextShared !== undefined && nextShared !== pe) {
        l++; // shared, but the configuration places it later
        continue;
      }
    }
    if (l < lhs.length) {
      const pe = lIds[l]!;
      if (!rhsBy.has(pe)) {
        out.push(merge(lhs[l], undefined));
        l++;
        continue;
      }
      if (done.has(pe)) {
        l++;
        continue;
      }
    }
    if (r < rhs.length) {
      const pe = rIds[r]!;
      if (!done.has(pe)) out.push(merge(lhsBy.get(pe), rhsBy.get(pe)));
      done.add(pe);
      advance(pe);
      r++;
    }
  }
  return out;
}
