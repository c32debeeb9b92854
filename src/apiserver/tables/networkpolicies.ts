/** `kubectl get networkpolicies`: Name, Pod-Selector ("<none>" selects every pod), Age. */
import type { KObject } from '../../api/meta.js';
import { ageColumn, column, doc, nameColumn } from './columns.js';
import { since } from './duration.js';
import { formatLabelSelector, obj } from './format.js';
import type { Printer, PrintedRow } from './types.js';

function printNetworkPolicy(np: KObject, now: Date): PrintedRow {
  // podSelector is a value, not a pointer, in the API: absent reads as empty.
  const selector = formatLabelSelector(obj(obj(np['spec'])['podSelector']));
  return { cells: [np.metadata.name ?? '', selector, since(np.metadata.creationTimestamp, now)] };
}

export const networkPolicyPrinter: Printer = {
  columns: [nameColumn(), column('Pod-Selector', 'string', doc['NetworkPolicySpec.podSelector']), ageColumn()],
  print: printNetworkPolicy,
};
