/**
 * Run one long-lived podnet process as a child with a bounded V8 heap and
 * start it again when it dies (crash, out of memory, SIGKILL), with the
 * backoff of restart-policy.ts. The supervisor is what `up` records and
 * `down` signals: SIGTERM/SIGINT stop the child (it shares the process group,
 * so a group signal reaches it directly) and then the supervisor; a
 * supervisor killed outright closes the child's IPC channel, and the child
 * stops too (no orphan keeps the port).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpuProfileFlags } from './cpu-profile-flags.js';
import { logger } from '../log/log.js';
import { nextRestartDelay, restartNotice } from './restart-policy.js';

/** How long a stop signal waits for the child to stop by itself (a group signal) before passing it on. */
const FORWARD_AFTER_MS = 1000;
const KILL_AFTER_MS = 15_000;

export interface SuperviseOptions {
  /** For the log: "apiserver", "node". */
  name: string;
  /** The podnet command line without node: [entry, command, ...args]. */
  args: string[];
  maxHeapMib: number;
}

/** Resolves with the child's last exit status once a stop signal ended it. */
export function superviseChild(o: SuperviseOptions): Promise<number> {
  const log = logger(`supervise ${o.name}`);
  // The child gets the supervisor's own V8 flags, the profiler (PODNET_CPU_PROF_DIR: the child's CPU is
  // what a profile is for; the supervisor only waits) and the heap limit.
  const argv = [...process.execArgv, ...cpuProfileFlags(), `--max-old-space-size=${o.maxHeapMib}`, ...o.args];
  let child: ChildProcess | undefined;
  let stopping = false;
  let delay = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  return new Promise((resolve) => {
    const start = () => {
      const startedAt = Date.now();
      // The IPC channel is only a lifeline: the child stops when it closes (this supervisor died).
      const c = spawn(process.execPath, argv, { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
      child = c;
      log.info(`started ${o.name}`, { pid: c.pid, maxHeapMib: o.maxHeapMib });
      c.on('error', (e) => log.error(`cannot start ${o.name}: ${e.message}`));
      c.on('exit', (code, signal) => {
        child = undefined;
        if (stopping) return resolve(code ?? 0);
        delay = nextRestartDelay(delay, Date.now() - startedAt);
        log.warn(restartNotice(o.name, code, signal, delay));
        restartTimer = setTimeout(start, delay);
      });
    };
    const stop = (sig: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      clearTimeout(restartTimer);
      const c = child;
      if (!c) return resolve(0);
      setTimeout(() => c.exitCode === null && c.signalCode === null && c.kill(sig), FORWARD_AFTER_MS).unref();
      setTimeout(() => c.exitCode === null && c.signalCode === null && c.kill('SIGKILL'), KILL_AFTER_MS).unref();
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    start();
  });
}
