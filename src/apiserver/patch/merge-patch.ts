/**
 * JSON merge patch (RFC 7386), as kube-apiserver applies
 * application/merge-patch+json: maps merge recursively, null deletes,
 * anything else (lists included) replaces.
 */
import { errors } from '../../api/errors.js';
import { clone, isMap } from './json-value.js';

/** Applies `patch` to `original` without modifying either. Returns the patched document. */
export function mergePatch(original: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return clone(patch);
  const out: Record<string, unknown> = isMap(original) ? clone(original) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * Parses a merge-patch body and applies it to an object. A body that is not
 * a JSON object is rejected the way kube-apiserver does (400 "Invalid JSON Patch").
 */
export function applyMergePatchBody(original: Record<string, unknown>, body: string): Record<string, unknown> {
  let patch: unknown;
  try {
    patch = JSON.parse(body);
  } catch {
    throw errors.badRequest('Invalid JSON Patch');
  }
  if (!isMap(patch)) throw errors.badRequest('Invalid JSON Patch');
  return mergePatch(original, patch) as Record<string, unknown>;
}
