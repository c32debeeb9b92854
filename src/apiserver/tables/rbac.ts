/** `kubectl get roles|clusterroles` (Name, Created At, as kube prints them) and bindings (Name, Role, Age; wide: subjects). */
import type { KObject } from '../../api/meta.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { since } from './duration.js';
import type { Printer, PrintedRow } from './types.js';

export const rolePrinter: Printer = {
  columns: [nameColumn(), column('Created At', 'date', 'Timestamp is a wrapper around time.Time')],
  print: (role: KObject): PrintedRow => ({
    cells: [role.metadata.name ?? '', role.metadata.creationTimestamp ?? ''],
  }),
};

interface Binding {
  roleRef?: { kind?: string; name?: string };
  subjects?: { kind?: string; name?: string; namespace?: string }[];
}

function subjectsOf(b: Binding, kind: string): string {
  return (b.subjects ?? [])
    .filter((s) => s.kind === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : (s.name ?? '')))
    .join(', ');
}

export const bindingPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Role', 'string', 'RoleRef is the reference to the role this binding grants.'),
    ageColumn(),
    column('Users', 'string', 'Users in the binding', 1),
    column('Groups', 'string', 'Groups in the binding', 1),
    column('ServiceAccounts', 'string', 'ServiceAccounts in the binding', 1),
  ],
  print: (o: KObject, now: Date): PrintedRow => {
    const b = o as unknown as Binding;
    return {
      cells: [
        o.metadata.name ?? '',
        `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`,
        since(o.metadata.creationTimestamp, now),
        subjectsOf(b, 'User'),
        subjectsOf(b, 'Group'),
        subjectsOf(b, 'ServiceAccount'),
      ],
    };
  },
};
