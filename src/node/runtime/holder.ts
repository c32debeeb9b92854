/**
 * The sandbox holder (the pod's "pause" process): a `sleep infinity` that
 * owns the pod's UTS, IPC and mount namespaces (and sits in its network
 * namespace), so containers can join them with nsenter -t <holder>; with
 * shareProcessNamespace also the pod's PID namespace. It is
 * started in its own session so it outlives the agent.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { netnsPath } from '../../host/exec.js';
import { identify, isAlive, waitFor, type ProcessIdentity } from './proc.js';

/**
 * $1 hostname ('' keeps the node's), $2 resolv.conf, $3 hosts, $4 ready file,
 * $5 "sysfs" to mount a fresh read-only /sys (sysfs shows the network devices
 * of the netns that mounted it, so a pod with its own netns needs its own),
 * $6 podnet-shim when the holder is PID 1 of the pod's shared PID namespace
 * (it then reaps what the containers orphan, as kube's pause does).
 * The hostname is written through /proc so no hostname binary is needed; the
 * mounts land in the private mount namespace only, never on the host.
 */
export const HOLDER_SCRIPT =
  '{ [ -z "$1" ] || echo "$1" > /proc/sys/kernel/hostname; } && ' +
  'mount --bind "$2" /etc/resolv.conf && mount --bind "$3" /etc/hosts && ' +
  '{ [ "$5" != sysfs ] || mount -t sysfs -o ro,nosuid,nodev,noexec sysfs /sys; } && ' +
  '{ [ "$7" != lo ] || ip link set lo up; } && ' +
  ': > "$4" && { [ -z "$6" ] || exec "$6" pause; } && exec sleep infinity';

interface HolderSpec {
  /** Network namespace to sit in: the pod's, or for hostNetwork pods the node's (undefined = the agent's own). */
  netns?: string;
  /** New UTS namespace with this hostname; undefined shares the node's (hostNetwork). */
  hostname?: string;
  resolvConf: string;
  hosts: string;
  readyFile: string;
  /** Mount a /sys of the pod's own netns (true unless hostNetwork). */
  freshSysfs: boolean;
  /**
   * Bring the pod netns's loopback up (true unless hostNetwork). Done here, in
   * the shell the holder already runs in that netns, rather than by the CNI
   * loopback plugin: one cheap `ip` instead of a Go binary the agent spawns
   * per pod (as CRI-O does it natively).
   */
  loopbackUp?: boolean;
  /**
   * shareProcessNamespace: a new PID namespace whose PID 1 is `podnet-shim
   * pause` (this shim binary); the holder's pid is then unshare's, and
   * containers join /proc/<holder>/ns/pid_for_children.
   */
  sharedPidInit?: string;
}

/** argv of the holder (pure). */
export function holderArgv(spec: HolderSpec): string[] {
  const enter = spec.netns ? ['nsenter', `--net=${netnsPath(spec.netns)}`, '--'] : [];
  const unshare = [
    'unshare',
    ...(spec.hostname !== undefined ? ['--uts'] : []),
    '--ipc',
    '--mount',
    '--propagation',
    'private',
    // unshare stays as the parent of PID 1 and takes it along when killed.
    ...(spec.sharedPidInit ? ['--pid', '--fork', '--kill-child'] : []),
    '--',
  ];
  return [
    ...enter,
    ...unshare,
    '/bin/sh',
    '-c',
    HOLDER_SCRIPT,
    'holder',
    spec.hostname ?? '',
    spec.resolvConf,
    spec.hosts,
    spec.readyFile,
    spec.freshSysfs ? 'sysfs' : '',
    spec.sharedPidInit ?? '',
    spec.loopbackUp ? 'lo' : '',
  ];
}

/**
 * Starts the holder detached and waits until its namespaces are set up.
 * pidFile is written synchronously right after spawn so a crash in between
 * still leaves a record to clean up from.
 */
export async function startHolder(
  spec: HolderSpec,
  pidFile: string,
  logFile: string,
  timeoutMs = 10_000,
): Promise<ProcessIdentity> {
  const argv = holderArgv(spec);
  const log = openSync(logFile, 'a');
  let pid: number | undefined;
  try {
    const child = spawn(argv[0]!, argv.slice(1), {
      detached: true,
      stdio: ['ignore', log, log],
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    child.on('error', () => {
      /* reported below as "holder exited" */
    });
    child.unref();
    pid = child.pid;
  } finally {
    closeSync(log);
  }
  if (!pid) throw new Error(`cannot start the sandbox holder (${argv[0]}): is util-linux installed?`);
  const id = await identify(pid);
  if (!id) throw new Error(`sandbox holder exited at once: ${await tail(logFile)}`);
  writeFileSync(pidFile, JSON.stringify(id));
  const ready = await waitFor(async () => existsSync(spec.readyFile) || !(await isAlive(id)), timeoutMs);
  if (!ready || !existsSync(spec.readyFile)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    throw new Error(`sandbox holder did not come up${ready ? '' : ` within ${timeoutMs} ms`}: ${await tail(logFile)}`);
  }
  return id;
}

async function tail(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim().split('\n').slice(-5).join(' | ') || 'no output';
  } catch {
    return 'no output';
  }
}
