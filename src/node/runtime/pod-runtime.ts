/**
 * PodRuntime on the bare node: a network namespace wired by CNI, a holder
 * process owning the pod's other namespaces, and containers as shim-watched
 * processes inside them. All state is on disk under stateDir, so a new
 * instance (a restarted agent) adopts running pods by reading it back.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { ipJson, netnsPath, run, runOk } from '../../host/exec.js';
import { endRuncExec } from '../../host/runc.js';
import {
  confListForPod,
  LOOPBACK_NETWORK_NAME,
  POD_NETWORK_NAME,
  renderLoopbackConfList,
  renderPodNetworkConfList,
} from '../cni/conflist.js';
import { CniRuntime } from '../cni/cni-runtime.js';
import { kubernetesCniArgs } from '../cni/invocation.js';
import { podIPv4 } from '../cni/result.js';
import type { CniAttachment, CniConfList } from '../cni/types.js';
import { decideContainerState, LOST_EXIT_RECORD, readContainerFiles, type ContainerMeta } from './container-state.js';
import { waitForFiles } from './file-wait.js';
import { startHolder } from './holder.js';
import { StateLayout } from './layout.js';
import { rotateAllLogs } from './log-rotation.js';
import { podNetnsName, sandboxIdFor, validateContainerName, validatePodUid } from './names.js';
import {
  isAlive,
  namespaceOf,
  processesInMountNamespace,
  signalIfAlive,
  waitFor,
  type ProcessIdentity,
} from './proc.js';
import { readSandboxRecord, writeSandboxRecord, type SandboxRecord } from './sandbox-record.js';
import type { ContainerRunner, ExecCommand } from './container-runner.js';
import { ProcessRunner } from './process-runner.js';
import { containerEnv, DEFAULT_PATH, shimBinary } from './shim.js';
import type { ContainerConfig, ContainerRuntimeState, PodRuntime, SandboxConfig, SandboxState } from './types.js';

export interface CniPodRuntimeOptions {
  /** Everything the runtime knows lives here (absolute path). */
  stateDir: string;
  nodeName: string;
  /** The node's InternalIP: the IP of hostNetwork pods. */
  nodeIp: string;
  /** The node's pod subnet (host-local hands out addresses from it). */
  podCidr: string;
  /** Pod MTU: 1450 on vxlan, 1500 with host-gw (see podMtuFor). */
  mtu: number;
  /** CNI plugin directory (default /usr/lib/cni). */
  cniBinDir?: string;
  /**
   * The node's network namespace, when the agent is not itself running in it
   * (tests playing a node). CNI plugins and hostNetwork pods run there.
   */
  nodeNetns?: string;
  /** Hostname of hostNetwork pods (default: this machine's). */
  nodeHostname?: string;
  /** What runs containers (default: bare processes; the agent passes a RuncRunner). */
  runner?: ContainerRunner;
}

const POD_IFNAME = 'eth0';
const LO_IFNAME = 'lo';

export class CniPodRuntime implements PodRuntime {
  readonly layout: StateLayout;
  private readonly cni: CniRuntime;
  private readonly podNetwork: CniConfList;
  /** Serialises operations per pod UID. */
  private readonly locks = new Map<string, Promise<unknown>>();
  readonly runner: ContainerRunner;

  constructor(readonly opts: CniPodRuntimeOptions) {
    this.layout = new StateLayout(opts.stateDir);
    this.runner = opts.runner ?? new ProcessRunner();
    this.cni = new CniRuntime({
      binDirs: [opts.cniBinDir ?? '/usr/lib/cni'],
      cacheDir: this.layout.cniCacheDir,
      hostNetns: opts.nodeNetns,
    });
    this.podNetwork = renderPodNetworkConfList({
      podCIDR: opts.podCidr,
      mtu: opts.mtu,
      ipamDataDir: this.layout.ipamDataDir,
    });
  }

  /** The conflist this runtime wires pods with (for doctor/debug output). */
  get networkConfig(): CniConfList {
    return this.podNetwork;
  }

  logPath(uid: string, name: string, attempt: number): string {
    return this.layout.logPath(uid, name, attempt);
  }

  attemptDir(uid: string, name: string, attempt: number): string {
    return this.layout.containerDir(uid, name, attempt);
  }

  async listSandboxes(): Promise<SandboxState[]> {
    let uids: string[];
    try {
      uids = await readdir(this.layout.sandboxesDir);
    } catch {
      return [];
    }
    const out: SandboxState[] = [];
    for (const uid of uids.sort()) {
      try {
        validatePodUid(uid);
      } catch {
        continue;
      }
      out.push(await this.stateOf(uid));
    }
    return out;
  }

  createSandbox(cfg: SandboxConfig): Promise<SandboxState> {
    return this.locked(cfg.uid, async () => {
      const existing = await readSandboxRecord(this.layout.sandboxFile(cfg.uid));
      if (existing?.phase === 'ready') return this.stateOf(cfg.uid);
      // A half-made sandbox from a crash: clear it out before starting over.
      if (existing || existsSync(this.layout.sandboxDir(cfg.uid))) await this.teardown(cfg.uid);
      try {
        await this.build(cfg);
      } catch (e) {
        await this.teardown(cfg.uid).catch(() => {
          /* the original error matters more; removeSandbox retries */
        });
        throw e;
      }
      return this.stateOf(cfg.uid);
    });
  }

  startContainer(uid: string, c: ContainerConfig): Promise<ContainerRuntimeState> {
    return this.locked(uid, async () => {
      validateContainerName(c.name);
      const rec = await this.readyRecord(uid);
      const dir = this.layout.containerDir(uid, c.name, c.attempt);
      // Idempotent per attempt: a retried call reports the attempt already started.
      if (existsSync(join(dir, 'meta.json'))) return this.containerState(dir);
      await mkdir(dir, { recursive: true });
      const meta: ContainerMeta = {
        name: c.name,
        attempt: c.attempt,
        argv: c.argv,
        startedAt: new Date().toISOString(),
      };
      await writeFile(join(dir, 'meta.json'), JSON.stringify(meta, null, 2));
      const hostname = rec.hostNetwork ? this.nodeHostname : rec.hostname;
      let shim: ProcessIdentity;
      try {
        shim = await this.runner.start({
          rec,
          dir,
          config: c,
          env: containerEnv(c.env, hostname),
          podFiles: {
            hosts: this.layout.hosts(uid),
            resolvConf: this.layout.resolvConf(uid),
            hostname: this.layout.hostnameFile(uid),
          },
          sandboxDir: this.layout.sandboxDir(uid),
        });
      } catch (e) {
        await rm(dir, { recursive: true, force: true });
        throw e;
      }
      // inotify, not a 10 ms poll: under runc the start takes ~100 ms of CPU and longer under load.
      const recorded = await waitForFiles(dir, ['pid', 'exit'], {
        gaveUp: async () => !(await isAlive(shim)),
        timeoutMs: 10_000,
      });
      if (!existsSync(join(dir, 'pid')) && !existsSync(join(dir, 'exit'))) {
        const log = await readFile(join(dir, 'log'), 'utf8').catch(() => '');
        throw new Error(
          `container ${c.name} of pod ${rec.namespace}/${rec.name} did not start${recorded ? '' : ' within 10 s'}: ${log.trim().slice(-500) || 'the shim printed nothing'}`,
        );
      }
      return this.containerState(dir);
    });
  }

  stopContainer(uid: string, name: string, graceSeconds: number): Promise<void> {
    return this.locked(uid, async () => {
      const dir = await this.latestAttemptDir(uid, name);
      if (dir) await this.stopAttempt(dir, graceSeconds);
    });
  }

  removeSandbox(uid: string): Promise<void> {
    return this.locked(uid, () => this.teardown(uid));
  }

  async execInSandbox(
    uid: string,
    container: string | undefined,
    argv: string[],
    timeoutMs: number,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const rec = await this.readyRecord(uid);
    let target: { name: string; attempt: number; pid: number } | undefined;
    if (container !== undefined) {
      const state = (await this.stateOf(uid)).containers[container];
      if (state?.state !== 'running')
        throw new Error(`container ${container} of pod ${rec.namespace}/${rec.name} is not running`);
      target = { name: container, attempt: state.attempt, pid: state.pid };
    }
    // Without a container: the pod's namespaces, as the sandbox holder has them (network checks).
    const command: ExecCommand = target
      ? await this.runner.execArgv(rec, target, argv, false)
      : { argv: ['nsenter', '-t', String(rec.holder!.pid), '-n', '-u', '-i', '-m', '--', ...argv] };
    const started = Date.now();
    const r = await run(command.argv, {
      cleanEnv: true,
      env: { PATH: DEFAULT_PATH, HOSTNAME: rec.hostNetwork ? this.nodeHostname : rec.hostname },
      timeoutMs,
    }).finally(() => (command.pidFile ? endRuncExec(command.pidFile) : undefined));
    if (Date.now() - started >= timeoutMs && r.code >= 128) {
      // Killed by our timeout: report it the way timeout(1) does.
      return { code: 124, stdout: r.stdout, stderr: `${r.stderr}command timed out after ${timeoutMs} ms\n` };
    }
    return r;
  }

  async execArgv(
    uid: string,
    container: string,
    attempt: number,
    pid: number,
    command: string[],
    tty: boolean,
  ): Promise<ExecCommand> {
    const rec = await this.readyRecord(uid);
    return this.runner.execArgv(rec, { name: container, attempt, pid }, command, tty);
  }

  /** CNI CHECK of the pod's attachments; throws a CniPluginError describing what drifted. */
  async checkSandboxNetwork(uid: string): Promise<void> {
    const rec = await this.readyRecord(uid);
    if (rec.hostNetwork) return;
    const [lo] = await ipJson<{ flags?: string[] }>(['-n', rec.netns!, 'link', 'show', LO_IFNAME]);
    if (!lo?.flags?.includes('UP')) throw new Error(`loopback of pod ${rec.namespace}/${rec.name} is down`);
    // portmap (plugins <= 1.2) fails CHECK on IPv4-only pods with hostPorts: it always looks for an
    // ip6tables chain it never created (containernetworking/plugins#819). Pods here are IPv4-only.
    await this.cni.check(this.podNetwork, this.attachment(rec, POD_IFNAME), ['portmap']);
  }

  /** copytruncate every container log bigger than maxBytes, keeping `keep` old copies. */
  rotateLogs(maxBytes: number, keep: number): Promise<string[]> {
    return rotateAllLogs(this.layout.sandboxesDir, maxBytes, keep);
  }

  // --- building and tearing down -------------------------------------------

  private get nodeHostname(): string {
    return this.opts.nodeHostname ?? osHostname();
  }

  private async build(cfg: SandboxConfig): Promise<void> {
    const L = this.layout;
    await mkdir(L.sandboxDir(cfg.uid), { recursive: true });
    const rec: SandboxRecord = {
      version: 1,
      phase: 'creating',
      uid: cfg.uid,
      namespace: cfg.namespace,
      name: cfg.name,
      hostname: cfg.hostname,
      hostNetwork: cfg.hostNetwork,
      sandboxId: sandboxIdFor(cfg.uid),
      ip: '',
      createdAt: new Date().toISOString(),
      ...(cfg.hostNetwork ? {} : { netns: podNetnsName(this.opts.nodeName, cfg.uid) }),
      ...(cfg.shareProcessNamespace && this.runner.kind === 'runc' ? { sharedPid: true } : {}),
    };
    await writeSandboxRecord(L.sandboxFile(cfg.uid), rec);
    await writeFile(L.resolvConf(cfg.uid), cfg.resolvConf);

    if (rec.netns) {
      await runOk(['ip', 'netns', 'add', rec.netns]);
      const result = await this.cni.add(confListForPod(this.podNetwork, cfg.portMappings.length), {
        ...this.attachment(rec, POD_IFNAME),
        capabilityArgs: { portMappings: cfg.portMappings },
      });
      const ip = podIPv4(result, POD_IFNAME);
      if (!ip)
        throw new Error(
          `CNI network ${POD_NETWORK_NAME} gave pod ${cfg.namespace}/${cfg.name} no IPv4 address on ${POD_IFNAME}: ${JSON.stringify(result)}`,
        );
      rec.ip = ip;
    } else {
      rec.ip = this.opts.nodeIp;
    }
    await writeFile(L.hosts(cfg.uid), cfg.renderHosts(rec.ip));
    await writeFile(L.hostnameFile(cfg.uid), `${cfg.hostNetwork ? this.nodeHostname : cfg.hostname}\n`);

    rec.holder = await startHolder(
      {
        netns: rec.netns ?? this.opts.nodeNetns,
        hostname: cfg.hostNetwork ? undefined : cfg.hostname,
        freshSysfs: !cfg.hostNetwork,
        resolvConf: L.resolvConf(cfg.uid),
        hosts: L.hosts(cfg.uid),
        readyFile: L.holderReadyFile(cfg.uid),
        ...(rec.sharedPid ? { sharedPidInit: shimBinary() } : {}),
        loopbackUp: !!rec.netns,
      },
      L.holderPidFile(cfg.uid),
      L.holderLog(cfg.uid),
    );
    rec.mountNs = await namespaceOf(rec.holder.pid, 'mnt');
    rec.phase = 'ready';
    await writeSandboxRecord(L.sandboxFile(cfg.uid), rec);
  }

  /**
   * Removes everything of a sandbox, from whatever state it is in: processes,
   * CNI attachments (IP reservation, veth, hostPort rules), netns, files.
   * Names are derived from the UID, so this works without sandbox.json too.
   */
  private async teardown(uid: string): Promise<void> {
    const L = this.layout;
    const rec = await readSandboxRecord(L.sandboxFile(uid));

    for (const dir of await this.allAttemptDirs(uid)) {
      await this.killAttempt(dir, false);
      await this.releaseAttempt(uid, dir);
    }
    await this.killHolder(uid, rec);
    await this.runner.removePod(uid);

    if (!rec?.hostNetwork) {
      const netns = rec?.netns ?? podNetnsName(this.opts.nodeName, uid);
      const present = existsSync(netnsPath(netns));
      const stub: SandboxRecord = rec ?? {
        version: 1,
        phase: 'creating',
        uid,
        namespace: '',
        name: '',
        hostname: '',
        hostNetwork: false,
        sandboxId: sandboxIdFor(uid),
        ip: '',
        createdAt: '',
        netns,
      };
      // An empty CNI_NETNS tells plugins the namespace is gone: they still release IPs and host-side state.
      const withNetns = (att: CniAttachment): CniAttachment => ({ ...att, netns: present ? att.netns : '' });
      await this.cni.del(this.podNetwork, withNetns(this.attachment(stub, POD_IFNAME)));
      // Sandboxes made before the holder brought lo up had it attached by the CNI loopback plugin.
      const lo = withNetns(this.attachment(stub, LO_IFNAME));
      if (await this.cni.cache.get(LOOPBACK_NETWORK_NAME, lo)) await this.cni.del(renderLoopbackConfList(), lo);
      if (present) {
        const r = await run(['ip', 'netns', 'del', netns]);
        if (r.code !== 0 && existsSync(netnsPath(netns)))
          throw new Error(`cannot delete network namespace ${netns}: ${r.stderr.trim()}`);
      }
    }
    await rm(L.sandboxDir(uid), { recursive: true, force: true });
  }

  private async killHolder(uid: string, rec: SandboxRecord | undefined): Promise<void> {
    let holder = rec?.holder;
    if (!holder) {
      const text = await readFile(this.layout.holderPidFile(uid), 'utf8').catch(() => '');
      try {
        holder = text ? (JSON.parse(text) as ProcessIdentity) : undefined;
      } catch {
        holder = undefined;
      }
    }
    if (!holder || !(await isAlive(holder))) return;
    // Anything else still in the pod's mount namespace (e.g. exec'd commands, escaped daemons) goes too.
    const mnt = rec?.mountNs ?? (await namespaceOf(holder.pid, 'mnt'));
    if (mnt) {
      for (const p of await processesInMountNamespace(mnt)) if (p.pid !== holder.pid) await signalIfAlive(p, 'SIGKILL');
    }
    await signalIfAlive(holder, 'SIGKILL');
    if (!(await waitFor(async () => !(await isAlive(holder)), 5_000))) {
      throw new Error(
        `sandbox holder ${holder.pid} of pod ${uid} survived SIGKILL; is it stuck in the kernel (D state)? Retry removal later`,
      );
    }
  }

  private attachment(rec: SandboxRecord, ifName: string): CniAttachment {
    return {
      containerId: rec.sandboxId,
      netns: rec.netns ? netnsPath(rec.netns) : '',
      ifName,
      args: kubernetesCniArgs(rec.namespace, rec.name, rec.sandboxId),
      capabilityArgs: {},
    };
  }

  // --- containers ------------------------------------------------------------

  /** SIGTERM, grace, SIGKILL to the process group; resolves once the exit is recorded (or the process is gone). */
  private async stopAttempt(dir: string, graceSeconds: number): Promise<void> {
    const f = await readContainerFiles(dir);
    if (!f || f.exit || !f.proc || !f.procAlive) return this.killAttempt(dir, false);
    const done = async () => existsSync(join(dir, 'exit')) || !(await isAlive(f.shim));
    await signalIfAlive(f.proc, 'SIGTERM');
    if (!(await waitFor(done, Math.max(0, graceSeconds) * 1000, 100))) {
      await signalIfAlive(f.proc, 'SIGKILL', true);
    }
    // The leader was alive a moment ago, so its pgid still names its own group: sweep children it left.
    await this.killAttempt(dir, true);
  }

  /**
   * SIGKILLs the container's process group and waits for its shim to record
   * the exit. The group is only signalled while its leader is verifiably
   * alive (or just died under stopAttempt): a long-dead leader's pid may name
   * someone else's group by now. Stragglers of long-dead containers are
   * caught by the mount-namespace sweep in killHolder.
   */
  private async killAttempt(dir: string, leaderJustDied: boolean): Promise<void> {
    const f = await readContainerFiles(dir);
    if (!f) return;
    if (f.proc && (f.procAlive || leaderJustDied)) signalGroup(f.proc.pid);
    // Under runc the container's first process need not lead a group; killing it ends its PID namespace.
    await signalIfAlive(f.proc, 'SIGKILL');
    const recorded = await waitForFiles(dir, ['exit'], {
      gaveUp: async () => !(await isAlive(f.shim)),
      timeoutMs: 10_000,
    });
    if (!recorded) throw new Error(`container process in ${dir} did not die after SIGKILL; retry later`);
    await this.containerState(dir); // persists a "lost" verdict if the shim died without recording
  }

  private async containerState(dir: string): Promise<ContainerRuntimeState> {
    const f = await readContainerFiles(dir);
    if (!f) throw new Error(`container record ${dir} is missing; was the sandbox removed?`);
    const s = decideContainerState(f);
    if (!('lost' in s)) {
      if (s.state === 'exited' && !existsSync(join(dir, 'released'))) {
        const uid = this.uidOfAttemptDir(dir);
        const { reason } = await this.runner.release({ uid }, dir, f.meta.name, f.meta.attempt);
        if (reason) return { ...s, reason };
      }
      return s;
    }
    await writeFile(join(dir, 'exit.tmp'), LOST_EXIT_RECORD);
    await rename(join(dir, 'exit.tmp'), join(dir, 'exit'));
    return this.containerState(dir);
  }

  /** Frees the runtime's hold on an attempt (runc delete) once it is dead; a never-started one too. */
  private async releaseAttempt(uid: string, dir: string): Promise<void> {
    const f = await readContainerFiles(dir);
    if (f) await this.runner.release({ uid }, dir, f.meta.name, f.meta.attempt);
  }

  /** <sandboxes>/<uid>/containers/<name>/<attempt> → uid. */
  private uidOfAttemptDir(dir: string): string {
    return dir.slice(this.layout.sandboxesDir.length + 1).split('/')[0]!;
  }

  private async latestAttemptDir(uid: string, name: string): Promise<string | undefined> {
    const base = this.layout.containerNameDir(uid, name);
    const attempts = (await readdir(base).catch(() => [] as string[])).filter((a) => /^\d+$/.test(a)).map(Number);
    return attempts.length ? join(base, String(Math.max(...attempts))) : undefined;
  }

  private async allAttemptDirs(uid: string): Promise<string[]> {
    const base = this.layout.containersDir(uid);
    const out: string[] = [];
    for (const name of await readdir(base).catch(() => [] as string[])) {
      for (const a of await readdir(join(base, name)).catch(() => [] as string[])) out.push(join(base, name, a));
    }
    return out;
  }

  // --- reading state back ------------------------------------------------------

  private async stateOf(uid: string): Promise<SandboxState> {
    const rec = await readSandboxRecord(this.layout.sandboxFile(uid));
    const containers: Record<string, ContainerRuntimeState> = {};
    for (const name of await readdir(this.layout.containersDir(uid)).catch(() => [] as string[])) {
      const dir = await this.latestAttemptDir(uid, name);
      if (!dir) continue;
      try {
        containers[name] = await this.containerState(dir);
      } catch {
        /* a half-written attempt: not started */
      }
    }
    if (!rec) {
      // Debris of a crash before sandbox.json was written: reported dead so the agent removes it.
      return { uid, namespace: '', name: '', hostNetwork: false, ip: '', createdAt: '', alive: false, containers };
    }
    return {
      uid,
      namespace: rec.namespace,
      name: rec.name,
      hostNetwork: rec.hostNetwork,
      ip: rec.ip,
      ...(rec.netns ? { netns: rec.netns } : {}),
      createdAt: rec.createdAt,
      alive: rec.phase === 'ready' && (await isAlive(rec.holder)),
      containers,
    };
  }

  private async readyRecord(uid: string): Promise<SandboxRecord> {
    const rec = await readSandboxRecord(this.layout.sandboxFile(uid));
    if (!rec || rec.phase !== 'ready' || !rec.holder)
      throw new Error(`pod ${uid} has no sandbox on this node; create it first`);
    if (!(await isAlive(rec.holder)))
      throw new Error(
        `sandbox of pod ${rec.namespace}/${rec.name} is dead (its holder process exited); remove and recreate it`,
      );
    return rec;
  }

  private locked<T>(uid: string, fn: () => Promise<T>): Promise<T> {
    validatePodUid(uid);
    const prev = this.locks.get(uid) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined); // the caller gets the error from `next`; the chain only orders
    this.locks.set(uid, tail);
    void tail.then(() => {
      if (this.locks.get(uid) === tail) this.locks.delete(uid);
    });
    return next;
  }
}

function signalGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}
