/**
 * Navigation of the Schema DSL for patching: the schema of a field, of a
 * list's items, and what kind of list a field is for strategic merge and
 * server-side apply. Unknown fields yield `undefined` (treated as untyped).
 */
import type { ArraySchema, Schema } from '../../api/schema/types.js';

/** Follows refs to a concrete schema (the registry's `resolve`). */
export type Resolve = (s: Schema) => Schema;

/** The concrete schema behind `s`, following refs; undefined stays undefined. */
export function deref(s: Schema | undefined, resolve: Resolve): Schema | undefined {
  let cur = s;
  // Refs may chain; a registry never defines a ref to itself, the bound only guards a broken registry.
  for (let i = 0; cur && cur.type === 'ref' && i < 32; i++) cur = resolve(cur);
  return cur;
}

/** Schema of `key` inside an object or map value; undefined for unknown fields. */
export function fieldSchema(parent: Schema | undefined, key: string, resolve: Resolve): Schema | undefined {
  const p = deref(parent, resolve);
  if (!p) return undefined;
  if (p.type === 'object') return deref(p.properties[key], resolve);
  if (p.type === 'map') return deref(p.values, resolve);
  if (p.type === 'any') return p;
  return undefined;
}

/** Schema of the items of a list field. */
export function itemSchema(list: Schema | undefined, resolve: Resolve): Schema | undefined {
  const l = deref(list, resolve);
  if (!l) return undefined;
  if (l.type === 'array') return deref(l.items, resolve);
  if (l.type === 'any') return l;
  return undefined;
}

function asArraySchema(s: Schema | undefined, resolve: Resolve): ArraySchema | undefined {
  const d = deref(s, resolve);
  return d && d.type === 'array' ? d : undefined;
}

/** Strategic merge: does the list merge (patchStrategy contains "merge"), and by which key. */
export function smpListStrategy(s: Schema | undefined, resolve: Resolve): { merge: boolean; mergeKey: string } {
  const a = asArraySchema(s, resolve);
  if (!a || !a.patchStrategy) return { merge: false, mergeKey: '' };
  return { merge: a.patchStrategy.split(',').includes('merge'), mergeKey: a.mergeKey ?? '' };
}

/** How server-side apply treats a list (x-kubernetes-list-type, with strategic-merge metadata as fallback). */
type ListKind = { kind: 'atomic' } | { kind: 'set' } | { kind: 'map'; keys: string[] };

export function listKind(s: Schema | undefined, resolve: Resolve): ListKind {
  const a = asArraySchema(s, resolve);
  if (!a) return { kind: 'atomic' };
  if (a.listType === 'map') {
    const keys = a.listMapKeys ?? (a.mergeKey ? [a.mergeKey] : []);
    return keys.length ? { kind: 'map', keys } : { kind: 'atomic' };
  }
  if (a.listType === 'set') return { kind: 'set' };
  if (a.listType === 'atomic') return { kind: 'atomic' };
  // No list type: kube's published schemas carry one wherever a merge strategy exists, so derive it.
  const { merge, mergeKey } = smpListStrategy(a, resolve);
  if (merge && mergeKey) return { kind: 'map', keys: [mergeKey] };
  if (merge) {
    const it = deref(a.items, resolve);
    if (it && it.type !== 'object' && it.type !== 'map' && it.type !== 'array') return { kind: 'set' };
  }
  return { kind: 'atomic' };
}

/** True for schemas whose values server-side apply treats as one unit. */
export function isAtomicObject(s: Schema | undefined, resolve: Resolve): boolean {
  const d = deref(s, resolve);
  return !!d && d.type === 'object' && d.atomic === true;
}
