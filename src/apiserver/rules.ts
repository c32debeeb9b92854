/**
 * The API rules the registry applies, wired from the pure modules:
 * defaults, validation, schemas (strict fields, pruning, patch metadata),
 * selectors and patches.
 */
import { errors } from '../api/errors.js';
import type { KObject } from '../api/meta.js';
import { groupVersion, type ResourceInfo } from '../api/resources.js';
import { applyDefaults } from '../api/defaults/index.js';
import { validateCreate, validateUpdate } from '../api/validation/index.js';
import { definitionName, resolve, schemaForKind, type Schema } from '../api/schema/index.js';
import { typeMismatch } from '../api/schema/type-check.js';
import { pruneUnknownFields } from '../api/schema/prune.js';
import { objectPredicate } from '../api/selectors/index.js';
import { apply, applyPatch, updateManagedFields } from './patch/index.js';
import type { ApiRules } from './registry/rules.js';

function schemaOf(ri: ResourceInfo): Schema {
  const s = schemaForKind(groupVersion(ri), ri.kind);
  if (!s) throw errors.internal(`no schema for ${ri.kind}`);
  return s;
}

export const apiRules: ApiRules = {
  applyDefaults,
  validateCreate,
  validateUpdate,
  prune: (ri, obj) => pruneUnknownFields(obj, schemaOf(ri)),
  typeError: (ri, obj) => {
    const ref = definitionName(groupVersion(ri), ri.kind);
    return ref ? typeMismatch(obj, ref) : undefined;
  },
  selector: objectPredicate,
  patch: (ri, contentType, live, body) => applyPatch(contentType, live, body, schemaOf(ri), resolve),
  apply: (ri, live, applied, manager, force, now) =>
    apply(live, applied, manager, force, schemaOf(ri), resolve, now).object,
  trackUpdate: (ri, old, updated: KObject, manager, subresource, now) => {
    if (subresource === 'binding' || subresource === 'finalize' || subresource === 'delete') subresource = undefined;
    updateManagedFields(old, updated, manager, 'Update', subresource, schemaOf(ri), resolve, now);
  },
};
