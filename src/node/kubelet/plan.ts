/**
 * The pod sync decision, after the kubelet's computePodActions: given the pod
 * and what the runtime has, which sandbox and container actions bring the pod
 * toward its spec. Pure; the agent executes the plan in this order:
 *   1. killPod: stop every container (gracePeriodSeconds), remove the sandbox
 *      (when `phase` is set, publish the pod status first: removing the sandbox
 *      drops the exit codes the status is computed from);
 *      otherwise stop each container in `kill`;
 *   2. createSandbox;
 *   3. start `startInit`, then every container in `start`, recording
 *      `backoff` entries into the agent's back-off store;
 *   4. after any `kill`, sync the pod again: that sync restarts the killed
 *      containers (under back-off) like any other exited container.
 * Restartable init containers (sidecars) and container spec changes are not handled.
 */
import type { ContainerRuntimeState, SandboxState } from '../runtime/types.js';
import { backoffRetryAt, nextBackoff, type BackoffEntry } from './backoff.js';
import { podNamespace, type ContainerSpec, type ContainerStatus, type Pod, type ProbeStates } from './types.js';

export const DEFAULT_TERMINATION_GRACE_SECONDS = 30;

export interface PlanInput {
  pod: Pod;
  /** The pod's sandbox as the runtime reports it (alive or dead), if any. */
  sandbox?: SandboxState;
  /** Probe results for the containers' current attempts. */
  probe: ProbeStates;
  /** The agent's back-off entries by container name. */
  backoff: Record<string, BackoffEntry | undefined>;
  /** Milliseconds since the epoch. */
  now: number;
}

export interface ContainerStart {
  name: string;
  attempt: number;
}

export interface ContainerKill {
  name: string;
  reason: 'LivenessProbe' | 'StartupProbe';
  /** e.g. "Container web failed liveness probe, will be restarted" (the Killing event's text). */
  message: string;
  gracePeriodSeconds: number;
}

export interface BackoffWait {
  name: string;
  /** When the container may be started again (ms since the epoch): re-sync then. */
  retryAt: number;
  /** The CrashLoopBackOff waiting message. */
  message: string;
}

export interface PodPlan {
  /** Stop all containers and remove the sandbox (before creating a new one if createSandbox). */
  killPod: boolean;
  gracePeriodSeconds: number;
  createSandbox: boolean;
  /** Running containers to stop (only when !killPod). */
  kill: ContainerKill[];
  /** The init container to start now. */
  startInit?: ContainerStart;
  /** App containers to start now, in spec order. */
  start: ContainerStart[];
  /** Containers that should start but are in crash-loop back-off. */
  waiting: BackoffWait[];
  /** Back-off entries to store for the containers started by this plan. */
  backoff: Record<string, BackoffEntry>;
  /** Set when the pod is finished: nothing will be restarted. */
  phase?: 'Succeeded' | 'Failed';
}

type Record_ = ContainerRuntimeState | undefined;

/** How the last instance of a container ended, from the runtime or, when the runtime lost it, the last published status. */
interface ExitInfo {
  exitCode: number;
  finishedAt: number;
}

function lastExit(name: string, rec: Record_, pod: Pod, init: boolean): ExitInfo | undefined {
  if (rec)
    return rec.state === 'exited' ? { exitCode: rec.exitCode, finishedAt: Date.parse(rec.finishedAt) } : undefined;
  const st = publishedStatus(pod, name, init);
  const t = st?.state.terminated ?? st?.lastState.terminated;
  return t ? { exitCode: t.exitCode, finishedAt: t.finishedAt ? Date.parse(t.finishedAt) : 0 } : undefined;
}

function publishedStatus(pod: Pod, name: string, init: boolean): ContainerStatus | undefined {
  const list = init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses;
  return list?.find((s) => s.name === name);
}

/** Attempt number of the next start: runtime attempts continue, else the published restart count does. */
export function nextAttempt(pod: Pod, name: string, rec: Record_, init: boolean): number {
  if (rec) return rec.attempt + 1;
  const st = publishedStatus(pod, name, init);
  if (!st) return 0;
  const ranBefore = st.state.running || st.state.terminated || st.lastState.terminated || st.restartCount > 0;
  return ranBefore ? st.restartCount + 1 : 0;
}

/** Go's time.Duration formatting for whole seconds: 10s, 1m20s, 5m0s. */
function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}

function podRef(pod: Pod): string {
  return `${pod.metadata.name}_${podNamespace(pod)}(${pod.metadata.uid ?? ''})`;
}

function graceSeconds(pod: Pod): number {
  return (
    pod.metadata.deletionGracePeriodSeconds ??
    pod.spec.terminationGracePeriodSeconds ??
    DEFAULT_TERMINATION_GRACE_SECONDS
  );
}

function emptyPlan(pod: Pod): PodPlan {
  return {
    killPod: false,
    gracePeriodSeconds: graceSeconds(pod),
    createSandbox: false,
    kill: [],
    start: [],
    waiting: [],
    backoff: {},
  };
}

/** Phase of a pod whose containers are all done: Succeeded only when every app container exited 0. */
function finishedPhase(pod: Pod, records: Record<string, Record_>): 'Succeeded' | 'Failed' {
  const ok = pod.spec.containers.every((c) => lastExit(c.name, records[c.name], pod, false)?.exitCode === 0);
  return ok ? 'Succeeded' : 'Failed';
}

/**
 * Queues a (re)start of `c`, or records why it must wait. A container that
 * exited before is subject to back-off; the first start and restarts after a
 * probe kill are not (the kubelet checks back-off only against exited containers).
 */
function queueStart(
  plan: PodPlan,
  input: PlanInput,
  c: ContainerSpec,
  init: boolean,
  records: Record<string, Record_>,
  exitedBefore: boolean,
): ContainerStart | undefined {
  const { pod, now } = input;
  const rec = records[c.name];
  const start = { name: c.name, attempt: nextAttempt(pod, c.name, rec, init) };
  const exit = exitedBefore ? lastExit(c.name, rec, pod, init) : undefined;
  if (exit) {
    const entry = input.backoff[c.name];
    const retryAt = backoffRetryAt(entry, exit.finishedAt, now);
    if (retryAt !== undefined) {
      plan.waiting.push({
        name: c.name,
        retryAt,
        message: `back-off ${goDuration(entry!.delayMs)} restarting failed container=${c.name} pod=${podRef(pod)}`,
      });
      return undefined;
    }
    plan.backoff[c.name] = nextBackoff(entry, exit.finishedAt, now);
  }
  return start;
}

/** Whether an exited (or never started) container should run again under the pod's restart policy. */
function shouldRestart(pod: Pod, rec: Record_, deleted: boolean): boolean {
  if (deleted) return false;
  if (!rec) return true;
  if (rec.state === 'running') return false;
  const policy = pod.spec.restartPolicy ?? 'Always';
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && rec.exitCode === 0) return false;
  return true;
}

type InitProgress = { done: true } | { done: false; next?: ContainerSpec; failed: boolean };

/** Which init container runs next (findNextInitContainerToRun): failed ones retry, then the one after the last success. */
function initProgress(pod: Pod, records: Record<string, Record_>): InitProgress {
  const inits = pod.spec.initContainers ?? [];
  if (inits.length === 0) return { done: true };
  // Any app container ever started means initialization completed before.
  if (pod.spec.containers.some((c) => records[c.name])) return { done: true };
  for (let i = inits.length - 1; i >= 0; i--) {
    const rec = records[inits[i]!.name];
    if (rec?.state === 'exited' && rec.exitCode !== 0) return { done: false, next: inits[i], failed: true };
  }
  for (let i = inits.length - 1; i >= 0; i--) {
    const rec = records[inits[i]!.name];
    if (!rec) continue;
    if (rec.state === 'running') return { done: false, failed: false };
    if (i === inits.length - 1) return { done: true };
    return { done: false, next: inits[i + 1], failed: false };
  }
  return { done: false, next: inits[0], failed: false };
}

/** Whether the pod's containers ran before, judged from the runtime or the published status (the sandbox's "attempt != 0"). */
function ranBefore(pod: Pod, sandbox: SandboxState | undefined): boolean {
  if (sandbox && Object.keys(sandbox.containers).length > 0) return true;
  const all = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return all.some((s) => s.state.running || s.state.terminated || s.lastState.terminated);
}

function succeededBefore(pod: Pod, name: string, rec: Record_): boolean {
  return lastExit(name, rec, pod, false)?.exitCode === 0 && rec?.state !== 'running';
}

/** Computes what to do for one pod now. */
export function planPod(input: PlanInput): PodPlan {
  const { pod, sandbox, probe } = input;
  const plan = emptyPlan(pod);
  const records: Record<string, Record_> = sandbox ? { ...sandbox.containers } : {};
  const policy = pod.spec.restartPolicy ?? 'Always';
  const grace = pod.spec.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_SECONDS;

  // A pod being deleted only stops; the API server removes it once the agent confirms.
  if (pod.metadata.deletionTimestamp) {
    plan.killPod = true;
    return plan;
  }
  // Terminal phases never change again (the kubelet forbids leaving them).
  const published = pod.status?.phase;
  if (published === 'Succeeded' || published === 'Failed') {
    plan.killPod = true;
    plan.phase = published;
    return plan;
  }

  if (!sandbox || !sandbox.alive) {
    plan.killPod = sandbox !== undefined;
    if (policy === 'Never' && ranBefore(pod, sandbox)) {
      // Nothing may restart, so there is no point in a new sandbox.
      plan.killPod = true;
      plan.phase = finishedPhase(pod, records);
      return plan;
    }
    const toStart = pod.spec.containers.filter(
      (c) => !(policy === 'OnFailure' && succeededBefore(pod, c.name, records[c.name])),
    );
    const initialized = pod.spec.containers.some(
      (c) =>
        records[c.name] ||
        publishedStatus(pod, c.name, false)?.lastState.terminated ||
        publishedStatus(pod, c.name, false)?.state.terminated,
    );
    if (toStart.length === 0 && initialized) {
      plan.killPod = true;
      plan.phase = finishedPhase(pod, records);
      return plan;
    }
    plan.createSandbox = true;
    const first = pod.spec.initContainers?.[0];
    if (first) {
      plan.startInit = queueStart(plan, input, first, true, records, true);
    } else {
      for (const c of toStart) {
        const s = queueStart(plan, input, c, false, records, true);
        if (s) plan.start.push(s);
      }
    }
    return plan;
  }

  const init = initProgress(pod, records);
  if (!init.done) {
    if (init.next) {
      if (init.failed && policy === 'Never') {
        plan.killPod = true;
        plan.phase = 'Failed';
      } else {
        plan.startInit = queueStart(plan, input, init.next, true, records, true);
      }
    }
    return plan;
  }

  let keep = 0;
  let wanted = 0;
  for (const c of pod.spec.containers) {
    const rec = records[c.name];
    if (!rec || rec.state !== 'running') {
      if (shouldRestart(pod, rec, false)) {
        wanted++;
        const s = queueStart(plan, input, c, false, records, rec !== undefined);
        if (s) plan.start.push(s);
      }
      continue;
    }
    const p = probe[c.name];
    const failed = p?.livenessFailed ? 'liveness' : p?.startupFailed ? 'startup' : undefined;
    if (!failed) {
      keep++;
      continue;
    }
    const restart = policy !== 'Never';
    const spec = failed === 'liveness' ? c.livenessProbe : c.startupProbe;
    plan.kill.push({
      name: c.name,
      reason: failed === 'liveness' ? 'LivenessProbe' : 'StartupProbe',
      message: `Container ${c.name} failed ${failed} probe${restart ? ', will be restarted' : ''}`,
      // A probe-level grace period overrides the pod's for probe kills.
      gracePeriodSeconds: spec?.terminationGracePeriodSeconds ?? grace,
    });
    // The restart is left to the next sync, which sees the killed container
    // exited: its exit is published as lastState first, and repeated probe
    // kills go through crash-loop back-off (the kubelet's doBackOff looks at
    // the previous exited instance the same way).
    if (restart) wanted++;
  }
  if (keep === 0 && wanted === 0) {
    // Every container is done for good: stop the pod.
    plan.killPod = true;
    plan.kill = [];
    plan.phase = finishedPhase(pod, records);
  }
  return plan;
}
