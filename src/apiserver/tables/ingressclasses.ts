/** `kubectl get ingressclasses`: Name, Controller, Parameters ("Kind.apiGroup/name" or "<none>"), Age. */
import type { KObject } from '../../api/meta.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { since } from './duration.js';
import { obj, str } from './format.js';
import type { Printer, PrintedRow } from './types.js';

function printIngressClass(ic: KObject, now: Date): PrintedRow {
  const spec = obj(ic['spec']);
  let parameters = '<none>';
  if (spec['parameters'] !== undefined && spec['parameters'] !== null) {
    const p = obj(spec['parameters']);
    parameters = str(p['kind']);
    if (typeof p['apiGroup'] === 'string') parameters += `.${p['apiGroup']}`;
    parameters += `/${str(p['name'])}`;
  }
  return {
    cells: [ic.metadata.name ?? '', str(spec['controller']), parameters, since(ic.metadata.creationTimestamp, now)],
  };
}

export const ingressClassPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Controller', 'string', 'Controller that is responsible for handling this class'),
    column('Parameters', 'string', 'A reference to a resource with additional parameters'),
    ageColumn(),
  ],
  print: printIngressClass,
};
