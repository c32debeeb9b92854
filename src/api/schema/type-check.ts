/**
 * Type checking of a request body against its kind's schema, as
 * kube-apiserver's decoder does when it unmarshals JSON into Go structs: a
 * number where a string belongs (ConfigMap data, labels, selectors) is
 * refused with Go's message, e.g.
 * `json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string`.
 * null fits every field (Go leaves the zero value); unknown fields are not
 * this module's business (strict.ts, prune.ts).
 */
import { definitions } from './index.js';
import type { Schema } from './types.js';

const INT32 = { min: -2147483648, max: 2147483647 };

/** Where the walk is: the innermost Go struct and the dotted field path from the root. */
interface Place {
  struct: string;
  path: string;
}

/**
 * Go's UnmarshalTypeError text for the first value in `value` whose JSON
 * type does not fit `schema`, or undefined when every value fits. `rootRef`
 * names the kind's definition ("io.k8s.api.core.v1.ConfigMap").
 */
export function typeMismatch(value: unknown, rootRef: string): string | undefined {
  return check(value, { type: 'ref', ref: rootRef }, { struct: '', path: '' });
}

function check(value: unknown, schema: Schema, at: Place): string | undefined {
  if (value === null || value === undefined) return undefined;
  let s = schema;
  let ref: string | undefined;
  while (s.type === 'ref') {
    ref = s.ref;
    s = definitions[s.ref] ?? { type: 'any' };
  }
  switch (s.type) {
    case 'any':
      return undefined;
    case 'string':
      if (s.format === 'int-or-string' || s.format === 'quantity') return intOrString(value, s.format, at);
      return typeof value === 'string' ? undefined : mismatch(value, s.format === 'byte' ? '[]uint8' : 'string', at);
    case 'int-or-string':
    case 'quantity':
      return intOrString(value, s.type, at);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : mismatch(value, 'bool', at);
    case 'number':
      return typeof value === 'number' ? undefined : mismatch(value, 'float64', at);
    case 'integer': {
      const goType = s.format === 'int32' ? 'int32' : 'int64';
      if (typeof value !== 'number') return mismatch(value, goType, at);
      const fits =
        Number.isInteger(value) &&
        (goType === 'int32' ? value >= INT32.min && value <= INT32.max : Number.isSafeInteger(value));
      return fits ? undefined : message(`number ${value}`, goType, at);
    }
    case 'map': {
      if (!isPlainObject(value)) return mismatch(value, goTypeOf(schema), at);
      for (const v of Object.values(value)) {
        const e = check(v, s.values, at);
        if (e) return e;
      }
      return undefined;
    }
    case 'array': {
      if (!Array.isArray(value)) return mismatch(value, goTypeOf(schema), at);
      for (const v of value) {
        const e = check(v, s.items, at);
        if (e) return e;
      }
      return undefined;
    }
    case 'object': {
      if (!isPlainObject(value)) return mismatch(value, goTypeOf(schema), at);
      const struct = ref ? shortName(ref) : at.struct;
      for (const [key, v] of Object.entries(value)) {
        const field = Object.prototype.hasOwnProperty.call(s.properties, key) ? s.properties[key] : undefined;
        if (!field) continue;
        const e = check(v, field, { struct, path: at.path ? `${at.path}.${key}` : key });
        if (e) return e;
      }
      return undefined;
    }
  }
}

/** IntOrString and Quantity decode from a JSON string or number only. */
function intOrString(value: unknown, kind: string, at: Place): string | undefined {
  if (typeof value === 'string' || typeof value === 'number') return undefined;
  return mismatch(value, kind === 'quantity' ? 'resource.Quantity' : 'intstr.IntOrString', at);
}

function mismatch(value: unknown, goType: string, at: Place): string {
  return message(jsonKind(value), goType, at);
}

function message(what: string, goType: string, at: Place): string {
  if (!at.path) return `json: cannot unmarshal ${what} into Go value of type ${goType}`;
  return `json: cannot unmarshal ${what} into Go struct field ${at.struct}.${at.path} of type ${goType}`;
}

/** Go's word for a JSON value's kind in UnmarshalTypeError. */
function jsonKind(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

/** The Go type a schema decodes into, as reflect prints it: `map[string]string`, `[]v1.Container`, `v1.ObjectMeta`. */
function goTypeOf(schema: Schema): string {
  switch (schema.type) {
    case 'ref':
      return definitions[schema.ref]?.type === 'object'
        ? qualifiedName(schema.ref)
        : goTypeOf(definitions[schema.ref]!);
    case 'string':
      return schema.format === 'byte' ? '[]uint8' : 'string';
    case 'integer':
      return schema.format === 'int32' ? 'int32' : 'int64';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'int-or-string':
      return 'intstr.IntOrString';
    case 'quantity':
      return 'resource.Quantity';
    case 'map':
      return `map[string]${goTypeOf(schema.values)}`;
    case 'array':
      return `[]${goTypeOf(schema.items)}`;
    case 'object':
      return 'struct';
    case 'any':
      return 'interface {}';
  }
}

/** "io.k8s.api.core.v1.ServicePort" -> "ServicePort". */
const shortName = (ref: string) => ref.slice(ref.lastIndexOf('.') + 1);

/** "io.k8s.api.core.v1.ServicePort" -> "v1.ServicePort" (Go's package-qualified name). */
function qualifiedName(ref: string): string {
  const parts = ref.split('.');
  return parts.slice(-2).join('.');
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
