/** Namespace rules: DNS-1123 label names, qualified spec finalizers, phase follows deletion. */
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import { isQualifiedName, nameIsDNSLabel } from './formats.js';
import { arr, invalid, invalidEach, obj, str } from './field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

function specFinalizers(o: KObject, indexed: boolean): FieldError[] {
  const errs: FieldError[] = [];
  arr(obj(o.spec).finalizers)
    .map(str)
    .forEach((f, i) => {
      const path = indexed ? `spec.finalizers[${i}]` : 'spec.finalizers';
      errs.push(...invalidEach(path, f, isQualifiedName(f)));
      if (!f.includes('/') && f !== 'kubernetes')
        errs.push(invalid(path, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    });
  return errs;
}

export const validateNamespace = (o: KObject): FieldError[] => [
  ...validateObjectMeta(o, false, nameIsDNSLabel),
  ...specFinalizers(o, false),
];
export const validateNamespaceUpdate = (o: KObject, old: KObject): FieldError[] => validateObjectMetaUpdate(o, old);

export function validateNamespaceStatusUpdate(o: KObject, old: KObject): FieldError[] {
  const errs = validateObjectMetaUpdate(o, old);
  const phase = str(obj(o.status).phase);
  if (!o.metadata.deletionTimestamp) {
    if (phase !== 'Active')
      errs.push(invalid('status.Phase', phase, "may only be 'Active' if `deletionTimestamp` is empty"));
  } else if (phase !== 'Terminating')
    errs.push(invalid('status.Phase', phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
  return errs;
}

export const validateNamespaceFinalize = (o: KObject, old: KObject): FieldError[] => [
  ...validateObjectMetaUpdate(o, old),
  ...specFinalizers(o, true),
];
