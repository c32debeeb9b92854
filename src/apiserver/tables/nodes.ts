/**
 * `kubectl get nodes`: Name, Status, Roles, Age, Version; wide Internal-IP,
 * External-IP, OS-Image, Kernel-Version, Container-Runtime. Status is Ready,
 * NotReady or Unknown, with ",SchedulingDisabled" when cordoned; roles come
 * from node-role.kubernetes.io/<role> and kubernetes.io/role labels.
 */
import type { KObject } from '../../api/meta.js';
import { ageColumn, column, doc, nameColumn } from './columns.js';
import { since } from './duration.js';
import { arr, obj, str } from './format.js';
import type { Printer, PrintedRow } from './types.js';

const rolePrefix = 'node-role.kubernetes.io/';

/** Sorted, de-duplicated roles of a node. */
function nodeRoles(labels: unknown): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(obj(labels))) {
    if (k.startsWith(rolePrefix)) {
      const role = k.slice(rolePrefix.length);
      if (role !== '') roles.add(role);
    } else if (k === 'kubernetes.io/role' && str(v) !== '') {
      roles.add(str(v));
    }
  }
  return [...roles].sort();
}

function nodeAddress(status: Record<string, unknown>, type: string): string {
  const a = arr(status['addresses'])
    .map(obj)
    .find((x) => x['type'] === type);
  return a ? str(a['address']) : '<none>';
}

function printNode(node: KObject, now: Date): PrintedRow {
  const status = obj(node['status']);
  const info = obj(status['nodeInfo']);
  // Only the Ready condition is summarized; the last entry of that type wins.
  let ready: Record<string, unknown> | undefined;
  for (const c of arr(status['conditions']).map(obj)) if (c['type'] === 'Ready') ready = c;
  const states: string[] = [];
  if (ready) states.push(ready['status'] === 'True' ? 'Ready' : 'NotReady');
  else states.push('Unknown');
  if (obj(node['spec'])['unschedulable'] === true) states.push('SchedulingDisabled');
  const roles = nodeRoles(node.metadata.labels).join(',') || '<none>';
  return {
    cells: [
      node.metadata.name ?? '',
      states.join(','),
      roles,
      since(node.metadata.creationTimestamp, now),
      str(info['kubeletVersion']),
      nodeAddress(status, 'InternalIP'),
      nodeAddress(status, 'ExternalIP'),
      str(info['osImage']) || '<unknown>',
      str(info['kernelVersion']) || '<unknown>',
      str(info['containerRuntimeVersion']) || '<unknown>',
    ],
  };
}

export const nodePrinter: Printer = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    ageColumn(),
    column('Version', 'string', doc['NodeSystemInfo.kubeletVersion']),
    column('Internal-IP', 'string', doc['NodeStatus.addresses'], 1),
    column('External-IP', 'string', doc['NodeStatus.addresses'], 1),
    column('OS-Image', 'string', doc['NodeSystemInfo.osImage'], 1),
    column('Kernel-Version', 'string', doc['NodeSystemInfo.kernelVersion'], 1),
    column('Container-Runtime', 'string', doc['NodeSystemInfo.containerRuntimeVersion'], 1),
  ],
  print: printNode,
};
