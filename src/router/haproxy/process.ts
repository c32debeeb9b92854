/**
 * The HAProxy the router drives: started once in master-worker mode in a
 * session of its own, so a restarted controller finds it still serving and
 * adopts it; reloaded through the master CLI, which hands the listening
 * sockets to the new worker (no connection refused) while old workers
 * finish what they carry.
 */
import { readFileSync } from 'node:fs';
import { run, spawnDetached } from '../../host/exec.js';
import { appliedFromRendered, freeStandby, type AppliedServer, type AppliedState } from './plan.js';
import {
  parseDescription,
  parseServersState,
  parseShowMap,
  parseShowProc,
  runCommands,
  runOnce,
  type ProcInfo,
} from './runtime-api.js';
import { paths } from './render.js';

const HAPROXY_BIN = process.env['PODNET_HAPROXY'] ?? 'haproxy';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a process of ours still runs (a child that exited but was not reaped counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * HAProxy in master-worker mode on a run dir's files: the master CLI on
 * master.sock (reloads, the process table), the master's pid in haproxy.pid.
 * Without -D it stays in the foreground, as a container's main process (pure).
 */
export function haproxyArgv(runDir: string, bin = HAPROXY_BIN): string[] {
  const p = paths(runDir);
  return [bin, '-W', '-S', `${p.masterSocket},mode,600`, '-f', p.config, '-p', p.pidFile];
}

export class Haproxy {
  private readonly p: ReturnType<typeof paths>;

  /**
   * external: HAProxy is started by someone else on this run dir's files
   * (the router pod's haproxy container, so that it outlives the
   * controller's container); start waits for it and stop leaves it alone.
   */
  constructor(
    readonly runDir: string,
    private readonly external = false,
    /** HAProxy's stdout (its access log) is ours; otherwise the log file in the run dir. */
    private readonly stdoutToOurs = false,
  ) {
    this.p = paths(runDir);
  }

  /** The master's process table, or undefined when no HAProxy answers on this run dir's master socket. */
  async proc(): Promise<ProcInfo | undefined> {
    try {
      return parseShowProc(await runOnce(this.p.masterSocket, 'show proc', 3000));
    } catch {
      return undefined; // no socket, or nobody listening on it: not running
    }
  }

  /** Checks a config file as HAProxy would load it; throws with HAProxy's own message. */
  async validate(configPath = this.p.config): Promise<void> {
    const r = await run([HAPROXY_BIN, '-c', '-q', '-f', configPath], { timeoutMs: 60_000 });
    if (r.code !== 0)
      throw new Error(
        `HAProxy refuses the rendered config: ${(r.stderr || r.stdout).trim().split('\n').slice(0, 8).join(' | ')}`,
      );
  }

  /** Starts HAProxy on the files in the run dir (or, external, waits for it) until its first worker runs. */
  async start(timeoutMs = this.external ? 120_000 : 20_000): Promise<ProcInfo> {
    const pid = this.external
      ? undefined
      : spawnDetached(haproxyArgv(this.runDir), this.p.log, { stdoutToOurs: this.stdoutToOurs });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const info = await this.proc();
      if (info && info.workers.length > 0) return info;
      if (pid !== undefined && !alive(pid)) throw new Error(`HAProxy exited at start: ${this.logTail()}`);
      await sleep(50);
    }
    throw new Error(
      this.external
        ? `no HAProxy answers on ${this.p.masterSocket} after ${timeoutMs} ms; it runs in the router pod's haproxy container: see its log (kubectl logs -c haproxy)`
        : `HAProxy did not start within ${timeoutMs} ms: ${this.logTail()}`,
    );
  }

  /** Reloads from the files in the run dir; resolves once a new worker serves, throws if HAProxy refused. */
  async reload(timeoutMs = 30_000): Promise<ProcInfo> {
    const before = await this.proc();
    if (!before) throw new Error('HAProxy is not running');
    const deadline = Date.now() + timeoutMs;
    // The master re-executes itself on reload; its socket refuses connections for a moment.
    for (;;) {
      try {
        await runOnce(this.p.masterSocket, 'reload', 5000);
        break;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await sleep(20);
      }
    }
    while (Date.now() < deadline) {
      const info = await this.proc();
      if (info && info.reloads > before.reloads) {
        if (info.failedReloads > 0) throw new Error(`HAProxy refused the reload: ${this.logTail()}`);
        if (info.workers.some((w) => !before.workers.includes(w))) return info;
      }
      await sleep(10);
    }
    throw new Error(`HAProxy did not finish reloading within ${timeoutMs} ms: ${this.logTail()}`);
  }

  /** Stops HAProxy gracefully (SIGUSR1 to the master: workers finish their connections, then exit). */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.external) return; // it ends with its container
    const info = await this.proc();
    if (!info) return;
    try {
      process.kill(info.masterPid, 'SIGUSR1');
    } catch {
      return; // already gone
    }
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && (await this.proc())) await sleep(50);
    try {
      process.kill(info.masterPid, 'SIGTERM');
    } catch {
      // exited on its own, as it should have
    }
  }

  /** Runs Runtime API commands on the current worker; one reply each. */
  commands(commands: string[]): Promise<string[]> {
    return runCommands(this.p.adminSocket, commands);
  }

  /** The frame digest the running HAProxy was loaded with ("" when unknown). */
  async frameHash(): Promise<string> {
    const [info] = await this.commands(['show info']);
    return parseDescription(info ?? '').replace(/^podnet-frame=/, '');
  }

  /** What the running HAProxy holds now: its structure digest, servers and maps, read back over the Runtime API. */
  async readApplied(): Promise<AppliedState> {
    const [info, backends, servers, exact, prefix] = await this.commands([
      'show info',
      'show backend',
      'show servers state',
      `show map ${this.p.exactMap}`,
      `show map ${this.p.prefixMap}`,
    ]);
    const applied = appliedFromRendered(
      { backends: [], routes: [], certificates: [], events: [], ingressAddresses: new Map() },
      {
        config: '',
        exact: parseShowMap(exact ?? ''),
        prefix: parseShowMap(prefix ?? ''),
        tlsFiles: new Map(),
        frameHash: parseDescription(info ?? '').replace(/^podnet-frame=/, ''),
        backends: (backends ?? '').split('\n').filter((l) => l && !l.startsWith('#')),
        standby: [],
      },
    );
    for (const s of parseServersState(servers ?? '')) {
      let m = applied.servers.get(s.backend);
      if (!m) applied.servers.set(s.backend, (m = new Map<string, AppliedServer>()));
      m.set(s.server, { address: s.address, port: s.port, ready: !s.maint });
    }
    applied.standby = freeStandby(applied);
    return applied;
  }

  private logTail(): string {
    try {
      return readFileSync(this.p.log, 'utf8').trim().split('\n').slice(-6).join(' | ') || 'no output';
    } catch {
      return `no log at ${this.p.log}`;
    }
  }
}
