/**
 * PATCH for the API server: picks the patch flavour from the request's
 * Content-Type and applies it to the live object. Server-side apply
 * (application/apply-patch+yaml) needs the manager and force flag, so the
 * handler parses it with parseApplyPatch and calls apply() from ./apply.
 */
import { parse as parseYaml } from 'yaml';
import type { KObject } from '../../api/meta.js';
import type { Schema } from '../../api/schema/types.js';
import { errors } from '../../api/errors.js';
import { applyJsonPatchBody } from './json-patch.js';
import { applyMergePatchBody } from './merge-patch.js';
import { isMap } from './json-value.js';
import { strategicMergePatch } from './strategic-merge.js';
import type { Resolve } from './schema-nav.js';

export { apply, updateManagedFields, type ApplyResult } from './apply/index.js';
export { strategicMergePatch } from './strategic-merge.js';
export { mergePatch } from './merge-patch.js';
export { applyJsonPatchOperations, decodeJsonPatch, JsonPatchError, type JsonPatchOperation } from './json-patch.js';
export type { Resolve } from './schema-nav.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const mediaTypes: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** The patch type of a Content-Type header (parameters ignored); 415 for anything else. */
export function patchTypeOf(contentType: string): PatchType {
  const media = contentType.split(';')[0]!.trim().toLowerCase();
  const t = mediaTypes[media];
  if (!t) throw errors.unsupportedMediaType(contentType);
  return t;
}

const text = (b: Buffer | string) => (typeof b === 'string' ? b : b.toString('utf8'));

/**
 * Applies a json, merge or strategic-merge patch body to `live` (not
 * modified) and returns the patched object. Throws ApiError: 415 for other
 * content types, 400/422 for bad patches as kube-apiserver does. Apply
 * patches are not accepted here (they need a field manager): use apply().
 */
export function applyPatch(
  contentType: string,
  live: KObject,
  patchBody: Buffer | string,
  schema: Schema,
  resolve: Resolve,
): KObject {
  const type = patchTypeOf(contentType);
  const raw = text(patchBody);
  let out: unknown;
  switch (type) {
    case 'json':
      out = applyJsonPatchBody(live, raw);
      break;
    case 'merge':
      out = applyMergePatchBody(live, raw);
      break;
    case 'strategic': {
      let patch: unknown;
      try {
        patch = JSON.parse(raw);
      } catch (e) {
        throw errors.badRequest(`error decoding patch: ${(e as Error).message}`);
      }
      out = strategicMergePatch(live, patch, schema, resolve);
      break;
    }
    case 'apply':
      throw errors.internal('apply patches carry a field manager: call apply() with the parsed configuration');
  }
  if (!isMap(out)) throw errors.badRequest('the patched document is not a JSON object');
  return out as KObject;
}

/**
 * Parses an application/apply-patch+yaml body (YAML or JSON) into the
 * configuration to apply; 400 when it is not one object.
 */
export function parseApplyPatch(patchBody: Buffer | string): KObject {
  let doc: unknown;
  try {
    doc = parseYaml(text(patchBody));
  } catch (e) {
    throw errors.badRequest(`error decoding YAML: ${(e as Error).message}`);
  }
  if (!isMap(doc)) throw errors.badRequest('error decoding YAML: the apply configuration must be an object');
  return doc as KObject;
}
