/** ServiceAccount rules: metadata only (names are DNS subdomains). */
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import { nameIsDNSSubdomain } from './formats.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

export const validateServiceAccount = (o: KObject): FieldError[] => validateObjectMeta(o, true, nameIsDNSSubdomain);
export const validateServiceAccountUpdate = (o: KObject, old: KObject): FieldError[] => [
  ...validateObjectMetaUpdate(o, old),
  ...validateServiceAccount(o),
];
