/**
 * The pod status the agent publishes (kubelet generateAPIPodStatus with the
 * status manager's timestamp rules). Deterministic: the same inputs give a
 * deep-equal status, so the agent PATCHes only when statusEqual says it changed.
 */
import { qosClass } from './resources.js';
import type { SandboxState } from '../runtime/types.js';
import { containerStatuses, type WaitingInfo } from './container-status.js';
import {
  rfc3339,
  type ContainerStatus,
  type Pod,
  type PodCondition,
  type PodPhase,
  type PodStatus,
  type ProbeStates,
} from './types.js';

export interface StatusInput {
  pod: Pod;
  sandbox?: SandboxState;
  probe: ProbeStates;
  /** Why a container that should run is not running (the kubelet's reason cache). */
  waiting: Record<string, WaitingInfo | undefined>;
  /** Milliseconds since the epoch; only used for new timestamps. */
  now: number;
  hostIp: string;
  /** Set once the agent has stopped the pod for good (deleted, or finished): stopped containers then decide Succeeded/Failed. */
  podIsTerminal?: boolean;
  imageIDs?: Record<string, string>;
}

/** Conditions the kubelet owns; others (set by controllers) are carried over untouched. */
const KUBELET_CONDITIONS = new Set([
  'PodScheduled',
  'Ready',
  'Initialized',
  'ContainersReady',
  'PodReadyToStartContainers',
]);

const isTerminal = (p: PodPhase | undefined): p is 'Succeeded' | 'Failed' => p === 'Succeeded' || p === 'Failed';

/** The kubelet's getPhase for pods without sidecar containers. */
export function podPhase(pod: Pod, init: ContainerStatus[], app: ContainerStatus[], podIsTerminal: boolean): PodPhase {
  let pendingInit = 0;
  let failedInit = 0;
  for (const c of pod.spec.initContainers ?? []) {
    const s = init.find((x) => x.name === c.name);
    if (!s) {
      pendingInit++;
      continue;
    }
    if (s.state.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state.waiting && s.lastState.terminated) {
      if (s.lastState.terminated.exitCode !== 0) failedInit++;
    } else pendingInit++;
  }
  let unknown = 0,
    running = 0,
    waiting = 0,
    stopped = 0,
    succeeded = 0;
  for (const c of pod.spec.containers) {
    const s = app.find((x) => x.name === c.name);
    if (!s) {
      unknown++;
      continue;
    }
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  const policy = pod.spec.restartPolicy ?? 'Always';
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  const anyAppStarted = app.some((s) => s.state.running || s.state.terminated || s.lastState.terminated);
  if ((pendingInit > 0 && !anyAppStarted) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

/** Go's %s of a []string: [a b]. */
const goList = (xs: string[]): string => `[${xs.join(' ')}]`;

function containersReady(pod: Pod, app: ContainerStatus[], phase: PodPhase): PodCondition {
  const unknown: string[] = [];
  const unready: string[] = [];
  for (const c of pod.spec.containers) {
    const s = app.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  if ((phase === 'Succeeded' && unknown.length === 0) || phase === 'Failed') {
    return { type: 'ContainersReady', status: 'False', reason: phase === 'Failed' ? 'PodFailed' : 'PodCompleted' };
  }
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${goList(unknown)}`);
  if (unready.length) msgs.push(`containers with unready status: ${goList(unready)}`);
  if (msgs.length)
    return { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: msgs.join(', ') };
  return { type: 'ContainersReady', status: 'True' };
}

function podReady(pod: Pod, cr: PodCondition, others: PodCondition[]): PodCondition {
  if (cr.status !== 'True') return { ...cr, type: 'Ready' };
  const msgs: string[] = [];
  for (const gate of pod.spec.readinessGates ?? []) {
    const c = others.find((x) => x.type === gate.conditionType);
    if (!c) msgs.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
    else if (c.status !== 'True')
      msgs.push(`the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`);
  }
  if (msgs.length)
    return { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: msgs.join(', ') };
  return { type: 'Ready', status: 'True' };
}

function initialized(pod: Pod, init: ContainerStatus[], app: ContainerStatus[], phase: PodPhase): PodCondition {
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of pod.spec.initContainers ?? []) {
    const s = init.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0)
    return { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  // An app container that ever started means initialization finished earlier.
  if (app.some((s) => s.state.running || s.state.terminated || s.lastState.terminated))
    return { type: 'Initialized', status: 'True' };
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${goList(unknown)}`);
  if (incomplete.length) msgs.push(`containers with incomplete status: ${goList(incomplete)}`);
  if (msgs.length)
    return { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: msgs.join(', ') };
  return { type: 'Initialized', status: 'True' };
}

/** Keeps the previous lastTransitionTime while a condition's status is unchanged (status manager rule). */
function stamp(c: PodCondition, old: PodCondition[] | undefined, now: number): PodCondition {
  const prev = old?.find((x) => x.type === c.type);
  const lastTransitionTime =
    prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(now);
  return { ...c, lastTransitionTime };
}

/** The full pod status to publish. */
export function podStatus(input: StatusInput): PodStatus {
  const { pod, sandbox, now } = input;
  const old = pod.status ?? {};
  const init = containerStatuses(input, true);
  const app = containerStatuses(input, false);

  let phase = podPhase(pod, init, app, input.podIsTerminal ?? false);
  // Pods never leave a terminal phase.
  if (isTerminal(old.phase) && phase !== old.phase) phase = old.phase;

  const others = (old.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.has(c.type));
  const cr = containersReady(pod, app, phase);
  const conditions = [
    ...others,
    stamp({ type: 'PodReadyToStartContainers', status: sandbox?.alive ? 'True' : 'False' }, old.conditions, now),
    stamp(initialized(pod, init, app, phase), old.conditions, now),
    stamp(podReady(pod, cr, others), old.conditions, now),
    stamp(cr, old.conditions, now),
    stamp({ type: 'PodScheduled', status: 'True' }, old.conditions, now),
  ];

  const status: PodStatus = { phase, conditions };
  if (phase === old.phase) {
    // Reason and message belong to the phase (e.g. Evicted): kept while it lasts.
    if (old.reason) status.reason = old.reason;
    if (old.message) status.message = old.message;
  }
  status.hostIP = input.hostIp;
  status.hostIPs = [{ ip: input.hostIp }];
  const podIp = pod.spec.hostNetwork ? input.hostIp : sandbox?.alive ? sandbox.ip : old.podIP;
  if (podIp) {
    status.podIP = podIp;
    status.podIPs = [{ ip: podIp }];
  }
  status.startTime = old.startTime ?? rfc3339(now);
  status.qosClass = old.qosClass ?? safeQos(pod.spec);
  if (init.length) status.initContainerStatuses = init;
  status.containerStatuses = app;
  return status;
}

/** The QoS class, or none when a quantity is malformed (the API server would have refused it). */
function safeQos(spec: Pod['spec']): string | undefined {
  try {
    return qosClass(spec);
  } catch {
    return undefined;
  }
}

/** Canonical JSON: sorted keys, no undefined or null members. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined && x !== null) out[k] = canonical(x);
    }
    return out;
  }
  return v;
}

/** Whether two statuses say the same thing (null and absent fields are equal). */
export function statusEqual(a: PodStatus | undefined, b: PodStatus | undefined): boolean {
  return JSON.stringify(canonical(a ?? {})) === JSON.stringify(canonical(b ?? {}));
}
