/**
 * Which container instance a streaming request reaches, decided the way the
 * kubelet decides it (pure): logs from the published container statuses
 * (validateContainerLogStatus, with its messages), exec/attach/port-forward
 * only into what runs now.
 */
import type { ContainerStatus } from '../kubelet/types.js';
import type { SandboxState } from '../runtime/types.js';

/** podnet://<uid>-<name>-<attempt> → attempt. */
export function attemptOf(containerId: string | undefined): number | undefined {
  const m = /-(\d+)$/.exec(containerId ?? '');
  return m ? Number(m[1]) : undefined;
}

/** The attempt whose log `kubectl logs [--previous]` reads, or the kubelet's error text (a 400). */
export function logAttempt(
  status: ContainerStatus | undefined,
  container: string,
  pod: string,
  previous: boolean,
): { attempt: number } | { error: string } {
  const c = JSON.stringify(container),
    p = JSON.stringify(pod);
  if (!status) return { error: `container ${c} in pod ${p} is not available` };
  const { waiting, running, terminated } = status.state;
  const last = status.lastState.terminated;
  const pick = (id: string | undefined, orElse: string) => {
    const a = attemptOf(id);
    return a === undefined ? { error: orElse } : { attempt: a };
  };
  if (previous) return pick(last?.containerID, `previous terminated container ${c} in pod ${p} not found`);
  if (running) return pick(status.containerID, `container ${c} in pod ${p} is not available`);
  if (terminated) return pick(terminated.containerID ?? status.containerID, `container ${c} in pod ${p} is terminated`);
  if (last) return pick(last.containerID, `container ${c} in pod ${p} is terminated`);
  if (waiting) {
    if (waiting.reason === 'ErrImagePull')
      return { error: `container ${c} in pod ${p} is waiting to start: image can't be pulled` };
    if (waiting.reason === 'ImagePullBackOff')
      return { error: `container ${c} in pod ${p} is waiting to start: trying and failing to pull image` };
    return { error: `container ${c} in pod ${p} is waiting to start: ${waiting.reason ?? ''}` };
  }
  return { error: `container ${c} in pod ${p} is waiting to start - no logs yet` };
}

interface RunningContainer {
  attempt: number;
  pid: number;
}

/** The running instance of a container, or the kubelet's `container not found ("c")`. */
export function runningContainer(
  sandbox: SandboxState | undefined,
  container: string,
): RunningContainer | { error: string } {
  const rec = sandbox?.alive ? sandbox.containers[container] : undefined;
  if (!rec || rec.state !== 'running') return { error: `container not found (${JSON.stringify(container)})` };
  return { attempt: rec.attempt, pid: rec.pid };
}

/** /exec/{ns}/{pod}/{container}, /attach/..., /containerLogs/..., /portForward/{ns}/{pod} (pure). */
export type StreamingRoute =
  | { kind: 'exec' | 'attach' | 'containerLogs'; namespace: string; pod: string; container: string }
  | { kind: 'portForward'; namespace: string; pod: string };

export function parseRoute(pathname: string): StreamingRoute | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [kind, namespace, pod, container] = parts;
  if (!namespace || !pod) return undefined;
  if ((kind === 'exec' || kind === 'attach' || kind === 'containerLogs') && container && parts.length === 4)
    return { kind, namespace, pod, container };
  if (kind === 'portForward' && parts.length === 3) return { kind, namespace, pod };
  return undefined;
}
