/** The shared vocabulary: loosely typed Kubernetes objects plus the metadata every component reads. */

export interface OwnerReference {
  apiVersion: string; kind: string; name: string; uid: string;
  controller?: boolean; blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager?: string; operation?: 'Apply' | 'Update'; apiVersion?: string; time?: string;
  fieldsType?: 'FieldsV1'; fieldsV1?: Record<string, unknown>; subresource?: string;
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

export interface ListMeta { resourceVersion?: string; continue?: string; remainingItemCount?: number }

export interface KList<T extends KObject = KObject> {
  apiVersion: string; kind: string; metadata: ListMeta; items: T[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
export interface WatchEvent<T = KObject> { type: WatchEventType; object: T }

/** Object key in the store: /registry/<group>/<resource>/<namespace>/<name> (cluster-scoped: no namespace). */
export function objectKey(group: string, resource: string, namespace: string | undefined, name: string): string {
  return namespace ? `${resourcePrefix(group, resource)}${namespace}/${name}` : `${resourcePrefix(group, resource)}${name}`;
}

/** Prefix of every key of one resource, with trailing slash. */
export function resourcePrefix(group: string, resource: string): string {
  return `/registry/${group || 'core'}/${resource}/`;
}

export const nowRFC3339 = (d = new Date()): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function deepClone<T>(v: T): T {
  return structuredClone(v);
}
