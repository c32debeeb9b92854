/**
 * The field set a manager owns after creating an object, computed in one
 * walk. On create nothing was there before, so every member path of the new
 * object is "added": the general path (fieldEntries of both sides, compare,
 * FieldSet unions, then a tree for FieldsV1) gives the same set at several
 * times the cost. This builds the FieldsV1 tree directly, following exactly
 * the member rules of fieldEntries (typed.ts) with strictKeys off.
 */
import type { Schema } from '../../../api/schema/types.js';
import { isMap } from '../json-value.js';
import { deref, fieldSchema, isAtomicObject, itemSchema, listKind, type Resolve } from '../schema-nav.js';
import { comparePathElements, fieldElement, keyElement, valueElement, type FieldPath } from './fieldpath.js';
import { itemKey } from './typed.js';

interface TreeNode {
  member: boolean;
  children: Map<string, TreeNode>;
}

const newNode = (): TreeNode => ({ member: false, children: new Map() });

function childOf(node: TreeNode, element: string): TreeNode {
  let c = node.children.get(element);
  if (!c) node.children.set(element, (c = newNode()));
  return c;
}

/**
 * FieldsV1 of every member path of `value` (managedFields already left out)
 * that `keep` accepts; undefined when there is none.
 */
export function createdFieldsV1(
  value: unknown,
  schema: Schema,
  resolve: Resolve,
  keep: (p: FieldPath) => boolean,
): Record<string, unknown> | undefined {
  const root = newNode();
  walkChildren(value, schema, root, resolve);
  if (!filter(root, [], keep)) return undefined;
  return emit(root, false);
}

function walk(v: unknown, s: Schema | undefined, node: TreeNode, resolve: Resolve): void {
  const d = deref(s, resolve);
  if (v === null || v === undefined) {
    node.member = true;
    return;
  }
  if (Array.isArray(v)) {
    const lk = listKind(d, resolve);
    if (lk.kind === 'set') {
      for (const item of v) childOf(node, valueElement(item)).member = true;
      return;
    }
    if (lk.kind === 'map') {
      const keyed = v.map((item) => itemKey(item, lk.keys));
      if (keyed.every((k) => k !== undefined)) {
        const is = itemSchema(d, resolve);
        v.forEach((item, i) => {
          const c = childOf(node, keyElement(keyed[i]!));
          walkChildren(item, is, c, resolve);
          c.member = true;
        });
        return;
      }
    }
    node.member = true;
    return;
  }
  if (isMap(v) && d && !isAtomicObject(d, resolve) && (d.type === 'object' || d.type === 'map' || d.type === 'any')) {
    walkChildren(v, d, node, resolve);
    return;
  }
  if (isMap(v) && !d) {
    walkChildren(v, { type: 'any' }, node, resolve);
    return;
  }
  node.member = true;
}

function walkChildren(v: unknown, s: Schema | undefined, node: TreeNode, resolve: Resolve): void {
  if (!isMap(v)) return;
  const d = deref(s, resolve);
  for (const k of Object.keys(v)) {
    const child = v[k];
    if (child === undefined) continue;
    const declared = d?.type === 'object' && Object.prototype.hasOwnProperty.call(d.properties, k);
    const c = childOf(node, fieldElement(k));
    walk(child, fieldSchema(d, k, resolve), c, resolve);
    // A declared struct field is a member only when null or an empty object; map entries always are.
    const emptyMap = isMap(child) && Object.keys(child).length === 0;
    if (child === null || emptyMap || !declared) c.member = true;
  }
}

/** Drops members `keep` refuses and nodes left with nothing below; true if anything is left. */
function filter(node: TreeNode, path: FieldPath, keep: (p: FieldPath) => boolean): boolean {
  for (const [e, c] of node.children) {
    path.push(e);
    if (c.member && !keep(path)) c.member = false;
    if (!filter(c, path, keep) && !c.member) node.children.delete(e);
    path.pop();
  }
  return node.children.size > 0;
}

/** FieldSet.toFieldsV1's shape: sorted elements, `{}` for leaves, `".": {}` for members with members below. */
function emit(node: TreeNode, includeSelf: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (includeSelf && node.member && node.children.size) o['.'] = {};
  for (const e of [...node.children.keys()].sort(comparePathElements)) {
    const c = node.children.get(e)!;
    o[e] = c.children.size ? emit(c, true) : {};
  }
  return o;
}
