/**
 * The pod runtime's contract (the agent's CRI): what the node agent asks of
 * the layer that makes namespaces, wires CNI and runs processes. Everything
 * a runtime knows lives on disk under its state directory, so a restarted
 * agent adopts running pods by reading it back (listSandboxes).
 */

/** What a sandbox (the pod's shared namespaces) is made from. */
export interface SandboxConfig {
  uid: string;
  namespace: string;
  name: string;
  /** UTS hostname inside the pod (pod name, or spec.hostname). */
  hostname: string;
  /** Run in the node's own network namespace (no CNI). */
  hostNetwork: boolean;
  /** Full text of the pod's /etc/resolv.conf. */
  resolvConf: string;
  /** Renders /etc/hosts once the pod IP is known (a pure function from the kubelet layer). */
  renderHosts: (podIp: string) => string;
  /** hostPort mappings handed to the portmap plugin. */
  portMappings: { hostPort: number; containerPort: number; protocol: 'tcp' | 'udp' | 'sctp' }[];
  /** spec.shareProcessNamespace: one PID namespace for the pod's containers (runc runtime). */
  shareProcessNamespace?: boolean;
}

import type { ExecCommand } from './container-runner.js';
import type { ContainerResources } from './oci/spec.js';
import type { ContainerSecurity } from './oci/security.js';

export type { ContainerResources, ContainerSecurity };

/** A node directory bound into a container (volumes, the image's data dir). */
export interface ContainerBind {
  source: string;
  destination: string;
  readOnly: boolean;
}

/** One container start request: a resolved image turned into a command line. */
export interface ContainerConfig {
  name: string;
  /** argv[0] is an absolute path on the node. */
  argv: string[];
  env: Record<string, string>;
  workingDir?: string;
  /** 0 for the first start, then restartCount + 1. */
  attempt: number;
  /** Keep a stdin open for `kubectl attach -i` (the shim's fifo). */
  stdin?: boolean;
  /** Run on a pty (its output is the log's stdout). */
  tty?: boolean;
  /** securityContext, pod-level values merged in (runc runtime; the process runtime ignores it). */
  security?: ContainerSecurity;
  /** cgroup limits (runc runtime). */
  resources?: ContainerResources;
  /** Writable or read-only node directories seen at the same or another path (runc runtime). */
  binds?: ContainerBind[];
  /** Node paths the image's program needs besides /usr (read-only in the container's root). */
  imagePaths?: string[];
}

export type ContainerRuntimeState =
  | { name: string; attempt: number; state: 'running'; pid: number; startedAt: string }
  | {
      name: string;
      attempt: number;
      state: 'exited';
      startedAt: string;
      finishedAt: string;
      exitCode: number;
      /** 'Completed' | 'Error' | 'OOMKilled' | ... */ reason: string;
    };

export interface SandboxState {
  uid: string;
  namespace: string;
  name: string;
  hostNetwork: boolean;
  /** Pod IP (node IP for hostNetwork pods). */
  ip: string;
  netns?: string;
  createdAt: string;
  /** False when the sandbox's holder process died (the pod must be recreated). */
  alive: boolean;
  /** Latest attempt of every container ever started in this sandbox, by name. */
  containers: Record<string, ContainerRuntimeState>;
}

export interface PodRuntime {
  /** Every sandbox this node's runtime knows, alive or not (read from disk). */
  listSandboxes(): Promise<SandboxState[]>;
  /** Creates namespaces, runs CNI ADD, writes resolv.conf/hosts. Idempotent per uid. */
  createSandbox(cfg: SandboxConfig): Promise<SandboxState>;
  /** Starts a container process detached from the agent (survives agent restarts). */
  startContainer(uid: string, c: ContainerConfig): Promise<ContainerRuntimeState>;
  /** SIGTERM, then SIGKILL after graceSeconds; resolves when the process is gone. */
  stopContainer(uid: string, name: string, graceSeconds: number): Promise<void>;
  /** Kills everything left, CNI DEL, removes netns, mounts and state. Idempotent; nothing left behind. */
  removeSandbox(uid: string): Promise<void>;
  /** Runs a command in a running container (exec probes); without one, in the pod's namespaces. */
  execInSandbox(
    uid: string,
    container: string | undefined,
    argv: string[],
    timeoutMs: number,
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Path of a container's log file (CRI records of stdout and stderr), for kubectl logs. */
  logPath(uid: string, name: string, attempt: number): string;
  /** How to run a command in a running container for kubectl exec (tty: the caller provides the pty). */
  execArgv(
    uid: string,
    container: string,
    attempt: number,
    pid: number,
    command: string[],
    tty: boolean,
  ): Promise<ExecCommand>;
  /** Directory of one attempt of a container: log, exit, and the shim's stdin and ctl fifos. */
  attemptDir(uid: string, name: string, attempt: number): string;
}
