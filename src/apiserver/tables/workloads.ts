/**
 * `kubectl get` for apps/v1: deployments (Ready "ready/desired", Up-to-date,
 * Available), replicasets (Desired, Current, Ready), daemonsets (Desired,
 * Current, Ready, Up-to-date, Available, Node Selector), statefulsets
 * (Ready), each with wide Containers, Images (and Selector); and
 * controllerrevisions (Controller, Revision).
 */
import type { KObject } from '../../api/meta.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { since } from './duration.js';
import { arr, formatLabels, obj, str } from './format.js';
import { labelSelectorFromObject, labelSelectorString, type LabelSelectorObject } from '../../api/selectors/index.js';
import type { Printer, PrintedRow } from './types.js';

/** The apps/v1 field documentation the columns carry (k8s.io/api swagger docs, v1.32). */
const appsDoc = {
  ready: 'Number of the pod with ready state',
  containers: 'Names of each container in the template.',
  images: 'Images referenced by each container in the template.',
  'DeploymentStatus.updatedReplicas':
    'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
  'DeploymentStatus.availableReplicas':
    'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
  'DeploymentSpec.selector':
    "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels.",
  'ReplicaSetSpec.replicas':
    'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller',
  'ReplicaSetStatus.replicas':
    'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller',
  'ReplicaSetStatus.readyReplicas': 'The number of ready replicas for this replica set.',
  'ReplicaSetSpec.selector':
    'Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
  'DaemonSetStatus.desiredNumberScheduled':
    'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/',
  'DaemonSetStatus.currentNumberScheduled':
    'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/',
  'DaemonSetStatus.numberReady':
    'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.',
  'DaemonSetStatus.updatedNumberScheduled': 'The total number of nodes that are running updated daemon pod',
  'DaemonSetStatus.numberAvailable':
    'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)',
  'PodSpec.nodeSelector':
    "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
  'DaemonSetSpec.selector':
    'A label query over pods that are managed by the daemon set. Must match in order to be controlled. If empty, defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
  'ControllerRevision.revision': 'Revision indicates the revision of the state represented by Data.',
} as const;

const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** layoutContainerCells: names and images joined with ",". */
function containerCells(o: KObject): [string, string] {
  const containers = arr(obj(obj(obj(o['spec'])['template'])['spec'])['containers']).map(obj);
  return [containers.map((c) => str(c['name'])).join(','), containers.map((c) => str(c['image'])).join(',')];
}

/** LabelSelectorAsSelector(...).String(): requirements sorted by key; "" selects everything, "<none>" nothing. */
function selectorCell(sel: unknown): string {
  try {
    const parsed = labelSelectorFromObject(sel as LabelSelectorObject | undefined);
    if (parsed === 'nothing') return '<none>';
    const requirements = [...parsed.requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return labelSelectorString({ requirements });
  } catch {
    return '<invalid>';
  }
}

const wideColumns = (selectorDoc?: string) => [
  column('Containers', 'string', appsDoc.containers, 1),
  column('Images', 'string', appsDoc.images, 1),
  ...(selectorDoc ? [column('Selector', 'string', selectorDoc, 1)] : []),
];

function printDeployment(o: KObject, now: Date): PrintedRow {
  const spec = obj(o['spec']),
    status = obj(o['status']);
  const [names, images] = containerCells(o);
  return {
    cells: [
      o.metadata.name ?? '',
      `${int(status['readyReplicas'])}/${int(spec['replicas'])}`,
      int(status['updatedReplicas']),
      int(status['availableReplicas']),
      since(o.metadata.creationTimestamp, now),
      names,
      images,
      selectorCell(spec['selector']),
    ],
  };
}

export const deploymentPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Ready', 'string', appsDoc.ready),
    column('Up-to-date', 'string', appsDoc['DeploymentStatus.updatedReplicas']),
    column('Available', 'string', appsDoc['DeploymentStatus.availableReplicas']),
    ageColumn(),
    ...wideColumns(appsDoc['DeploymentSpec.selector']),
  ],
  print: printDeployment,
};

function printReplicaSet(o: KObject, now: Date): PrintedRow {
  const spec = obj(o['spec']),
    status = obj(o['status']);
  const [names, images] = containerCells(o);
  return {
    cells: [
      o.metadata.name ?? '',
      int(spec['replicas']),
      int(status['replicas']),
      int(status['readyReplicas']),
      since(o.metadata.creationTimestamp, now),
      names,
      images,
      selectorCell(spec['selector']),
    ],
  };
}

export const replicaSetPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', appsDoc['ReplicaSetSpec.replicas']),
    column('Current', 'integer', appsDoc['ReplicaSetStatus.replicas']),
    column('Ready', 'integer', appsDoc['ReplicaSetStatus.readyReplicas']),
    ageColumn(),
    ...wideColumns(appsDoc['ReplicaSetSpec.selector']),
  ],
  print: printReplicaSet,
};

function printDaemonSet(o: KObject, now: Date): PrintedRow {
  const spec = obj(o['spec']),
    status = obj(o['status']);
  const [names, images] = containerCells(o);
  return {
    cells: [
      o.metadata.name ?? '',
      int(status['desiredNumberScheduled']),
      int(status['currentNumberScheduled']),
      int(status['numberReady']),
      int(status['updatedNumberScheduled']),
      int(status['numberAvailable']),
      formatLabels(obj(obj(spec['template'])['spec'])['nodeSelector']),
      since(o.metadata.creationTimestamp, now),
      names,
      images,
      selectorCell(spec['selector']),
    ],
  };
}

export const daemonSetPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', appsDoc['DaemonSetStatus.desiredNumberScheduled']),
    column('Current', 'integer', appsDoc['DaemonSetStatus.currentNumberScheduled']),
    column('Ready', 'integer', appsDoc['DaemonSetStatus.numberReady']),
    column('Up-to-date', 'integer', appsDoc['DaemonSetStatus.updatedNumberScheduled']),
    column('Available', 'integer', appsDoc['DaemonSetStatus.numberAvailable']),
    column('Node Selector', 'string', appsDoc['PodSpec.nodeSelector']),
    ageColumn(),
    ...wideColumns(appsDoc['DaemonSetSpec.selector']),
  ],
  print: printDaemonSet,
};

function printStatefulSet(o: KObject, now: Date): PrintedRow {
  const spec = obj(o['spec']),
    status = obj(o['status']);
  const [names, images] = containerCells(o);
  return {
    cells: [
      o.metadata.name ?? '',
      `${int(status['readyReplicas'])}/${int(spec['replicas'])}`,
      since(o.metadata.creationTimestamp, now),
      names,
      images,
    ],
  };
}

export const statefulSetPrinter: Printer = {
  columns: [nameColumn(), column('Ready', 'string', appsDoc.ready), ageColumn(), ...wideColumns()],
  print: printStatefulSet,
};

function printControllerRevision(o: KObject, now: Date): PrintedRow {
  const owner = o.metadata.ownerReferences?.find((r) => r.controller);
  let controller = '<none>';
  if (owner) {
    const slash = owner.apiVersion.indexOf('/');
    const group = slash < 0 ? '' : owner.apiVersion.slice(0, slash);
    controller = `${owner.kind.toLowerCase()}${group ? `.${group}` : ''}/${owner.name}`;
  }
  return { cells: [o.metadata.name ?? '', controller, int(o['revision']), since(o.metadata.creationTimestamp, now)] };
}

export const controllerRevisionPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Controller', 'string', 'Controller of the object'),
    column('Revision', 'string', appsDoc['ControllerRevision.revision']),
    ageColumn(),
  ],
  print: printControllerRevision,
};
