/** metav1.LabelSelector checks (matchLabels + matchExpressions), as spec selectors are validated. */
import type { FieldError } from '../errors.js';
import { isQualifiedName, isValidLabelValue } from './formats.js';
import { arr, forbidden, invalid, invalidEach, obj, required, str } from './field.js';
import { validateLabels } from './meta.js';

export function validateLabelSelector(sel: unknown, path: string): FieldError[] {
  if (sel === undefined || sel === null) return [];
  const s = obj(sel);
  const errs = validateLabels(obj(s.matchLabels) as Record<string, string>, `${path}.matchLabels`);
  arr(s.matchExpressions)
    .map(obj)
    .forEach((e, i) => {
      const at = `${path}.matchExpressions[${i}]`;
      const op = str(e.operator),
        values = arr(e.values).map(str);
      if (op === 'In' || op === 'NotIn') {
        if (!values.length) errs.push(required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      } else if (op === 'Exists' || op === 'DoesNotExist') {
        if (values.length)
          errs.push(forbidden(`${at}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      } else errs.push(invalid(`${at}.operator`, op, 'not a valid selector operator'));
      errs.push(...invalidEach(`${at}.key`, str(e.key), isQualifiedName(str(e.key))));
      values.forEach((v, j) => errs.push(...invalidEach(`${at}.values[${j}]`, v, isValidLabelValue(v))));
    });
  return errs;
}
