/** `kubectl get leases`: Name, Holder (spec.holderIdentity), Age. */
import type { KObject } from '../../api/meta.js';
import { ageColumn, column, doc, nameColumn } from './columns.js';
import { since } from './duration.js';
import { obj, str } from './format.js';
import type { Printer, PrintedRow } from './types.js';

function printLease(lease: KObject, now: Date): PrintedRow {
  return {
    cells: [
      lease.metadata.name ?? '',
      str(obj(lease['spec'])['holderIdentity']),
      since(lease.metadata.creationTimestamp, now),
    ],
  };
}

export const leasePrinter: Printer = {
  columns: [nameColumn(), column('Holder', 'string', doc['LeaseSpec.holderIdentity']), ageColumn()],
  print: printLease,
};
