/**
 * Drop the fields a schema does not declare, in place: what kube-apiserver's
 * decoder does to built-in kinds when fieldValidation is Warn or Ignore
 * (unknown fields are reported or ignored, never stored).
 */
import { resolve } from './index.js';
import type { Schema } from './types.js';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function pruneUnknownFields(value: unknown, schema: Schema): void {
  const s = resolve(schema);
  if (s.type === 'object' && isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      const child = Object.prototype.hasOwnProperty.call(s.properties, key) ? s.properties[key] : undefined;
      if (!child) delete value[key];
      else pruneUnknownFields(value[key], child);
    }
  } else if (s.type === 'map' && isPlainObject(value)) {
    for (const child of Object.values(value)) pruneUnknownFields(child, s.values);
  } else if (s.type === 'array' && Array.isArray(value)) {
    for (const item of value) pruneUnknownFields(item, s.items);
  }
}
