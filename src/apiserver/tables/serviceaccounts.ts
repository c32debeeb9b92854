/** `kubectl get serviceaccounts`: Name, Secrets (count), Age. */
import type { KObject } from '../../api/meta.js';
import { ageColumn, column, doc, nameColumn } from './columns.js';
import { since } from './duration.js';
import { arr } from './format.js';
import type { Printer, PrintedRow } from './types.js';

function printServiceAccount(sa: KObject, now: Date): PrintedRow {
  return { cells: [sa.metadata.name ?? '', arr(sa['secrets']).length, since(sa.metadata.creationTimestamp, now)] };
}

export const serviceAccountPrinter: Printer = {
  columns: [nameColumn(), column('Secrets', 'string', doc['ServiceAccount.secrets']), ageColumn()],
  print: printServiceAccount,
};
