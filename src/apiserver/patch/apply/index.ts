/** Server-side apply: the entry point the API server's PATCH handler uses. */
export { apply, updateManagedFields, type ApplyResult } from './apply.js';
export { FieldSet, pathString, type FieldPath } from './fieldpath.js';
export { decodeManagedFields, encodeManagedFields, managerIdentifier, type ManagerFields } from './managed-fields.js';
