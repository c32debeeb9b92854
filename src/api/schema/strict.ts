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

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/**
 * Paths of every field in `obj` the schema does not declare, in document
 * order, formatted as kube-apiserver prints them (`spec.containers[0].foo`).
 * An unknown field is reported once; nothing below it is inspected. Values
 * whose JSON type does not fit the schema are not descended into (that is
 * a decoding error, not an unknown field). 'any' accepts everything.
 */
export function unknownFields(obj: unknown, schema: Schema): string[] {
  const out: string[] = [];
  walk(obj, schema, '', out);
  return out;
}

function walk(value: unknown, schema: Schema, path: string, out: string[]): void {
  const s = resolve(schema);
  switch (s.type) {
    case 'object':
      if (!isPlainObject(value)) return;
      for (const [key, child] of Object.entries(value)) {
        const fieldSchema = Object.prototype.hasOwnProperty.call(s.properties, key) ? s.properties[key] : undefined;
        if (!fieldSchema) out.push(join(path, key));
        else walk(child, fieldSchema, join(path, key), out);
      }
      return;
    case 'map':
      if (!isPlainObject(value)) return;
      for (const [key, child] of Object.entries(value)) walk(child, s.values, join(path, key), out);
      return;
    case 'array':
      if (!Array.isArray(value)) return;
      value.forEach((item, i) => walk(item, s.items, `${path}[${i}]`, out));
      return;
    default:
      return;
  }
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
