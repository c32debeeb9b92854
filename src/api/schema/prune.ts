/**
 * Drop the fields a schema does not declare, in place: what kube-apiserver's
 * decoder does to built-in kinds when fieldValidation is Warn or Ignore
 * (unknown fields are reported or ignored, never stored).
 */
import { walkUnknown } from './strict.js';
import type { Schema } from './types.js';

/**
 * Removes every undeclared field and returns their paths as unknownFields
 * names them, so a caller that needs both does one walk instead of two.
 */
export function pruneUnknownFields(value: unknown, schema: Schema): string[] {
  const removed: string[] = [];
  walkUnknown(value, schema, [], removed, true);
  return removed;
}
