/**
 * The seam between the pod runtime (sandboxes, CNI, state on disk) and the
 * thing that runs a container: runc (the default, RuncRunner) or bare
 * processes in the sandbox's namespaces (ProcessRunner, `--runtime
 * process`). Either way a podnet-shim per container owns its stdio, log and
 * exit status, so logs, attach and adoption work the same.
 */
import type { ProcessIdentity } from './proc.js';
import type { SandboxRecord } from './sandbox-record.js';
import type { ContainerConfig } from './types.js';

export type RuntimeKind = 'runc' | 'process';

/** How to run a command in a container (exec probes, kubectl exec). */
export interface ExecCommand {
  argv: string[];
  /**
   * Where runc writes the command's host pid. runc exec's command lives in
   * the container, in a session of its own, not under runc: killing runc's
   * group does not end it, killing this pid's group does (endExec).
   */
  pidFile?: string;
}

export interface ContainerStart {
  rec: SandboxRecord;
  /** The attempt's directory (meta.json written; the shim writes pid, exit, log here). */
  dir: string;
  config: ContainerConfig;
  /** The container's environment, PATH and HOSTNAME included. */
  env: Record<string, string>;
  /** The pod's files on the node. */
  podFiles: { hosts: string; resolvConf: string; hostname: string };
  /** The pod's sandbox directory (runc keeps the pod's root directory there). */
  sandboxDir: string;
}

export interface ContainerRunner {
  readonly kind: RuntimeKind;
  /** Spawns the container's shim detached; returns the shim's identity (recorded in <dir>/shim.json). */
  start(s: ContainerStart): Promise<ProcessIdentity>;
  /** How to run a command in the container with this attempt and pid (exec probes, kubectl exec). */
  execArgv(
    rec: SandboxRecord,
    container: { name: string; attempt: number; pid: number },
    command: string[],
    tty: boolean,
  ): Promise<ExecCommand>;
  /**
   * After an attempt ended (or to tear it down): frees what the runtime holds
   * for it and says why it ended when the exit code alone does not (OOMKilled).
   * Idempotent.
   */
  release(rec: { uid: string }, dir: string, name: string, attempt: number): Promise<{ reason?: string }>;
  /** After every container of the pod is gone: the pod's own leftovers (cgroups). */
  removePod(uid: string): Promise<void>;
}
