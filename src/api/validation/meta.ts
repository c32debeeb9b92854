/** metadata checks shared by every kind (apimachinery api/validation/objectmeta.go). */
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import { byteLength, isQualifiedName, isValidLabelValue, type NameRule, nameIsDNSLabel } from './formats.js';
import { deepEqual, forbidden, invalid, invalidEach, required, tooLong } from './field.js';

const totalAnnotationSizeLimit = 256 * 1024;
/** Finalizers the core API knows without a domain prefix. */
const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** Label keys and values; errors are reported on the map's path, as Kubernetes does. */
export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...invalidEach(path, k, isQualifiedName(k)));
    errs.push(...invalidEach(path, v, isValidLabelValue(String(v))));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    errs.push(...invalidEach(path, k, isQualifiedName(k.toLowerCase())));
    size += byteLength(k) + byteLength(String(v));
  }
  if (size > totalAnnotationSizeLimit) errs.push(tooLong(path, totalAnnotationSizeLimit));
  return errs;
}

function validateFinalizers(finalizers: string[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = finalizers ?? [];
  for (const f of list) errs.push(...invalidEach(path, f, isQualifiedName(f)));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  list.forEach((f, i) => {
    if (!f.includes('/') && !standardFinalizers.has(f))
      errs.push(invalid(`${path}[${i}]`, f, 'name is neither a standard finalizer name nor is it fully qualified'));
  });
  return errs;
}

function validateOwnerReferences(meta: KObject['metadata']): FieldError[] {
  const errs: FieldError[] = [];
  const path = 'metadata.ownerReferences';
  let controller = '';
  for (const ref of meta.ownerReferences ?? []) {
    const version = (ref.apiVersion ?? '').split('/').pop() ?? '';
    if (!version) errs.push(invalid(`${path}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'));
    if (!ref.kind) errs.push(invalid(`${path}.kind`, ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) errs.push(invalid(`${path}.name`, ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errs.push(invalid(`${path}.uid`, ref.uid ?? '', 'uid must not be empty'));
    if (ref.controller) {
      const cur = `${ref.kind}/${ref.name}`;
      if (controller)
        errs.push({
          type: 'FieldValueInvalid',
          field: path,
          detail: `Only one reference can have Controller set to true. Found "true" in references for ${controller} and ${cur}`,
        });
      else controller = cur;
    }
  }
  return errs;
}

/** ValidateObjectMeta: name (or generateName), namespace presence, labels, annotations, finalizers, owners. */
export function validateObjectMeta(obj: KObject, namespaced: boolean, nameRule: NameRule): FieldError[] {
  const m = obj.metadata ?? {};
  const errs: FieldError[] = [];
  if (m.generateName)
    errs.push(...invalidEach('metadata.generateName', m.generateName, nameRule(m.generateName, true)));
  if (!m.name) errs.push(required('metadata.name', 'name or generateName is required'));
  else errs.push(...invalidEach('metadata.name', m.name, nameRule(m.name, false)));
  if (namespaced) {
    if (!m.namespace) errs.push(required('metadata.namespace'));
    else errs.push(...invalidEach('metadata.namespace', m.namespace, nameIsDNSLabel(m.namespace, false)));
  } else if (m.namespace) {
    errs.push(forbidden('metadata.namespace', 'not allowed on this type'));
  }
  if (typeof m.generation === 'number' && m.generation < 0)
    errs.push(invalid('metadata.generation', m.generation, 'must be greater than or equal to 0'));
  errs.push(...validateLabels(m.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(m.annotations, 'metadata.annotations'));
  errs.push(...validateOwnerReferences(m));
  errs.push(...validateFinalizers(m.finalizers, 'metadata.finalizers'));
  return errs;
}

/** ValidateObjectMetaUpdate: identity fields are immutable; no new finalizers once deleting. */
export function validateObjectMetaUpdate(obj: KObject, old: KObject): FieldError[] {
  const m = obj.metadata ?? {},
    o = old.metadata ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const extra = [...new Set(m.finalizers ?? [])].filter((f) => !(o.finalizers ?? []).includes(f)).sort();
    if (extra.length)
      errs.push(
        forbidden(
          'metadata.finalizers',
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((x) => JSON.stringify(x)).join(', ')}}`,
        ),
      );
  }
  if ((m.generation ?? 0) < (o.generation ?? 0))
    errs.push(invalid('metadata.generation', m.generation ?? 0, 'must not be decremented'));
  const immutable: [string, unknown, unknown][] = [
    ['name', m.name ?? '', o.name ?? ''],
    ['namespace', m.namespace ?? '', o.namespace ?? ''],
    ['uid', m.uid ?? '', o.uid ?? ''],
    ['creationTimestamp', m.creationTimestamp, o.creationTimestamp],
    ['deletionTimestamp', m.deletionTimestamp, o.deletionTimestamp],
    ['deletionGracePeriodSeconds', m.deletionGracePeriodSeconds, o.deletionGracePeriodSeconds],
  ];
  for (const [f, a, b] of immutable)
    if (!deepEqual(a, b)) errs.push(invalid(`metadata.${f}`, a ?? null, 'field is immutable'));
  errs.push(...validateLabels(m.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(m.annotations, 'metadata.annotations'));
  errs.push(...validateOwnerReferences(m));
  errs.push(...validateFinalizers(m.finalizers, 'metadata.finalizers'));
  return errs;
}
