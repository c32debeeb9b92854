/**
 * runc, the OCI runtime containerd and CRI-O use (Debian's runc): argv
 * builders (pure) and the few commands the node runs directly. Every node
 * keeps its own --root, so nodes of one `podnet up` never see each other's
 * containers.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './exec.js';

/** runc's absolute path (the shim execs it without a PATH search); PODNET_RUNC overrides. */
const RUNC =
  process.env['PODNET_RUNC'] ??
  ['/usr/sbin/runc', '/usr/bin/runc', '/usr/local/sbin/runc', '/usr/local/bin/runc'].find((p) => existsSync(p)) ??
  'runc';

/** `runc run -d`: creates and starts the container from its bundle, writes its pid, exits (pure). */
export function runcRunArgv(root: string, id: string, bundle: string, pidFile: string): string[] {
  return [RUNC, '--root', root, 'run', '--detach', '--pid-file', pidFile, '--bundle', bundle, id];
}

/**
 * `runc exec`: a command in a running container, with its spec's env, cwd,
 * user and hardening; runc writes the command's host pid to pidFile (pure).
 */
export function runcExecArgv(root: string, id: string, command: string[], tty: boolean, pidFile: string): string[] {
  return [RUNC, '--root', root, 'exec', '--pid-file', pidFile, ...(tty ? ['--tty'] : []), id, ...command];
}

/**
 * Ends what a runc exec started, whether or not runc is still there: the
 * command leads a session and process group of its own inside the
 * container (runc's init calls setsid), so its group is killed by the pid
 * runc wrote. The pid stays a process group ID while any member lives, so
 * it cannot name a stranger's group. Removes the pid file.
 */
export async function endRuncExec(pidFile: string): Promise<void> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (Number.isInteger(pid) && pid > 1) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  }
  await rm(pidFile, { force: true });
}

/** True while runc still holds state for the container (until `runc delete`). */
function runcKnows(root: string, id: string): boolean {
  return existsSync(join(root, id, 'state.json'));
}

/** Kills what is left and removes the container's state and cgroup; a container runc does not know is fine. */
export async function runcDelete(root: string, id: string): Promise<void> {
  if (!runcKnows(root, id)) return;
  const r = await run([RUNC, '--root', root, 'delete', '--force', id], { timeoutMs: 15_000 });
  if (r.code !== 0 && runcKnows(root, id))
    throw new Error(`runc delete ${id} failed: ${(r.stderr || r.stdout).trim() || `exit ${r.code}`}`);
}

/** Is runc installed? (the agent checks at start-up, with the message to act on). */
export async function checkRunc(withoutIt: string): Promise<void> {
  // A spawn failure (no such binary) is the answer, reported below.
  const r = await run([RUNC, '--version']).catch(() => undefined);
  if (!r || r.code !== 0)
    throw new Error(
      `${RUNC} is not installed: pods run under runc (the default runtime); install it (apt-get install runc) or ${withoutIt}`,
    );
}
