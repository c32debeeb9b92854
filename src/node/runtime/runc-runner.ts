/**
 * Containers under runc. Each attempt directory is an OCI bundle
 * (config.json); the podnet-shim runs `runc run --detach` as a child
 * subreaper, so once runc exits the container process is the shim's child:
 * the shim relays its stdio into the CRI log, keeps the attach fifos, and
 * records its exit status, exactly as for the process runtime. runc's state
 * lives under the node's own --root and the shim outlives the agent, so a
 * restarted agent adopts containers by reading the attempt files back.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cgroupOomKilled, podCgroup, removeCgroup } from '../../host/cgroups.js';
import { netnsPath } from '../../host/exec.js';
import { runcDelete, runcExecArgv, runcRunArgv } from '../../host/runc.js';
import type { ContainerRunner, ContainerStart, ExecCommand } from './container-runner.js';
import { capabilitiesOfMask } from './oci/security.js';
import { ociSpec } from './oci/spec.js';
import { ensureRootDir, hostPrivilegedView, hostRootView } from './oci/view.js';
import { parseProcStat, type ProcessIdentity } from './proc.js';
import type { SandboxRecord } from './sandbox-record.js';
import { checkShimBinary, DEFAULT_PATH, shimBinary } from './shim.js';

interface RuncRunnerOptions {
  /** runc's --root: this node's container state. */
  root: string;
  /** Where exec commands' pid files live while they run. */
  execDir: string;
  /** The node's network namespace when the agent does not run in it (tests playing a node). */
  nodeNetns?: string;
}

/** runc container ID of one attempt: unique per pod UID, container and attempt (pure). */
const runcId = (uid: string, name: string, attempt: number): string => `${uid}-${name}-${attempt}`;

/** The attempt's cgroup under every hierarchy: the pod's cgroup holds its containers (pure). */
const containerCgroup = (uid: string, name: string, attempt: number): string => `${podCgroup(uid)}/${name}-${attempt}`;

export class RuncRunner implements ContainerRunner {
  readonly kind = 'runc' as const;

  constructor(private readonly o: RuncRunnerOptions) {}

  start(s: ContainerStart): Promise<ProcessIdentity> {
    const { rec, dir, config: c } = s;
    const uid = rec.uid;
    const argv0 = c.argv[0] ?? '';
    if (!argv0.startsWith('/')) throw new Error(`container command must start with an absolute path, got "${argv0}"`);
    if (c.workingDir && !c.workingDir.startsWith('/'))
      throw new Error(`workingDir must be absolute, got "${c.workingDir}"`);
    checkShimBinary();
    const privileged = !!c.security?.privileged;
    const view = privileged ? hostPrivilegedView() : hostRootView(c.imagePaths ?? []);
    const rootfs = join(s.sandboxDir, privileged ? 'rootfs-privileged' : 'rootfs');
    ensureRootDir(rootfs, view);
    if (!existsSync(s.podFiles.hostname)) writeFileSync(s.podFiles.hostname, `${rec.hostname}\n`);
    const network = rec.netns ? netnsPath(rec.netns) : this.o.nodeNetns ? netnsPath(this.o.nodeNetns) : undefined;
    const spec = ociSpec({
      rootfs,
      argv: c.argv,
      env: s.env,
      cwd: c.workingDir || '/',
      tty: !!c.tty,
      hostname: rec.hostNetwork ? undefined : rec.hostname,
      join: {
        network,
        // The pod's containers share one IPC namespace: the sandbox holder's.
        ipc: rec.holder ? `/proc/${rec.holder.pid}/ns/ipc` : undefined,
        // shareProcessNamespace: the namespace whose PID 1 is the holder's child (podnet-shim pause).
        pid: rec.sharedPid && rec.holder ? `/proc/${rec.holder.pid}/ns/pid_for_children` : undefined,
      },
      view: view.binds,
      podFiles: s.podFiles,
      binds: (c.binds ?? []).filter((b) => existsSync(b.source)),
      security: c.security ?? {},
      resources: c.resources ?? {},
      cgroupsPath: containerCgroup(uid, c.name, c.attempt),
      availableCapabilities: nodeCapabilities(),
    });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(spec, null, 2));
    const pidFile = join(dir, 'container.pid');
    const argv = [
      shimBinary(),
      'run',
      dir,
      '-r',
      pidFile,
      ...(c.stdin ? ['-i'] : []),
      ...(c.tty ? ['-t'] : []),
      '--',
      ...runcRunArgv(this.o.root, runcId(uid, c.name, c.attempt), dir, pidFile),
    ];
    const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'ignore', env: { PATH: DEFAULT_PATH } });
    child.on('error', () => {
      /* surfaces as a shim that never writes its pid file */
    });
    child.unref();
    if (!child.pid) throw new Error(`cannot start the container shim ${argv[0]}`);
    let startTime = '';
    try {
      startTime = parseProcStat(readFileSync(`/proc/${child.pid}/stat`, 'utf8'))?.startTime ?? '';
    } catch {
      /* already gone: recorded as dead */
    }
    const id = { pid: child.pid, startTime };
    writeFileSync(join(dir, 'shim.json'), JSON.stringify(id));
    return Promise.resolve(id);
  }

  execArgv(
    rec: SandboxRecord,
    container: { name: string; attempt: number; pid: number },
    command: string[],
    tty: boolean,
  ): Promise<ExecCommand> {
    mkdirSync(this.o.execDir, { recursive: true });
    const id = runcId(rec.uid, container.name, container.attempt);
    const pidFile = join(this.o.execDir, `${id}-${randomBytes(6).toString('hex')}.pid`);
    return Promise.resolve({ argv: runcExecArgv(this.o.root, id, command, tty, pidFile), pidFile });
  }

  async release(rec: { uid: string }, dir: string, name: string, attempt: number): Promise<{ reason?: string }> {
    const done = join(dir, 'released');
    if (existsSync(done)) return {};
    let reason: string | undefined;
    // The cgroup lives until runc delete: read its OOM counter first.
    if (await cgroupOomKilled(containerCgroup(rec.uid, name, attempt))) {
      reason = 'OOMKilled';
      await rewriteExitReason(dir, reason);
    }
    await runcDelete(this.o.root, runcId(rec.uid, name, attempt));
    await writeFile(done, '');
    return reason ? { reason } : {};
  }

  removePod(uid: string): Promise<void> {
    const busy = removeCgroup(podCgroup(uid));
    if (busy.length)
      return Promise.reject(new Error(`cgroups of pod ${uid} still hold processes: ${busy.join(', ')}; retry later`));
    return Promise.resolve();
  }
}

let boundingSet: string[] | undefined;
/** The capabilities this agent (and so runc) may hand out: its bounding set. */
function nodeCapabilities(): string[] {
  if (!boundingSet) {
    const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    boundingSet = m ? capabilitiesOfMask(m[1]!) : [];
  }
  return boundingSet;
}

/** "137" → "137 OOMKilled", keeping the record's time (finishedAt is its mtime). */
async function rewriteExitReason(dir: string, reason: string): Promise<void> {
  const file = join(dir, 'exit');
  // No exit record: nothing to refine (the attempt never ran).
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return;
  const code = text.trim().split(/\s+/)[0];
  const { mtime } = await stat(file);
  await writeFile(`${file}.tmp`, `${code} ${reason}\n`);
  await utimes(`${file}.tmp`, mtime, mtime);
  await rename(`${file}.tmp`, file);
}
