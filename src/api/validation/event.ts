/** core/v1 Event rules (basic): the involved object lives in the event's namespace. */
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import { nameIsDNSSubdomain } from './formats.js';
import { invalid, obj, str } from './field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

export function validateEvent(o: KObject): FieldError[] {
  const errs = validateObjectMeta(o, true, nameIsDNSSubdomain);
  const ns = o.metadata.namespace ?? '';
  const involved = str(obj(o.involvedObject).namespace);
  if (!involved) {
    if (ns !== '' && ns !== 'default')
      errs.push(invalid('involvedObject.namespace', involved, 'does not match event.namespace'));
  } else if (ns !== involved)
    errs.push(invalid('involvedObject.namespace', involved, 'does not match event.namespace'));
  return errs;
}

export const validateEventUpdate = (o: KObject, old: KObject): FieldError[] => [
  ...validateObjectMetaUpdate(o, old),
  ...validateEvent(o),
];
