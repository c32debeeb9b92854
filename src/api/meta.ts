/** The shared vocabulary: loosely typed Kubernetes objects plus the metadata every component reads. */

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
  [extra: string]: unknown;
}

/** Any Kubernetes object. Components narrow it with the typed views in api/types.ts. */
export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface KList<T extends KObject = KObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
export interface WatchEvent<T = KObject> {
  type: WatchEventType;
  object: T;
}

/** Object key in the store: /registry/<resource>/<namespace>/<name> (cluster-scoped: no namespace); see resourcePrefix. */
export function objectKey(group: string, resource: string, namespace: string | undefined, name: string): string {
  return namespace
    ? `${resourcePrefix(group, resource)}${namespace}/${name}`
    : `${resourcePrefix(group, resource)}${name}`;
}

/**
 * kube-apiserver's historical prefixes (its SpecialDefaultResourcePrefixes),
 * kept so keys sit where an operator's etcdctl habits look for them.
 */
const specialPrefixes: Record<string, string> = {
  '/services': 'services/specs',
  '/endpoints': 'services/endpoints',
  '/nodes': 'minions',
  '/replicationcontrollers': 'controllers',
  'networking.k8s.io/ingresses': 'ingress',
};

/** Built-in groups kube-apiserver still stores under /registry/<group>/. */
const groupPrefixed = new Set(['apiextensions.k8s.io', 'apiregistration.k8s.io']);

/**
 * Prefix of every key of one resource, with trailing slash, laid out as
 * kube-apiserver lays out etcd: /registry/<resource>/ for the built-in
 * groups (none, or one ending in .k8s.io), /registry/<group>/<resource>/
 * for the others and groupPrefixed, with the special prefixes above.
 */
export function resourcePrefix(group: string, resource: string): string {
  const special = specialPrefixes[`${group}/${resource}`];
  if (special) return `/registry/${special}/`;
  const builtIn = (!group.includes('.') || group.endsWith('.k8s.io')) && !groupPrefixed.has(group);
  return builtIn ? `/registry/${resource}/` : `/registry/${group}/${resource}/`;
}

export const nowRFC3339 = (d = new Date()): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * A deep copy. Objects here are JSON data, which a plain recursive copy
 * clones several times faster than structuredClone (no serialization
 * round trip); anything else (Date, Map, class instances) still goes
 * through structuredClone, so results are the same as before.
 */
export function deepClone<T>(v: T): T {
  return cloneValue(v) as T;
}

function cloneValue(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = cloneValue(v[i]);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const c = cloneValue((v as Record<string, unknown>)[k]);
    // JSON.parse makes "__proto__" an own key; plain assignment would set the prototype instead.
    if (k === '__proto__')
      Object.defineProperty(out, k, { value: c, enumerable: true, writable: true, configurable: true });
    else out[k] = c;
  }
  return out;
}
