/**
 * Strict field validation: which fields of a request body the schema does
 * not declare. kube-apiserver finds these while decoding into its Go types
 * (sigs.k8s.io/json, case-sensitive), and names each one with a path made
 * of field names joined by "." and list indexes in brackets, without a
 * leading dot: `strict decoding error: unknown field "spec.containers[0].foo"`.
 */
import { resolve } from './index.js';
import type { Schema } from './types.js';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Paths of every field in `obj` the schema does not declare, in document
 * order, formatted as kube-apiserver prints them (`spec.containers[0].foo`).
 * An unknown field is reported once; nothing below it is inspected. Values
 * whose JSON type does not fit the schema are not descended into (that is
 * a decoding error, not an unknown field). 'any' accepts everything.
 */
export function unknownFields(obj: unknown, schema: Schema): string[] {
  const out: string[] = [];
  walkUnknown(obj, schema, [], out, false);
  return out;
}

/**
 * The walk behind unknownFields and pruneUnknownFields: reports each
 * undeclared field in `out` and, with `remove`, deletes it. `path` is the
 * current position as a stack of keys and indexes, formatted only when a
 * field is reported (most walks report nothing, so no path strings are built).
 */
export function walkUnknown(
  value: unknown,
  schema: Schema,
  path: (string | number)[],
  out: string[],
  remove: boolean,
): void {
  const s = resolve(schema);
  switch (s.type) {
    case 'object':
      if (!isPlainObject(value)) return;
      for (const key of Object.keys(value)) {
        const fieldSchema = Object.prototype.hasOwnProperty.call(s.properties, key) ? s.properties[key] : undefined;
        path.push(key);
        if (!fieldSchema) {
          out.push(formatPath(path));
          if (remove) delete value[key];
        } else {
          walkUnknown(value[key], fieldSchema, path, out, remove);
        }
        path.pop();
      }
      return;
    case 'map':
      if (!isPlainObject(value)) return;
      for (const key of Object.keys(value)) {
        path.push(key);
        walkUnknown(value[key], s.values, path, out, remove);
        path.pop();
      }
      return;
    case 'array':
      if (!Array.isArray(value)) return;
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        walkUnknown(value[i], s.items, path, out, remove);
        path.pop();
      }
      return;
    default:
      return;
  }
}

/** Field names joined by ".", list indexes in brackets, no leading dot. */
function formatPath(path: (string | number)[]): string {
  let out = '';
  for (const e of path) out += typeof e === 'number' ? `[${e}]` : out ? `.${e}` : e;
  return out;
}

/**
 * One message per unknown field, `unknown field "<path>"`. With
 * fieldValidation=Warn kube-apiserver sends each as its own Warning header;
 * with Strict it fails the request (400) with
 * `<Kind> in version "<version>" cannot be handled as a <Kind>: strict decoding error: `
 * followed by these messages joined by ", ".
 */
export function unknownFieldMessages(paths: readonly string[]): string[] {
  return paths.map((p) => `unknown field "${p}"`);
}
