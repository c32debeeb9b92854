/** Lease rules (coordination validation.go). */
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import { nameIsDNSSubdomain } from './formats.js';
import { invalid, num, obj } from './field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

export function validateLease(o: KObject): FieldError[] {
  const errs = validateObjectMeta(o, true, nameIsDNSSubdomain);
  const s = obj(o.spec);
  const d = num(s.leaseDurationSeconds),
    t = num(s.leaseTransitions);
  if (d !== undefined && d <= 0) errs.push(invalid('spec.leaseDurationSeconds', d, 'must be greater than 0'));
  if (t !== undefined && t < 0) errs.push(invalid('spec.leaseTransitions', t, 'must be greater than or equal to 0'));
  return errs;
}

export const validateLeaseUpdate = (o: KObject, old: KObject): FieldError[] => [
  ...validateObjectMetaUpdate(o, old),
  ...validateLease(o),
];
