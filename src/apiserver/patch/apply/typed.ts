/**
 * The typed view server-side apply takes of an object: which paths it has
 * (as FieldsV1 elements), which of them are members of its field set, and
 * the value at each leaf, following the schema's list types
 * (structured-merge-diff's ToFieldSet).
 */
import type { Schema } from '../../../api/schema/types.js';
import { errors } from '../../../api/errors.js';
import { isMap } from '../json-value.js';
import { deref, fieldSchema, isAtomicObject, itemSchema, listKind, type Resolve } from '../schema-nav.js';
import { fieldElement, keyElement, pathString, valueElement, type FieldPath } from './fieldpath.js';

/**
 * Defaults of list-map key fields published in Kubernetes' OpenAPI
 * (`protocol` of container and service ports defaults to TCP), so an item
 * that omits them matches the defaulted live item.
 */
const keyFieldDefaults: Record<string, unknown> = { protocol: 'TCP' };

/** One member path of an object with its value; `leaf` when nothing below it is tracked. */
export interface FieldEntry {
  path: FieldPath;
  value: unknown;
  leaf: boolean;
}

interface WalkOptions {
  /**
   * Reject map-list items that lack a key field (the applied configuration);
   * otherwise such a list is treated as atomic (objects already stored).
   */
  strictKeys: boolean;
}

/** The `k:` key fields of a map-list item, or undefined if a key field is missing. */
export function itemKey(item: unknown, keys: string[]): Record<string, unknown> | undefined {
  if (!isMap(item)) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = item[k] ?? keyFieldDefaults[k];
    if (v === undefined || v === null) return undefined;
    out[k] = v;
  }
  return out;
}

/** Every member path of `value` under `schema`, keyed by path key. */
export function fieldEntries(
  value: unknown,
  schema: Schema | undefined,
  resolve: Resolve,
  opts: WalkOptions,
): Map<string, FieldEntry> {
  const out = new Map<string, FieldEntry>();
  const add = (path: FieldPath, v: unknown, leaf: boolean) => out.set(JSON.stringify(path), { path, value: v, leaf });

  const walk = (v: unknown, s: Schema | undefined, path: FieldPath): void => {
    const d = deref(s, resolve);
    if (v === null || v === undefined) {
      add(path, null, true);
      return;
    }
    if (Array.isArray(v)) {
      const lk = listKind(d, resolve);
      if (lk.kind === 'set') {
        for (const item of v) add([...path, valueElement(item)], item, true);
        return;
      }
      if (lk.kind === 'map') {
        const keyed = v.map((item) => itemKey(item, lk.keys));
        const missing = keyed.findIndex((k) => k === undefined);
        if (missing < 0) {
          const is = itemSchema(d, resolve);
          v.forEach((item, i) => {
            const p = [...path, keyElement(keyed[i]!)];
            walkChildren(item, is, p);
            add(p, item, false);
          });
          return;
        }
        if (opts.strictKeys) {
          const lacking = lk.keys.find((k) => itemKey(v[missing], [k]) === undefined) ?? lk.keys[0];
          throw errors.badRequest(
            `failed to create typed patch object: ${pathString(path)}: element ${missing}: associative list with keys has an element that omits key field ${JSON.stringify(lacking)} (and doesn't have default value)`,
          );
        }
      }
      add(path, v, true);
      return;
    }
    if (isMap(v) && d && !isAtomicObject(d, resolve) && (d.type === 'object' || d.type === 'map' || d.type === 'any')) {
      walkChildren(v, d, path);
      return;
    }
    if (isMap(v) && !d) {
      walkChildren(v, { type: 'any' }, path);
      return;
    }
    add(path, v, true);
  };

  const walkChildren = (v: unknown, s: Schema | undefined, path: FieldPath): void => {
    if (!isMap(v)) return;
    const d = deref(s, resolve);
    for (const [k, child] of Object.entries(v)) {
      if (child === undefined) continue;
      const declared = d?.type === 'object' && Object.prototype.hasOwnProperty.call(d.properties, k);
      const p = [...path, fieldElement(k)];
      const before = out.size;
      walk(child, fieldSchema(d, k, resolve), p);
      // A declared struct field is a member only when null or an empty object; map entries always are.
      const emptyMap = isMap(child) && Object.keys(child).length === 0;
      if ((child === null || emptyMap || !declared) && !out.has(JSON.stringify(p))) add(p, child, out.size === before);
    }
  };

  walkChildren(value, schema, []);
  return out;
}
