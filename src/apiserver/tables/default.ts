/**
 * The table for a resource without its own printer, as kube-apiserver's
 * default table convertor builds it: Name and "Created At" (the RFC3339 timestamp).
 */
import type { KObject } from '../../api/meta.js';
import { column, doc, nameColumn } from './columns.js';
import type { Printer, PrintedRow } from './types.js';

function printDefault(o: KObject): PrintedRow {
  return { cells: [o.metadata.name ?? '', o.metadata.creationTimestamp ?? null] };
}

export const defaultPrinter: Printer = {
  columns: [nameColumn(), column('Created At', 'date', doc['ObjectMeta.creationTimestamp'])],
  print: printDefault,
};
