/**
 * The 409 an apply gets when it would change fields other managers own,
 * worded as kube-apiserver's fieldmanager words it, e.g.
 * `Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .spec.ports[port=80,protocol="TCP"].targetPort`.
 */
import { ApiError, type StatusCause } from '../../../api/errors.js';
import { pathString, type FieldSet } from './fieldpath.js';
import { printManager, type ManagerFields } from './managed-fields.js';

export interface ManagerConflict {
  id: string;
  manager: ManagerFields;
  fields: FieldSet;
}

export function conflictError(conflicts: ManagerConflict[]): ApiError {
  // Grouped by manager identity, sorted as strings, paths in set order.
  const sorted = [...conflicts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const flat = sorted.flatMap((c) =>
    c.fields.ordered().map((p) => ({ who: printManager(c.manager), path: pathString(p) })),
  );
  const causes: StatusCause[] = flat.map((f) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${f.who}`,
    field: f.path,
  }));
  let message: string;
  if (flat.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${flat[0]!.who}: ${flat[0]!.path}`;
  } else {
    const lines: string[] = [];
    for (const c of sorted) {
      lines.push(`conflicts with ${printManager(c.manager)}:`);
      for (const p of c.fields.ordered()) lines.push(`- ${pathString(p)}`);
    }
    message = `Apply failed with ${flat.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}
