/**
 * Building blocks for validators: field errors as Kubernetes builds them
 * (field.Invalid, field.Required, ...) and small readers for loosely typed objects.
 */
import { fieldError, type FieldError } from '../errors.js';

export type Obj = Record<string, unknown>;
export const { invalid, required, notSupported, duplicate, forbidden } = fieldError;

/** field.TooLong: Kubernetes omits the value and says "may not be more than N bytes". */
export const tooLong = (field: string, max: number): FieldError => ({
  type: 'FieldValueTooLong',
  field,
  detail: `may not be more than ${max} bytes`,
});
/** field.TooMany: "Too many: <n>: must have at most <max> items" (value carried in detail so it renders exactly). */
export const tooMany = (field: string, actual: number, max: number): FieldError => ({
  type: 'FieldValueTooMany',
  field,
  detail: `${actual}: must have at most ${max} items`,
});
/** An Invalid/Duplicate whose value Go prints with %#v (a struct or nil slice): pass that rendering verbatim. */
export const withGoValue = (
  type: 'FieldValueInvalid' | 'FieldValueDuplicate',
  field: string,
  goValue: string,
  detail?: string,
): FieldError => ({ type, field, detail: detail ? `${goValue}: ${detail}` : goValue });

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const obj = (v: unknown): Obj => (isObj(v) ? v : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
/** Every message of a format check as Invalid errors on one field. */
export const invalidEach = (field: string, value: unknown, msgs: string[]): FieldError[] =>
  msgs.map((m) => invalid(field, value, m));

/** Go's %q-free rendering of []string{...} for messages that print string slices with %#v. */
export const goStringSlice = (xs: string[] | undefined): string =>
  xs === undefined ? '[]string(nil)' : `[]string{${xs.map((x) => JSON.stringify(x)).join(', ')}}`;

/** Structural equality for JSON-like values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined),
      kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}
