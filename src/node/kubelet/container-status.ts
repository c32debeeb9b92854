/**
 * API container statuses from the runtime's records, the previous published
 * status and the probe results (kubelet convertToAPIContainerStatuses plus the
 * prober manager's started/ready update).
 */
import type { ContainerRuntimeState, SandboxState } from '../runtime/types.js';
import {
  rfc3339,
  type ContainerSpec,
  type ContainerState,
  type ContainerStatus,
  type Pod,
  type ProbeStates,
} from './types.js';

export type WaitingReason =
  | 'ErrImagePull'
  | 'ImagePullBackOff'
  | 'CreateContainerConfigError'
  | 'CreateContainerError'
  | 'CrashLoopBackOff'
  | 'ContainerCreating'
  | 'PodInitializing'
  | 'RunContainerError'
  | 'InvalidImageName';

export interface WaitingInfo {
  reason: WaitingReason;
  message?: string;
}

/** The containerID the agent publishes: one per container start. */
export function containerId(uid: string, name: string, attempt: number): string {
  return `podnet://${uid}-${name}-${attempt}`;
}

const UNKNOWN_EXIT = {
  exitCode: 137,
  reason: 'ContainerStatusUnknown',
};

function stateOf(rec: ContainerRuntimeState, id: string): ContainerState {
  if (rec.state === 'running') return { running: { startedAt: rfc3339(rec.startedAt) } };
  return {
    terminated: {
      exitCode: rec.exitCode,
      reason: rec.reason,
      startedAt: rfc3339(rec.startedAt),
      finishedAt: rfc3339(rec.finishedAt),
      containerID: id,
    },
  };
}

/** Whether the container will be started again (kubelet ShouldContainerBeRestarted). */
function willRestart(pod: Pod, rec: ContainerRuntimeState | undefined): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  if (!rec) return true;
  if (rec.state === 'running') return false;
  const policy = pod.spec.restartPolicy ?? 'Always';
  if (policy === 'Never') return false;
  return !(policy === 'OnFailure' && rec.exitCode === 0);
}

interface ContainerStatusInput {
  pod: Pod;
  sandbox?: SandboxState;
  probe: ProbeStates;
  waiting: Record<string, WaitingInfo | undefined>;
  /** Resolved image references (e.g. digests) by container name; '' when unknown. */
  imageIDs?: Record<string, string>;
}

/** Statuses for the pod's init containers (init=true) or app containers, in spec order. */
export function containerStatuses(input: ContainerStatusInput, init: boolean): ContainerStatus[] {
  const { pod, sandbox, probe, waiting } = input;
  const specs = init ? (pod.spec.initContainers ?? []) : pod.spec.containers;
  const previous = (init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses) ?? [];
  const hasInit = (pod.spec.initContainers ?? []).length > 0;
  const uid = pod.metadata.uid ?? '';
  return specs.map((c) => {
    const old = previous.find((s) => s.name === c.name);
    const rec = sandbox?.containers[c.name];
    const status = baseStatus(c, old, hasInit);
    if (rec) {
      const id = containerId(uid, c.name, rec.attempt);
      status.state = stateOf(rec, id);
      status.restartCount = rec.attempt;
      status.containerID = id;
      status.lastState = lastStateFor(old, id, rec.attempt);
    } else if (old && !old.state.terminated && old.state.running) {
      // The runtime lost a container we published as running (sandbox gone): it ended, we don't know how.
      status.lastState = {
        terminated: {
          ...UNKNOWN_EXIT,
          message: 'The container could not be located when the pod was deleted.  The container used to be Running',
        },
      };
      if (!pod.metadata.deletionTimestamp) status.restartCount += 1;
    }
    status.imageID = input.imageIDs?.[c.name] ?? (status.containerID ? (old?.imageID ?? '') : '');
    const reason = waiting[c.name];
    const initDone = init && rec?.state === 'exited' && rec.exitCode === 0;
    if (reason && !initDone && willRestart(pod, rec)) {
      if (status.state.terminated) status.lastState = { terminated: status.state.terminated };
      status.state = {
        waiting: reason.message ? { reason: reason.reason, message: reason.message } : { reason: reason.reason },
      };
    }
    applyProbes(status, c, probe, init);
    return status;
  });
}

function baseStatus(c: ContainerSpec, old: ContainerStatus | undefined, hasInit: boolean): ContainerStatus {
  // A container that finished keeps its published status until the runtime says otherwise.
  if (old?.state.terminated) return structuredClone({ ...old, image: c.image ?? old.image });
  return {
    name: c.name,
    state: { waiting: { reason: hasInit ? 'PodInitializing' : 'ContainerCreating' } },
    lastState: old ? structuredClone(old.lastState) : {},
    ready: false,
    restartCount: old?.restartCount ?? 0,
    image: c.image ?? '',
    imageID: '',
  };
}

/**
 * The previous instance's end. The runtime keeps only the latest attempt, so it
 * comes from the published status: unchanged while the attempt is the same; on
 * a new attempt, the old instance's terminated state, or "unknown" when it was
 * last published as running (it exited and restarted between two statuses).
 */
function lastStateFor(old: ContainerStatus | undefined, id: string, attempt: number): ContainerState {
  if (attempt === 0) return {};
  if (!old) return {};
  if (old.containerID === id) return structuredClone(old.lastState);
  if (old.state.terminated) return { terminated: structuredClone(old.state.terminated) };
  if (old.state.running)
    return {
      terminated: { ...UNKNOWN_EXIT, message: 'The container exited and was restarted before its exit was observed' },
    };
  return structuredClone(old.lastState);
}

function applyProbes(status: ContainerStatus, c: ContainerSpec, probe: ProbeStates, init: boolean): void {
  const running = status.state.running !== undefined;
  const p = probe[c.name];
  // Without a startup probe a running container counts as started at once.
  status.started = running && (c.startupProbe ? p?.started === true : true);
  if (init) {
    // Regular init containers are "ready" once they exited successfully.
    status.ready = status.state.terminated?.exitCode === 0;
    return;
  }
  // Readiness is false until the first successful probe; no probe means ready once started.
  status.ready = status.started && (c.readinessProbe ? p?.ready === true : true);
}
