/**
 * `kubectl get endpoints`: Name, Endpoints, Age. Endpoints lists ready
 * ip:port pairs, at most three, then " + N more..."; "<none>" with no subsets.
 */
import type { KObject } from '../../api/meta.js';
import { ageColumn, column, doc, nameColumn } from './columns.js';
import { since } from './duration.js';
import { arr, joinHostPort, joinWithMore, num, obj, str } from './format.js';
import type { Printer, PrintedRow } from './types.js';

const max = 3;

/** Ready addresses only (notReadyAddresses are not printed), port by port within each subset. */
function formatEndpoints(subsets: unknown): string {
  const all = arr(subsets).map(obj);
  if (all.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const ss of all) {
    const addresses = arr(ss['addresses'])
      .map(obj)
      .map((a) => str(a['ip']));
    const ports = arr(ss['ports']).map(obj);
    if (ports.length === 0) {
      // Headless services may have no ports: print bare IPs.
      count += addresses.length;
      for (const ip of addresses) if (list.length < max) list.push(ip);
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const ip of addresses) if (list.length < max) list.push(joinHostPort(ip, num(port['port'])));
    }
  }
  return joinWithMore(list, count, max);
}

function printEndpoints(ep: KObject, now: Date): PrintedRow {
  return { cells: [ep.metadata.name ?? '', formatEndpoints(ep['subsets']), since(ep.metadata.creationTimestamp, now)] };
}

export const endpointsPrinter: Printer = {
  columns: [nameColumn(), column('Endpoints', 'string', doc['Endpoints.subsets']), ageColumn()],
  print: printEndpoints,
};
