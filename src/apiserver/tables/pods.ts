/**
 * `kubectl get pods`: Name, Ready, Status, Restarts, Age; wide IP, Node,
 * Nominated Node, Readiness Gates. Status follows kube's printer: phase or
 * status.reason, then init container progress (Init:0/1, Init:CrashLoopBackOff,
 * Init:ExitCode:1), then the main containers' waiting/terminated reasons
 * (ContainerCreating, CrashLoopBackOff, Completed, Error, ExitCode:N,
 * Signal:N), Terminating or Unknown (NodeLost) while being deleted.
 */
import type { KObject } from '../../api/meta.js';
import { ageColumn, column, doc, nameColumn } from './columns.js';
import { since } from './duration.js';
import { arr, num, obj, str } from './format.js';
import type { Printer, PrintedRow, RowCondition } from './types.js';

const succeeded: RowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
];
const failed: RowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

type Obj = Record<string, unknown>;

/** Later of two RFC3339 times ('' is the zero time). */
const later = (a: string, b: string): string => (b !== '' && (a === '' || Date.parse(b) > Date.parse(a)) ? b : a);

const isRestartableInit = (c: Obj | undefined): boolean => c?.['restartPolicy'] === 'Always';

function conditionTrue(status: Obj, type: string): boolean {
  for (const c of arr(status['conditions']).map(obj)) {
    if (c['type'] === type) return c['status'] === 'True';
  }
  return false;
}

function hasPodReady(status: Obj): boolean {
  return arr(status['conditions'])
    .map(obj)
    .some((c) => c['type'] === 'Ready' && c['status'] === 'True');
}

const lastTerminatedAt = (cs: Obj): string => str(obj(obj(cs['lastState'])['terminated'])['finishedAt']);

function printPod(pod: KObject, now: Date): PrintedRow {
  const spec = obj(pod['spec']);
  const status = obj(pod['status']);
  const initSpecs = arr(spec['initContainers']).map(obj);
  const initByName = new Map(initSpecs.map((c) => [str(c['name']), c]));

  let restarts = 0;
  let sidecarRestarts = 0;
  const totalContainers = arr(spec['containers']).length + initSpecs.filter(isRestartableInit).length;
  let readyContainers = 0;
  let lastRestart = '';
  let lastSidecarRestart = '';

  const phase = str(status['phase']);
  let reason = str(status['reason']) || phase;
  for (const c of arr(status['conditions']).map(obj)) {
    if (c['type'] === 'PodScheduled' && c['reason'] === 'SchedulingGated') reason = 'SchedulingGated';
  }

  // Init containers run in order; the first one not done decides the status.
  let initializing = false;
  const initStatuses = arr(status['initContainerStatuses']).map(obj);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i]!;
    const state = obj(cs['state']);
    const terminated = state['terminated'] ? obj(state['terminated']) : undefined;
    const waiting = state['waiting'] ? obj(state['waiting']) : undefined;
    const sidecar = isRestartableInit(initByName.get(str(cs['name'])));
    restarts += num(cs['restartCount']);
    lastRestart = later(lastRestart, lastTerminatedAt(cs));
    if (sidecar) {
      sidecarRestarts += num(cs['restartCount']);
      lastSidecarRestart = later(lastSidecarRestart, lastTerminatedAt(cs));
    }
    if (terminated && num(terminated['exitCode']) === 0) continue;
    if (sidecar && cs['started'] === true) {
      if (cs['ready'] === true) readyContainers++;
      continue;
    }
    if (terminated) {
      const r = str(terminated['reason']);
      if (r !== '') reason = `Init:${r}`;
      else if (num(terminated['signal']) !== 0) reason = `Init:Signal:${num(terminated['signal'])}`;
      else reason = `Init:ExitCode:${num(terminated['exitCode'])}`;
    } else if (waiting && str(waiting['reason']) !== '' && waiting['reason'] !== 'PodInitializing') {
      reason = `Init:${str(waiting['reason'])}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = arr(status['containerStatuses']).map(obj);
    // Walk backwards so the first container's reason wins, as kube does.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i]!;
      const state = obj(cs['state']);
      const terminated = state['terminated'] ? obj(state['terminated']) : undefined;
      const waiting = state['waiting'] ? obj(state['waiting']) : undefined;
      restarts += num(cs['restartCount']);
      lastRestart = later(lastRestart, lastTerminatedAt(cs));
      if (waiting && str(waiting['reason']) !== '') {
        reason = str(waiting['reason']);
      } else if (terminated && str(terminated['reason']) !== '') {
        reason = str(terminated['reason']);
      } else if (terminated) {
        reason =
          num(terminated['signal']) !== 0
            ? `Signal:${num(terminated['signal'])}`
            : `ExitCode:${num(terminated['exitCode'])}`;
      } else if (cs['ready'] === true && state['running']) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A pod with one container still running is not "Completed".
    if (reason === 'Completed' && hasRunning) reason = hasPodReady(status) ? 'Running' : 'NotReady';
  }

  const meta = pod.metadata;
  if (meta.deletionTimestamp && status['reason'] === 'NodeLost') reason = 'Unknown';
  else if (meta.deletionTimestamp) reason = 'Terminating';

  const restartsCell =
    restarts !== 0 && lastRestart !== '' ? `${restarts} (${since(lastRestart, now)} ago)` : String(restarts);

  const podIPs = arr(status['podIPs']).map(obj);
  const podIP = str(podIPs[0]?.['ip']) || str(status['podIP']) || '<none>';
  const nodeName = str(spec['nodeName']) || '<none>';
  const nominated = str(status['nominatedNodeName']) || '<none>';
  const gates = arr(spec['readinessGates']).map(obj);
  let readinessGates = '<none>';
  if (gates.length > 0) {
    let trueConditions = 0;
    for (const gate of gates) {
      const c = arr(status['conditions'])
        .map(obj)
        .find((x) => x['type'] === gate['conditionType']);
      if (c?.['status'] === 'True') trueConditions++;
    }
    readinessGates = `${trueConditions}/${gates.length}`;
  }

  const row: PrintedRow = {
    cells: [
      meta.name ?? '',
      `${readyContainers}/${totalContainers}`,
      reason,
      restartsCell,
      since(meta.creationTimestamp, now),
      podIP,
      nodeName,
      nominated,
      readinessGates,
    ],
  };
  if (phase === 'Succeeded') row.conditions = succeeded;
  else if (phase === 'Failed') row.conditions = failed;
  return row;
}

export const podPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'string', 'The aggregate status of the containers in this pod.'),
    column(
      'Restarts',
      'string',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    ageColumn(),
    column('IP', 'string', doc['PodStatus.podIP'], 1),
    column('Node', 'string', doc['PodSpec.nodeName'], 1),
    column('Nominated Node', 'string', doc['PodStatus.nominatedNodeName'], 1),
    column('Readiness Gates', 'string', doc['PodSpec.readinessGates'], 1),
  ],
  print: printPod,
};
