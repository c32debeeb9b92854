/**
 * Probe workers (kubelet pkg/kubelet/prober): one worker per container start
 * and probe kind, each probing on its own period and turning runs of results
 * into a verdict with the success/failure thresholds. The manager keeps the
 * verdicts per container attempt and calls onChange whenever one changes, so
 * the agent re-syncs the pod (planPod restarts on liveness/startup failure,
 * podStatus publishes readiness).
 *
 * Semantics: nothing runs before initialDelaySeconds after the container
 * started; a startup probe, while present and not yet passed, holds back
 * liveness and readiness; readiness is false until its first success;
 * liveness and startup stop probing after they fail (the container is then
 * restarted, which makes a new attempt and fresh workers).
 */
import type { SandboxState } from '../runtime/types.js';
import { probeDefaults, runProbe, type ExecFn, type ProbeOutcome } from './probe-run.js';
import type { ContainerProbeState, ContainerSpec, Pod, ProbeSpec, ProbeStates } from './types.js';

export type ProbeKind = 'startup' | 'liveness' | 'readiness';

export interface ProbeEvent {
  uid: string;
  container: string;
  attempt: number;
  kind: ProbeKind;
  /** The kubelet's "Unhealthy" warning text, e.g. "Readiness probe failed: HTTP probe failed with statuscode: 500". */
  message: string;
}

export interface ProbeManagerDeps {
  /** Runs a command in the pod's sandbox (the runtime's execInSandbox). */
  exec: (
    uid: string,
    container: string,
    argv: string[],
    timeoutMs: number,
  ) => Promise<{ code: number; stdout: string; stderr: string }>;
  /** A container's probe verdict changed: re-sync the pod. */
  onChange: (uid: string, container: string) => void;
  /** A probe run failed or errored (for Unhealthy events); optional. */
  onUnhealthy?: (e: ProbeEvent) => void;
}

const titles: Record<ProbeKind, string> = { startup: 'Startup', liveness: 'Liveness', readiness: 'Readiness' };

/** Probes one container attempt with one probe spec until stopped. */
export class ProbeWorker {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastResult: 'success' | 'failure' | undefined;
  private run = 0;

  constructor(
    readonly kind: ProbeKind,
    private readonly spec: ProbeSpec,
    private readonly probeOnce: () => Promise<ProbeOutcome>,
    /** Called with each threshold-crossing verdict; returning false stops the worker. */
    private readonly onVerdict: (passed: boolean) => boolean,
    private readonly onFailedRun: (output: string, errored: boolean) => void,
  ) {}

  /** Starts probing, honouring initialDelaySeconds from the container's start time. */
  start(containerStartedAt: number): void {
    const d = probeDefaults(this.spec);
    const delay = Math.max(0, containerStartedAt + d.initialDelaySeconds * 1000 - Date.now());
    this.schedule(delay);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const d = probeDefaults(this.spec);
    const began = Date.now();
    const out = await this.probeOnce();
    if (this.stopped) return;
    let keepGoing = true;
    if (out.result === 'error') {
      // The probe could not run (misconfigured): the kubelet throws such results away.
      this.onFailedRun(out.output, true);
    } else {
      if (out.result === 'failure') this.onFailedRun(out.output, false);
      if (this.lastResult === out.result) this.run++;
      else {
        this.lastResult = out.result;
        this.run = 1;
      }
      const threshold = out.result === 'success' ? d.successThreshold : d.failureThreshold;
      if (this.run >= threshold) keepGoing = this.onVerdict(out.result === 'success');
    }
    if (!keepGoing) {
      this.stop();
      return;
    }
    this.schedule(Math.max(0, d.periodSeconds * 1000 - (Date.now() - began)));
  }
}

interface ContainerEntry {
  attempt: number;
  startedAt: number;
  state: ContainerProbeState;
  workers: Partial<Record<ProbeKind, ProbeWorker>>;
}

/** Keeps probe workers in line with the pods' running containers. */
export class ProbeManager {
  private readonly pods = new Map<string, Map<string, ContainerEntry>>();

  constructor(private readonly deps: ProbeManagerDeps) {}

  /**
   * Aligns workers with the pod's running app containers: new attempts get
   * fresh workers and fresh verdicts; stopped containers lose theirs. Call it
   * after every sync of the pod.
   */
  syncPod(pod: Pod, sandbox: SandboxState | undefined): void {
    const uid = pod.metadata.uid ?? '';
    let entries = this.pods.get(uid);
    if (!entries) {
      entries = new Map();
      this.pods.set(uid, entries);
    }
    const wanted = new Set<string>();
    for (const c of pod.spec.containers) {
      const rec = sandbox?.alive ? sandbox.containers[c.name] : undefined;
      if (!rec || rec.state !== 'running' || pod.metadata.deletionTimestamp) continue;
      wanted.add(c.name);
      const cur = entries.get(c.name);
      if (cur && cur.attempt === rec.attempt) continue;
      if (cur) this.stopEntry(cur);
      const entry: ContainerEntry = {
        attempt: rec.attempt,
        startedAt: Date.parse(rec.startedAt),
        state: {},
        workers: {},
      };
      entries.set(c.name, entry);
      const target = {
        podIp: sandbox!.ip,
        container: c,
        exec: ((argv, t) => this.deps.exec(uid, c.name, argv, t)) as ExecFn,
      };
      if (c.startupProbe) this.startWorker(uid, c, entry, 'startup', c.startupProbe, target);
      else this.startMainWorkers(uid, c, entry, target);
    }
    for (const [name, entry] of entries) {
      if (!wanted.has(name)) {
        this.stopEntry(entry);
        entries.delete(name);
      }
    }
    if (entries.size === 0) this.pods.delete(uid);
  }

  /** Probe verdicts for the pod's current container attempts. */
  states(uid: string): ProbeStates {
    const out: ProbeStates = {};
    for (const [name, e] of this.pods.get(uid) ?? []) out[name] = { ...e.state };
    return out;
  }

  removePod(uid: string): void {
    for (const e of this.pods.get(uid)?.values() ?? []) this.stopEntry(e);
    this.pods.delete(uid);
  }

  stopAll(): void {
    for (const uid of [...this.pods.keys()]) this.removePod(uid);
  }

  private stopEntry(e: ContainerEntry): void {
    for (const w of Object.values(e.workers)) w?.stop();
    e.workers = {};
  }

  private startMainWorkers(
    uid: string,
    c: ContainerSpec,
    entry: ContainerEntry,
    target: Parameters<typeof runProbe>[1],
  ): void {
    if (c.livenessProbe) this.startWorker(uid, c, entry, 'liveness', c.livenessProbe, target);
    if (c.readinessProbe) this.startWorker(uid, c, entry, 'readiness', c.readinessProbe, target);
  }

  private startWorker(
    uid: string,
    c: ContainerSpec,
    entry: ContainerEntry,
    kind: ProbeKind,
    spec: ProbeSpec,
    target: Parameters<typeof runProbe>[1],
  ): void {
    const current = () => entry.workers[kind] !== undefined;
    const set = (patch: ContainerProbeState) => {
      const before = JSON.stringify(entry.state);
      Object.assign(entry.state, patch);
      if (JSON.stringify(entry.state) !== before) this.deps.onChange(uid, c.name);
    };
    const worker = new ProbeWorker(
      kind,
      spec,
      () => runProbe(spec, target),
      (passed) => {
        if (!current()) return false;
        switch (kind) {
          case 'startup':
            if (passed) {
              set({ started: true });
              delete entry.workers.startup;
              this.startMainWorkers(uid, c, entry, target);
              return false;
            }
            set({ startupFailed: true });
            return false;
          case 'liveness':
            if (passed) return true;
            set({ livenessFailed: true });
            return false;
          case 'readiness':
            set({ ready: passed });
            return true;
        }
      },
      (output, errored) =>
        this.deps.onUnhealthy?.({
          uid,
          container: c.name,
          attempt: entry.attempt,
          kind,
          message: `${titles[kind]} probe ${errored ? 'errored' : 'failed'}: ${output}`,
        }),
    );
    entry.workers[kind] = worker;
    worker.start(entry.startedAt);
  }
}
