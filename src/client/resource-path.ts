/** URL paths of the Kubernetes REST API, built from a resource description. */
import { groupVersion } from '../api/resources.js';

/**
 * What the client needs to address a resource. A ResourceInfo from
 * api/resources.ts satisfies it, so does a hand-written literal for a
 * resource podnet does not serve itself (the client also talks to real clusters).
 */
export interface ResourceRef {
  group: string;
  version: string;
  /** plural, lower case: "pods" */
  resource: string;
  namespaced: boolean;
}

/** `/api/v1` for the core group, `/apis/GROUP/VERSION` otherwise. */
export function groupVersionPath(ref: { group: string; version: string }): string {
  return ref.group ? `/apis/${groupVersion(ref)}` : `/api/${ref.version}`;
}

/**
 * The path of a collection (no name) or of one object, optionally a subresource.
 * A namespaced resource with no namespace addresses all namespaces (list/watch only).
 */
export function resourcePath(ref: ResourceRef, namespace?: string, name?: string, subresource?: string): string {
  let p = groupVersionPath(ref);
  if (ref.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${ref.resource}`;
  if (name !== undefined) {
    if (name === '') throw new Error(`a name is required to address one ${ref.resource} object`);
    p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
  }
  return p;
}

/** Appends a query string made of the defined values only. */
export function withQuery(path: string, query: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
