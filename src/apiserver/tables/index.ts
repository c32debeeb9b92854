/**
 * Server-side printing: turns objects into the meta.k8s.io Table that
 * `kubectl get` renders (Accept: application/json;as=Table;g=meta.k8s.io;v=v1).
 * One printer per resource; the columns and cells match kube-apiserver's.
 */
import { bindingPrinter, rolePrinter } from './rbac.js';
import type { KObject, ListMeta } from '../../api/meta.js';
import type { ResourceInfo } from '../../api/resources.js';
import { configMapPrinter } from './configmaps.js';
import { defaultPrinter } from './default.js';
import { endpointsPrinter } from './endpoints.js';
import { endpointSlicePrinter } from './endpointslices.js';
import { eventPrinter } from './events.js';
import { ingressClassPrinter } from './ingressclasses.js';
import { ingressPrinter } from './ingresses.js';
import { leasePrinter } from './leases.js';
import { namespacePrinter } from './namespaces.js';
import { networkPolicyPrinter } from './networkpolicies.js';
import { nodePrinter } from './nodes.js';
import { podPrinter } from './pods.js';
import { serviceAccountPrinter } from './serviceaccounts.js';
import { secretPrinter } from './secrets.js';
import { servicePrinter } from './services.js';
import type { ColumnDefinition, Printer, RowCondition } from './types.js';
import {
  controllerRevisionPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  replicaSetPrinter,
  statefulSetPrinter,
} from './workloads.js';

export type { ColumnDefinition, Printer, RowCondition } from './types.js';
export { humanDuration } from './duration.js';

/** ?includeObject= on a Table request; kube-apiserver defaults to Metadata. */
type IncludeObject = 'None' | 'Metadata' | 'Object';
/** meta.k8s.io version of the Table (and of PartialObjectMetadata rows). */
type TableVersion = 'v1' | 'v1beta1';

interface TableOptions {
  includeObject: IncludeObject;
  /** For a list: the list's resourceVersion/continue/remainingItemCount. For a single GET: { resourceVersion: <object's> }. */
  listMeta?: ListMeta;
  /** Clock for Age columns; defaults to the current time. */
  now?: Date;
  /** Defaults to 'v1'. */
  version?: TableVersion;
  /**
   * Leave columnDefinitions empty. A watch sends headers with the first event
   * only (kube-apiserver sets NoHeaders after it), and kubectl keeps the first set.
   */
  noHeaders?: boolean;
}

interface TableRow {
  cells: unknown[];
  conditions?: RowCondition[];
  object?: object;
}

export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: ListMeta;
  columnDefinitions: ColumnDefinition[];
  rows: TableRow[];
}

const printers = new Map<string, Printer>([
  ['/pods', podPrinter],
  ['/services', servicePrinter],
  ['/endpoints', endpointsPrinter],
  ['/nodes', nodePrinter],
  ['/namespaces', namespacePrinter],
  ['/configmaps', configMapPrinter],
  ['/secrets', secretPrinter],
  ['/events', eventPrinter],
  ['/serviceaccounts', serviceAccountPrinter],
  ['discovery.k8s.io/endpointslices', endpointSlicePrinter],
  ['networking.k8s.io/ingresses', ingressPrinter],
  ['networking.k8s.io/ingressclasses', ingressClassPrinter],
  ['networking.k8s.io/networkpolicies', networkPolicyPrinter],
  ['coordination.k8s.io/leases', leasePrinter],
  ['apps/deployments', deploymentPrinter],
  ['apps/replicasets', replicaSetPrinter],
  ['apps/daemonsets', daemonSetPrinter],
  ['apps/statefulsets', statefulSetPrinter],
  ['apps/controllerrevisions', controllerRevisionPrinter],
  ['rbac.authorization.k8s.io/roles', rolePrinter],
  ['rbac.authorization.k8s.io/clusterroles', rolePrinter],
  ['rbac.authorization.k8s.io/rolebindings', bindingPrinter],
  ['rbac.authorization.k8s.io/clusterrolebindings', bindingPrinter],
]);

/** The printer for a resource (the Name / Created At default when it has none). */
export function printerFor(ri: Pick<ResourceInfo, 'group' | 'resource'>): Printer {
  return printers.get(`${ri.group}/${ri.resource}`) ?? defaultPrinter;
}

/** meta.k8s.io PartialObjectMetadata of an object: its whole metadata, nothing else. */
function partialObjectMetadata(o: KObject, version: TableVersion = 'v1'): object {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: o.metadata };
}

/**
 * Build the Table for one object or a list. Rows always carry the wide
 * (priority 1) cells, as server-side printing does; kubectl hides them unless
 * -o wide. row.object is omitted for None, a PartialObjectMetadata for
 * Metadata, the object itself for Object.
 */
export function toTable(
  ri: Pick<ResourceInfo, 'group' | 'resource'>,
  objects: readonly KObject[],
  opts: TableOptions,
): Table {
  const printer = printerFor(ri);
  const now = opts.now ?? new Date();
  const version = opts.version ?? 'v1';
  const rows = objects.map((o): TableRow => {
    const printed = printer.print(o, now);
    const row: TableRow = { cells: printed.cells };
    if (printed.conditions) row.conditions = printed.conditions;
    if (opts.includeObject === 'Object') row.object = o;
    else if (opts.includeObject === 'Metadata') row.object = partialObjectMetadata(o, version);
    return row;
  });
  const metadata: ListMeta = {};
  if (opts.listMeta?.resourceVersion !== undefined) metadata.resourceVersion = opts.listMeta.resourceVersion;
  if (opts.listMeta?.continue) metadata.continue = opts.listMeta.continue;
  if (opts.listMeta?.remainingItemCount !== undefined) metadata.remainingItemCount = opts.listMeta.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata,
    columnDefinitions: opts.noHeaders ? [] : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}
