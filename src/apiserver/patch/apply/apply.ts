/**
 * Server-side apply and ownership tracking for ordinary writes, after
 * sigs.k8s.io/structured-merge-diff (merge.Updater) and kube-apiserver's
 * fieldmanager:
 *  - apply merges the configuration into the live object, fails with 409 if
 *    that changes fields another manager owns (unless forced, which takes
 *    them over), makes the applier own exactly the configuration's fields,
 *    and removes fields the applier owned before and no longer applies when
 *    nobody else owns them;
 *  - updateManagedFields records what a create/update/patch changed as
 *    owned by its manager (operation Update) and takes those fields from
 *    other managers silently.
 */
import type { KObject, ManagedFieldsEntry } from '../../../api/meta.js';
import type { Schema } from '../../../api/schema/types.js';
import { errors } from '../../../api/errors.js';
import { clone, isMap, jsonEqual } from '../json-value.js';
import { deref, fieldSchema, listKind, type Resolve } from '../schema-nav.js';
import { FieldSet, type FieldPath } from './fieldpath.js';
import { conflictError, type ManagerConflict } from './conflict.js';
import {
  decodeManagedFields,
  encodeManagedFields,
  managerIdentifier,
  toSeconds,
  type ManagerFields,
} from './managed-fields.js';
import { createdFieldsV1 } from './created-fields.js';
import { fieldEntries, itemKey, type FieldEntry } from './typed.js';
import { mergeApplied } from './merge.js';

/** Result of a successful apply. */
export interface ApplyResult {
  object: KObject;
}

/** Metadata paths no manager ever owns (the fieldmanager's stripMeta set). */
const strippedPaths = new Set(
  [
    ['f:apiVersion'],
    ['f:kind'],
    ['f:metadata'],
    ['f:metadata', 'f:name'],
    ['f:metadata', 'f:namespace'],
    ['f:metadata', 'f:creationTimestamp'],
    ['f:metadata', 'f:selfLink'],
    ['f:metadata', 'f:uid'],
    ['f:metadata', 'f:clusterName'],
    ['f:metadata', 'f:generation'],
    ['f:metadata', 'f:managedFields'],
    ['f:metadata', 'f:resourceVersion'],
  ].map((p) => JSON.stringify(p)),
);

/**
 * Which paths a write through the main resource or a subresource may own:
 * the main resource never owns status, the status subresource never owns
 * spec (the registry resets them, like kube's GetResetFields).
 */
function ownable(subresource: string | undefined): (p: FieldPath) => boolean {
  const excluded = subresource === 'status' ? 'f:spec' : subresource ? undefined : 'f:status';
  // Stripped paths are at most two elements long: longer ones need no lookup.
  return (p) =>
    !(p.length <= 2 && strippedPaths.has(JSON.stringify(p))) &&
    !(p[0] === 'f:metadata' && p[1] === 'f:managedFields') &&
    p[0] !== excluded;
}

function body(o: KObject | undefined): Record<string, unknown> {
  if (!o) return {};
  const c = clone(o) as Record<string, unknown>;
  const meta = c.metadata;
  if (isMap(meta)) delete meta.managedFields;
  return c;
}

/** The object without metadata.managedFields, for read-only walks: copies two levels instead of the whole object. */
function withoutManagedFields(o: KObject | undefined): Record<string, unknown> {
  if (!o) return {};
  const meta = o.metadata;
  if (!isMap(meta) || !('managedFields' in meta)) return o;
  const { managedFields: _mf, ...rest } = meta;
  return { ...o, metadata: rest };
}

interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

function compare(
  before: Map<string, FieldEntry>,
  after: Map<string, FieldEntry>,
  keep: (p: FieldPath) => boolean,
): Comparison {
  const added = new FieldSet();
  const modified = new FieldSet();
  const removed = new FieldSet();
  for (const [k, e] of after) {
    if (!keep(e.path)) continue;
    const b = before.get(k);
    if (!b) added.insert(e.path);
    else if ((e.leaf || b.leaf) && !jsonEqual(b.value, e.value)) modified.insert(e.path);
  }
  for (const [k, e] of before) if (keep(e.path) && !after.has(k)) removed.insert(e.path);
  return { added, modified, removed };
}

const entriesOf = (v: unknown, schema: Schema, resolve: Resolve, strictKeys = false) =>
  fieldEntries(v, schema, resolve, { strictKeys });
const setOf = (entries: Map<string, FieldEntry>, keep: (p: FieldPath) => boolean) =>
  new FieldSet([...entries.values()].map((e) => e.path).filter(keep));

/**
 * Server-side apply of `applied` (the parsed apply-patch body) by `manager`
 * onto `live` (undefined when the apply creates the object). Returns the
 * new object with metadata.managedFields updated; throws a 409 ApiError
 * listing the conflicting fields when `force` is false and other managers
 * own fields the configuration changes. Neither input is modified.
 */
export function apply(
  live: KObject | undefined,
  applied: KObject,
  manager: string,
  force: boolean,
  schema: Schema,
  resolve: Resolve,
  now: string,
  subresource?: string,
): ApplyResult {
  if (applied.metadata?.managedFields !== undefined && applied.metadata.managedFields !== null) {
    throw errors.badRequest('metadata.managedFields must be nil');
  }
  const keep = ownable(subresource);
  const managers = decodeManagedFields(live?.metadata?.managedFields);
  const liveBody = body(live);
  const config = body(applied);
  const configSet = setOf(entriesOf(config, schema, resolve, true), keep);
  let merged = mergeAppliedObject(liveBody, config, schema, resolve);
  const cmp = compare(entriesOf(liveBody, schema, resolve), entriesOf(merged, schema, resolve), keep);

  const me: ManagerFields = {
    manager,
    operation: 'Apply',
    apiVersion: applied.apiVersion,
    subresource,
    set: configSet,
  };
  const myId = managerIdentifier(me);
  const changed = cmp.modified.union(cmp.added);
  const conflicts: ManagerConflict[] = [];
  for (const [id, m] of managers) {
    if (id === myId) continue;
    const fields = m.set.intersection(changed);
    if (!fields.empty()) conflicts.push({ id, manager: m, fields });
  }
  if (conflicts.length && !force) throw conflictError(conflicts);
  for (const c of conflicts) c.manager.set = c.manager.set.difference(c.fields);
  for (const m of managers.values()) m.set = m.set.difference(cmp.removed);

  const previous = managers.get(myId);
  const lastSet = previous?.set ?? new FieldSet();
  managers.set(myId, { ...me, time: previous?.time });
  merged = prune(
    merged,
    lastSet.difference(configSet),
    [...managers.values()].map((m) => m.set),
    schema,
    resolve,
  );

  const afterPrune = entriesOf(merged, schema, resolve);
  for (const m of managers.values()) m.set = m.set.filter((p) => afterPrune.has(JSON.stringify(p)));
  const mine = managers.get(myId)!;
  const objectChanged = !jsonEqual(liveBody, merged);
  const setChanged = lastSet.size !== configSet.size || !lastSet.difference(configSet).empty();
  if (!live || objectChanged || setChanged || !mine.time) mine.time = now;
  for (const [id, m] of managers) if (m.set.empty()) managers.delete(id);

  const object = merged as unknown as KObject;
  object.metadata = { ...(object.metadata ?? {}), managedFields: encodeManagedFields(managers.values()) };
  return { object };
}

function mergeAppliedObject(
  live: Record<string, unknown>,
  config: Record<string, unknown>,
  schema: Schema,
  resolve: Resolve,
): Record<string, unknown> {
  return mergeApplied(live, config, schema, resolve) as Record<string, unknown>;
}

/**
 * Removes the fields a manager stopped applying, unless some manager owns
 * the field or something below it. Containers left empty by a removal go too.
 */
function prune(
  obj: Record<string, unknown>,
  candidates: FieldSet,
  owners: FieldSet[],
  schema: Schema,
  resolve: Resolve,
): Record<string, unknown> {
  const paths = candidates.toArray().sort((a, b) => a.length - b.length);
  for (const p of paths) {
    if (owners.some((s) => s.hasPrefixOf(p))) continue;
    if (isKeyFieldOfItem(p)) continue;
    removePath(obj, p, schema, resolve);
  }
  return obj;
}

/** `f:name` directly under `k:{"name":...}`: the item's identity, never removed on its own. */
function isKeyFieldOfItem(p: FieldPath): boolean {
  if (p.length < 2) return false;
  const last = p[p.length - 1]!;
  const parent = p[p.length - 2]!;
  if (!last.startsWith('f:') || !parent.startsWith('k:')) return false;
  return Object.prototype.hasOwnProperty.call(JSON.parse(parent.slice(2)), last.slice(2));
}

/** Deletes the value at `p` (a field, a keyed item, a set value) and then containers it left empty. */
function removePath(root: Record<string, unknown>, p: FieldPath, schema: Schema, resolve: Resolve): void {
  const chain: { container: unknown; at: string | number }[] = [];
  let cur: unknown = root;
  let s: Schema | undefined = schema;
  for (const e of p) {
    const body = e.slice(2);
    if (e.startsWith('f:')) {
      if (!isMap(cur) || !Object.prototype.hasOwnProperty.call(cur, body)) return;
      chain.push({ container: cur, at: body });
      cur = cur[body];
      s = fieldSchema(s, body, resolve);
      continue;
    }
    if (!Array.isArray(cur)) return;
    let i: number;
    if (e.startsWith('k:')) {
      const want = JSON.parse(body) as Record<string, unknown>;
      const lk = listKind(s, resolve);
      const keys = lk.kind === 'map' ? lk.keys : Object.keys(want);
      i = cur.findIndex((item) => jsonEqual(itemKey(item, keys), want));
    } else if (e.startsWith('v:')) {
      const want: unknown = JSON.parse(body);
      i = cur.findIndex((item) => jsonEqual(item, want));
    } else {
      i = Number(body);
    }
    if (i < 0 || i >= cur.length) return;
    chain.push({ container: cur, at: i });
    cur = cur[i];
    const d = deref(s, resolve);
    s = d?.type === 'array' ? d.items : d;
  }
  for (let n = chain.length - 1; n >= 0; n--) {
    const { container, at } = chain[n]!;
    if (Array.isArray(container)) container.splice(at as number, 1);
    else delete (container as Record<string, unknown>)[at as string];
    const emptied = Array.isArray(container) ? container.length === 0 : Object.keys(container as object).length === 0;
    // The object's root and metadata stay even when empty.
    if (!emptied || n === 0 || (n === 1 && chain[0]!.at === 'metadata')) break;
  }
}

/**
 * Records ownership for a non-apply write by `manager`: fields the write
 * added or changed (compared with `old`, or everything on create) become
 * the manager's, taken from any other manager; removed fields leave every
 * set. Sets `updated.metadata.managedFields` in place. Managed fields the
 * client sent in `updated` are honoured (as kube does for updates of the
 * main resource); otherwise `old`'s are carried over.
 */
export function updateManagedFields(
  old: KObject | undefined,
  updated: KObject,
  manager: string,
  operation: 'Update',
  subresource: string | undefined,
  schema: Schema,
  resolve: Resolve,
  now: string,
): void {
  const keep = ownable(subresource);
  const sent: ManagedFieldsEntry[] | undefined = updated.metadata?.managedFields;
  const honourSent = !!(sent && sent.length && !subresource);
  if (!old && !honourSent) {
    // A create with no ownership to carry over: the manager owns every field, computed in one walk.
    const fieldsV1 = createdFieldsV1(withoutManagedFields(updated), schema, resolve, keep);
    const entries: ManagedFieldsEntry[] = [];
    if (fieldsV1) {
      const e: ManagedFieldsEntry = {
        manager,
        operation,
        apiVersion: updated.apiVersion,
        time: toSeconds(now),
        fieldsType: 'FieldsV1',
        fieldsV1,
      };
      if (subresource) e.subresource = subresource;
      entries.push(e);
    }
    updated.metadata = { ...(updated.metadata ?? {}), managedFields: entries };
    return;
  }
  const managers = decodeManagedFields(honourSent ? sent : old?.metadata?.managedFields);
  const cmp = compare(
    entriesOf(withoutManagedFields(old), schema, resolve),
    entriesOf(withoutManagedFields(updated), schema, resolve),
    keep,
  );
  const changed = cmp.added.union(cmp.modified);
  for (const m of managers.values()) m.set = m.set.difference(changed).difference(cmp.removed);

  const me: ManagerFields = { manager, operation, apiVersion: updated.apiVersion, subresource, set: new FieldSet() };
  const id = managerIdentifier(me);
  const previous = managers.get(id);
  if (!changed.empty()) {
    managers.set(id, { ...me, set: (previous?.set ?? new FieldSet()).union(changed), time: now });
  }
  for (const [k, m] of managers) if (m.set.empty()) managers.delete(k);
  updated.metadata = { ...(updated.metadata ?? {}), managedFields: encodeManagedFields(managers.values()) };
}
