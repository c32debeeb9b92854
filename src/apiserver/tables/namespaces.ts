/** `kubectl get namespaces`: Name, Status (Active, Terminating), Age. */
import type { KObject } from '../../api/meta.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { since } from './duration.js';
import { obj, str } from './format.js';
import type { Printer, PrintedRow } from './types.js';

function printNamespace(ns: KObject, now: Date): PrintedRow {
  return {
    cells: [ns.metadata.name ?? '', str(obj(ns['status'])['phase']), since(ns.metadata.creationTimestamp, now)],
  };
}

export const namespacePrinter: Printer = {
  columns: [nameColumn(), column('Status', 'string', 'The status of the namespace'), ageColumn()],
  print: printNamespace,
};
