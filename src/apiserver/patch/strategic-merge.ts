/**
 * Kubernetes strategic merge patch (application/strategic-merge-patch+json),
 * following the semantics of apimachinery's pkg/util/strategicpatch as the
 * API server runs it (MergeParallelList and IgnoreUnmatchedNulls on):
 *  - maps merge recursively; null deletes a key;
 *  - lists whose patchStrategy contains "merge" merge: maps by mergeKey,
 *    primitives as a deduplicated union; other lists are replaced;
 *  - directives: `$patch: replace|delete` in maps, `$patch: replace|delete`
 *    items in merging lists, `$deleteFromPrimitiveList/<field>`,
 *    `$setElementOrder/<field>` and `$retainKeys`.
 * Errors carry the codes kube-apiserver gives (interpretStrategicMergePatchError):
 * format errors 400, lists of lists 422, anything else 500 with the raw text.
 */
import type { Schema } from '../../api/schema/types.js';
import { ApiError, errors } from '../../api/errors.js';
import { clone, goFormat, goJsonKind, isMap, jsonEqual, type JsonMap } from './json-value.js';
import { fieldSchema, itemSchema, smpListStrategy, type Resolve } from './schema-nav.js';

const directiveMarker = '$patch';
const retainKeysDirective = '$retainKeys';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';
const setElementOrderPrefix = '$setElementOrder';

/** Messages of apimachinery's mergepatch errors that kube maps to 400. */
const badRequestMessages = {
  badJSONDoc: 'invalid JSON document',
  primitiveList: 'invalid patch format of primitive list',
  retainKeys: 'invalid patch format of retainKeys',
  setElementOrder: 'invalid patch format of setElementOrder list',
};

/**
 * Errors kube does not translate (its client sees a 500 with the raw text):
 * the patch is at fault, so podnet answers 400 with the same text.
 */
function rawError(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

const noListOfLists = () =>
  new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
const noMergeKey = (m: JsonMap, key: string) =>
  rawError(`map: ${goFormat(m)} does not contain declared merge key: ${key}`);
const badArgType = (expected: string, actual: unknown) =>
  rawError(`expected a ${expected}, but received a ${goType(actual)}`);
const badPatchType = (t: unknown, m: JsonMap) => rawError(`unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`);

function goType(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (Array.isArray(v)) return '[]interface {}';
  if (isMap(v)) return 'map[string]interface {}';
  if (typeof v === 'number') return 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

/**
 * Applies a strategic merge patch to `original` (neither is modified) using
 * the patch metadata of `schema` (the object's top-level schema). Throws
 * ApiError for malformed patches.
 */
export function strategicMergePatch(original: unknown, patch: unknown, schema: Schema, resolve: Resolve): unknown {
  if (!isMap(patch)) {
    throw errors.badRequest(
      `json: cannot unmarshal ${goJsonKind(patch)} into Go value of type map[string]interface {}`,
    );
  }
  if (!isMap(original)) throw errors.badRequest(badRequestMessages.badJSONDoc);
  return new Merger(resolve).mergeMap(clone(original), clone(patch), schema);
}

type Kind = 'map' | 'slice' | 'scalar';
const kindOf = (v: unknown): Kind => (Array.isArray(v) ? 'slice' : isMap(v) ? 'map' : 'scalar');

class Merger {
  constructor(private readonly resolve: Resolve) {}

  mergeMap(original: JsonMap | undefined, patch: JsonMap, schema: Schema | undefined): JsonMap {
    if (Object.prototype.hasOwnProperty.call(patch, directiveMarker))
      return this.directiveInMap(patch[directiveMarker], patch, schema);
    const out = original ?? {};
    applyRetainKeys(out, patch);
    this.mergeSetElementOrder(out, patch, schema);

    for (const [rawKey, patchV] of Object.entries(patch)) {
      let key = rawKey;
      let isDeleteList = false;
      if (rawKey.startsWith(deleteFromPrimitiveListPrefix)) {
        key = extractKey(rawKey, deleteFromPrimitiveListPrefix);
        isDeleteList = true;
      }
      if (patchV === null) {
        delete out[key];
        continue;
      }
      const fs = fieldSchema(schema, key, this.resolve);
      if (!Object.prototype.hasOwnProperty.call(out, key)) {
        // Deleting from a list that is not there changes nothing.
        if (!isDeleteList) out[key] = this.fresh(patchV, fs);
        continue;
      }
      const originalV = out[key];
      if (kindOf(originalV) !== kindOf(patchV)) {
        out[key] = this.fresh(patchV, fs);
        continue;
      }
      if (isMap(originalV)) out[key] = this.mergeMap(originalV, patchV as JsonMap, fs);
      else if (Array.isArray(originalV))
        out[key] = this.mergeSliceField(originalV, patchV as unknown[], fs, isDeleteList);
      else out[key] = patchV;
    }
    return out;
  }

  /**
   * A patch value with nothing to merge into: its own directives are still
   * applied so none of them end up stored in the object.
   */
  private fresh(v: unknown, schema: Schema | undefined): unknown {
    if (isMap(v)) return this.mergeMap({}, v, schema);
    if (Array.isArray(v)) return this.mergeSliceField([], v, schema, false);
    return v;
  }

  private directiveInMap(directive: unknown, patch: JsonMap, schema: Schema | undefined): JsonMap {
    if (directive === 'replace') {
      const rest = { ...patch };
      delete rest[directiveMarker];
      return this.mergeMap({}, rest, schema);
    }
    if (directive === 'delete') return {};
    throw badPatchType(directive, patch);
  }

  private mergeSliceField(
    original: unknown[],
    patch: unknown[],
    schema: Schema | undefined,
    isDeleteList: boolean,
  ): unknown[] {
    const { merge, mergeKey } = smpListStrategy(schema, this.resolve);
    if (!merge) {
      if (isDeleteList) return deleteFromSlice(original, patch);
      return patch
        .map((item) =>
          isMap(item) && !Object.prototype.hasOwnProperty.call(item, directiveMarker)
            ? this.fresh(item, itemSchema(schema, this.resolve))
            : item,
        )
        .filter((item) => !(isMap(item) && Object.prototype.hasOwnProperty.call(item, directiveMarker)));
    }
    return this.mergeSlice(original, patch, itemSchema(schema, this.resolve), mergeKey, isDeleteList);
  }

  private mergeSlice(
    original: unknown[],
    patch: unknown[],
    elemSchema: Schema | undefined,
    mergeKey: string,
    isDeleteList: boolean,
  ): unknown[] {
    if (original.length === 0 && patch.length === 0) return original;
    const kind = sliceElementKind(original, patch);
    let merged: unknown[];
    let serverOrder = original;
    let patchItems = patch;
    if (kind !== 'map') {
      if (isDeleteList) return deleteFromSlice(original, patch);
      merged = dedupe([...original, ...patch]);
    } else {
      if (!mergeKey) throw rawError('cannot merge lists without merge key for type map');
      [serverOrder, patchItems] = withSpecialElements(original, patch, mergeKey);
      merged = this.withoutSpecialElements(serverOrder, patchItems, mergeKey, elemSchema);
    }
    const [inPatch, serverOnly] = partition(merged, patchItems, mergeKey, kind);
    return normalizeElementOrder(inPatch, serverOnly, patchItems, serverOrder, mergeKey, kind);
  }

  /** Merges patch items into the items with the same merge key, appending new ones. */
  private withoutSpecialElements(
    original: unknown[],
    patch: unknown[],
    mergeKey: string,
    elemSchema: Schema | undefined,
  ): unknown[] {
    const out = [...original];
    for (const item of patch) {
      const m = item as JsonMap;
      if (!Object.prototype.hasOwnProperty.call(m, mergeKey)) throw noMergeKey(m, mergeKey);
      const i = findByKey(out, mergeKey, m[mergeKey]);
      if (i >= 0) out[i] = this.mergeMap(out[i] as JsonMap, m, elemSchema);
      else out.push(this.mergeMap({}, m, elemSchema));
    }
    return out;
  }

  /**
   * `$setElementOrder/<field>`: merges the named list (if patched) and then
   * orders it: items named in the directive in its order, server-only items
   * kept in their live positions relative to them.
   */
  private mergeSetElementOrder(original: JsonMap, patch: JsonMap, schema: Schema | undefined): void {
    for (const key of Object.keys(patch)) {
      if (!key.startsWith(setElementOrderPrefix)) continue;
      const order = patch[key];
      delete patch[key];
      if (!Array.isArray(order)) throw badArgType('[]interface {}', order);
      const field = extractKey(key, setElementOrderPrefix);
      const fs = fieldSchema(schema, field, this.resolve);
      const foundOriginal = Object.prototype.hasOwnProperty.call(original, field);
      const foundPatch = Object.prototype.hasOwnProperty.call(patch, field);
      const originalList = foundOriginal ? original[field] : [];
      const patchList = foundPatch ? patch[field] : [];
      if (!Array.isArray(originalList)) throw badArgType('[]interface {}', originalList);
      if (!Array.isArray(patchList)) throw badArgType('[]interface {}', patchList);
      const { mergeKey } = smpListStrategy(fs, this.resolve);
      validatePatchWithSetOrderList(patchList, order, mergeKey);
      if (!foundOriginal && !foundPatch) continue;
      const merged = foundPatch ? this.mergeSliceField(originalList, patchList, fs, false) : originalList;
      const kind = sliceElementKind(originalList, patchList);
      const [inOrder, serverOnly] = partition(merged, order, mergeKey, kind);
      original[field] = normalizeElementOrder(inOrder, serverOnly, order, originalList, mergeKey, kind);
      delete patch[field];
    }
  }
}

/** `$retainKeys`: drop keys of the original the list does not name; every patched key must be named. */
function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!Object.prototype.hasOwnProperty.call(patch, retainKeysDirective)) return;
  const list = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(list)) throw errors.badRequest(badRequestMessages.retainKeys);
  const keep = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(deleteFromPrimitiveListPrefix) || k.startsWith(setElementOrderPrefix)) continue;
    if (!keep.has(k)) throw errors.badRequest(badRequestMessages.retainKeys);
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** The field name after `<prefix>/`; a directive without it is a 400 format error. */
function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw errors.badRequest(
      prefix === deleteFromPrimitiveListPrefix ? badRequestMessages.primitiveList : badRequestMessages.setElementOrder,
    );
  }
  return key.slice(slash + 1);
}

function sliceElementKind(a: unknown[], b: unknown[]): Kind {
  let kind: Kind | undefined;
  for (const v of [...a, ...b]) {
    const k = kindOf(v);
    if (k === 'slice') throw noListOfLists();
    if (kind && k !== kind)
      throw rawError(`list items of different types cannot be merged: ${goFormat(a)} and ${goFormat(b)}`);
    kind = k;
  }
  if (!kind) throw rawError('no elements in any of the given slices');
  return kind;
}

/** Items with `$patch` in a merging list of maps: delete removes by key, replace drops the live list. */
function withSpecialElements(original: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
  let out = [...original];
  const plain: unknown[] = [];
  let replace = false;
  for (const item of patch) {
    const m = item as JsonMap;
    if (!Object.prototype.hasOwnProperty.call(m, directiveMarker)) {
      plain.push(item);
      continue;
    }
    switch (m[directiveMarker]) {
      case 'delete':
        if (!Object.prototype.hasOwnProperty.call(m, mergeKey)) throw noMergeKey(m, mergeKey);
        out = out.filter(
          (o) => !(isMap(o) && Object.prototype.hasOwnProperty.call(o, mergeKey) && o[mergeKey] === m[mergeKey]),
        );
        break;
      case 'replace':
        replace = true;
        break;
      case 'merge':
        throw rawError('merging lists cannot yet be specified in the patch');
      default:
        throw badPatchType(m[directiveMarker], m);
    }
  }
  return replace ? [plain, []] : [out, plain];
}

function findByKey(list: unknown[], key: string, value: unknown): number {
  return list.findIndex((o) => isMap(o) && Object.prototype.hasOwnProperty.call(o, key) && o[key] === value);
}

function deleteFromSlice(current: unknown[], toDelete: unknown[]): unknown[] {
  return current.filter((v) => !toDelete.some((d) => d === v));
}

function dedupe(list: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of list) if (!out.some((o) => o === v || jsonEqual(o, v))) out.push(v);
  return out;
}

/** Identity of a list item for ordering: the merge key's value for maps, the item itself otherwise. */
function identity(item: unknown, mergeKey: string, kind: Kind): unknown {
  return kind === 'map' ? (isMap(item) ? item[mergeKey] : undefined) : item;
}

function indexIn(list: unknown[], item: unknown, mergeKey: string, kind: Kind): number {
  const id = identity(item, mergeKey, kind);
  return list.findIndex((v) => identity(v, mergeKey, kind) === id);
}

/** Splits merged items into those named in `by` and the rest (server-only), keeping order. */
function partition(merged: unknown[], by: unknown[], mergeKey: string, kind: Kind): [unknown[], unknown[]] {
  const named: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of merged) {
    if (kind === 'map') {
      if (!isMap(v)) throw badArgType('map[string]interface {}', v);
      if (!Object.prototype.hasOwnProperty.call(v, mergeKey)) throw noMergeKey(v, mergeKey);
    }
    (indexIn(by, v, mergeKey, kind) >= 0 ? named : serverOnly).push(v);
  }
  return [named, serverOnly];
}

/**
 * Orders patch items by the patch (or $setElementOrder) order and server-only
 * items by the live order, then interleaves them, keeping a server-only item
 * ahead of a patch item when the live list had it there.
 */
function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: Kind,
): unknown[] {
  const right = sortByOrder(patchItems, patchOrder, mergeKey, kind);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** Stable sort by position in `order` (items it does not name keep their place after named ones). */
function sortByOrder(items: unknown[], order: unknown[], mergeKey: string, kind: Kind): unknown[] {
  if (kind === 'map') {
    for (const v of [...items, ...order]) {
      if (!isMap(v)) throw badArgType('map[string]interface {}', v);
      if (!Object.prototype.hasOwnProperty.call(v, mergeKey)) throw noMergeKey(v, mergeKey);
    }
  }
  return items
    .map((v, pos) => ({ v, pos, at: indexIn(order, v, mergeKey, kind) }))
    .sort(
      (a, b) =>
        (a.at >= 0 && b.at >= 0 ? a.at - b.at : a.at >= 0 ? -1 : b.at >= 0 ? 1 : a.pos - b.pos) || a.pos - b.pos,
    )
    .map((x) => x.v);
}

/** The items of the patch list must appear in the $setElementOrder list, in the same relative order. */
function validatePatchWithSetOrderList(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey ? patchList.filter((v) => !(isMap(v) && v[directiveMarker] === 'delete')) : patchList;
  let p = 0;
  let o = 0;
  while (p < nonDelete.length && o < order.length) {
    const item = nonDelete[p];
    if (isMap(item) && Object.prototype.hasOwnProperty.call(item, directiveMarker)) {
      p++;
      continue;
    }
    if (keyEqual(item, order[o], mergeKey)) p++;
    o++;
  }
  if (p < nonDelete.length) {
    throw rawError(
      `The order in patch list:\n${goFormat(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${goFormat(order)}\n`,
    );
  }
}

function keyEqual(a: unknown, b: unknown, mergeKey: string): boolean {
  if (!mergeKey) return a === b;
  if (!isMap(a)) throw badArgType('map[string]interface {}', a);
  if (!isMap(b)) throw badArgType('map[string]interface {}', b);
  if (!Object.prototype.hasOwnProperty.call(a, mergeKey)) throw noMergeKey(a, mergeKey);
  if (!Object.prototype.hasOwnProperty.call(b, mergeKey)) throw noMergeKey(b, mergeKey);
  return a[mergeKey] === b[mergeKey];
}
