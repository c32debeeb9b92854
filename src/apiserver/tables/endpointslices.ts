/**
 * `kubectl get endpointslices`: Name, AddressType, Ports, Endpoints, Age.
 * Ports show the number (or the name, or "*" for all ports); both lists stop
 * at three with " + N more..." and read "<unset>" when empty.
 */
import type { KObject } from '../../api/meta.js';
import { ageColumn, column, doc, nameColumn } from './columns.js';
import { since } from './duration.js';
import { arr, joinWithMore, obj, str } from './format.js';
import type { Printer, PrintedRow } from './types.js';

const max = 3;

const orUnset = (s: string): string => (s === '' ? '<unset>' : s);

function formatPorts(ports: unknown): string {
  const list = arr(ports)
    .map(obj)
    .map((p) => {
      if (typeof p['port'] === 'number') return String(p['port']);
      if (typeof p['name'] === 'string') return p['name'];
      return '*';
    });
  return orUnset(joinWithMore(list, list.length, max));
}

function formatAddresses(endpoints: unknown): string {
  const list = arr(endpoints)
    .map(obj)
    .flatMap((e) => arr(e['addresses']).map(str));
  return orUnset(joinWithMore(list, list.length, max));
}

function printEndpointSlice(slice: KObject, now: Date): PrintedRow {
  return {
    cells: [
      slice.metadata.name ?? '',
      str(slice['addressType']),
      formatPorts(slice['ports']),
      formatAddresses(slice['endpoints']),
      since(slice.metadata.creationTimestamp, now),
    ],
  };
}

export const endpointSlicePrinter: Printer = {
  columns: [
    nameColumn(),
    column('AddressType', 'string', doc['EndpointSlice.addressType']),
    column('Ports', 'string', doc['EndpointSlice.ports']),
    column('Endpoints', 'string', doc['EndpointSlice.endpoints']),
    ageColumn(),
  ],
  print: printEndpointSlice,
};
