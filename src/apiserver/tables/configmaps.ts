/** `kubectl get configmaps`: Name, Data (count of data plus binaryData keys), Age. */
import type { KObject } from '../../api/meta.js';
import { ageColumn, column, doc, nameColumn } from './columns.js';
import { since } from './duration.js';
import { obj } from './format.js';
import type { Printer, PrintedRow } from './types.js';

function printConfigMap(cm: KObject, now: Date): PrintedRow {
  const keys = Object.keys(obj(cm['data'])).length + Object.keys(obj(cm['binaryData'])).length;
  return { cells: [cm.metadata.name ?? '', keys, since(cm.metadata.creationTimestamp, now)] };
}

export const configMapPrinter: Printer = {
  columns: [nameColumn(), column('Data', 'string', doc['ConfigMap.data']), ageColumn()],
  print: printConfigMap,
};
