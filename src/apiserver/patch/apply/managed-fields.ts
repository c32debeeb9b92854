/**
 * metadata.managedFields as kube-apiserver keeps it: one entry per manager
 * identity (manager, operation, subresource, and apiVersion for Update),
 * FieldsV1 sets, times to the second, sorted Apply first, then by time,
 * manager, apiVersion and subresource.
 */
import type { ManagedFieldsEntry } from '../../../api/meta.js';
import { FieldSet } from './fieldpath.js';

/** One manager's ownership, decoded. */
export interface ManagerFields {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/**
 * The identity kube groups entries by (BuildManagerIdentifier): the entry's
 * JSON without time and fields, and without apiVersion for appliers.
 */
export function managerIdentifier(m: {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
}): string {
  const id: Record<string, string> = { manager: m.manager, operation: m.operation };
  if (m.operation === 'Update' && m.apiVersion) id.apiVersion = m.apiVersion;
  if (m.subresource) id.subresource = m.subresource;
  return JSON.stringify(id);
}

/** Decodes entries; later duplicates of one identity are merged into the first. */
export function decodeManagedFields(entries: ManagedFieldsEntry[] | undefined): Map<string, ManagerFields> {
  const out = new Map<string, ManagerFields>();
  for (const e of entries ?? []) {
    if (!e || typeof e.manager !== 'string') continue;
    const m: ManagerFields = {
      manager: e.manager,
      operation: e.operation === 'Apply' ? 'Apply' : 'Update',
      apiVersion: e.apiVersion ?? '',
      subresource: e.subresource || undefined,
      time: e.time,
      set: FieldSet.fromFieldsV1(e.fieldsV1),
    };
    const id = managerIdentifier(m);
    const prev = out.get(id);
    if (prev) prev.set = prev.set.union(m.set);
    else out.set(id, m);
  }
  return out;
}

/** Whole seconds of an RFC 3339 time, as metav1.Time serializes. */
export function toSeconds(time: string): string {
  const d = new Date(time);
  return Number.isNaN(d.getTime()) ? time : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Encodes and sorts entries the way kube stores them; empty sets are dropped. */
export function encodeManagedFields(managers: Iterable<ManagerFields>): ManagedFieldsEntry[] {
  const entries: ManagedFieldsEntry[] = [];
  for (const m of managers) {
    if (m.set.empty()) continue;
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
    if (m.time) e.time = toSeconds(m.time);
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = m.set.toFieldsV1();
    if (m.subresource) e.subresource = m.subresource;
    entries.push(e);
  }
  const seconds = (t?: string) => (t ? Math.floor(new Date(t).getTime() / 1000) || 0 : 0);
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return entries.sort(
    (p, q) =>
      cmp(p.operation!, q.operation!) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager!, q.manager!) ||
      cmp(p.apiVersion ?? '', q.apiVersion ?? '') ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
}

/** How kube names a manager in conflict messages (printManager). */
export function printManager(m: ManagerFields): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  return m.operation === 'Update' ? `${s} using ${m.apiVersion}` : s;
}
