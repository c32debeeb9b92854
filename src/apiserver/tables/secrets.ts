/** `kubectl get secrets`: Name, Type, Data (count of data keys), Age. */
import type { KObject } from '../../api/meta.js';
import { ageColumn, column, doc, nameColumn } from './columns.js';
import { since } from './duration.js';
import { obj, str } from './format.js';
import type { Printer, PrintedRow } from './types.js';

function printSecret(secret: KObject, now: Date): PrintedRow {
  return {
    cells: [
      secret.metadata.name ?? '',
      str(secret['type']),
      Object.keys(obj(secret['data'])).length,
      since(secret.metadata.creationTimestamp, now),
    ],
  };
}

export const secretPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Type', 'string', doc['Secret.type']),
    column('Data', 'string', doc['Secret.data']),
    ageColumn(),
  ],
  print: printSecret,
};
