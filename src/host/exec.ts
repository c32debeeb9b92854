/**
 * The one door to the host: every command that changes or reads the kernel
 * (ip, nft, iptables, nsenter, CNI plugins) runs through run(), so that
 * everything above this module is pure and testable with tables.
 */
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { logEnabled, logger } from '../log/log.js';

export interface RunOptions {
  /** Bytes written to the command's stdin. */
  input?: string;
  /** Extra environment variables (merged over process.env unless cleanEnv). */
  env?: Record<string, string>;
  cleanEnv?: boolean;
  /** Run inside this network namespace (a name under /run/netns or a path). */
  netns?: string;
  /** Kill the command after this many ms (default 30 s). */
  timeoutMs?: number;
  cwd?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class HostCommandError extends Error {
  constructor(
    readonly argv: string[],
    readonly result: RunResult,
  ) {
    super(`${argv.join(' ')} failed (exit ${result.code}): ${(result.stderr || result.stdout).trim() || 'no output'}`);
    this.name = 'HostCommandError';
  }
}

/** Path of a network namespace given by name or path. */
export const netnsPath = (netns: string): string => (netns.includes('/') ? netns : `/run/netns/${netns}`);

/** Runs a command and returns its exit code and output; never throws for a non-zero exit. */
export function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  if (traceHostCommands()) return traced(argv, opts);
  return runUntraced(argv, opts);
}

/**
 * Every host command with its duration (where does pod start time go?): at
 * debug level, or at info with PODNET_TRACE_EXEC=1.
 */
const TRACE_ENV = process.env['PODNET_TRACE_EXEC'] === '1';
const traceLog = logger('exec');
export const traceHostCommands = (): boolean => TRACE_ENV || logEnabled('debug');
export const traceLine = (line: string): void => (TRACE_ENV ? traceLog.info(line) : traceLog.debug(line));

async function traced(argv: string[], opts: RunOptions): Promise<RunResult> {
  const t0 = performance.now();
  const r = await runUntraced(argv, opts);
  const env = opts.env?.['CNI_COMMAND'] ? ` CNI_COMMAND=${opts.env['CNI_COMMAND']}` : '';
  traceLine(`${(performance.now() - t0).toFixed(1)}ms exit=${r.code}${env} ${argv.slice(0, 6).join(' ')}`);
  return r;
}

function runUntraced(argv: string[], opts: RunOptions): Promise<RunResult> {
  const full = opts.netns ? ['nsenter', `--net=${netnsPath(opts.netns)}`, '--', ...argv] : argv;
  return new Promise((resolve, reject) => {
    const child = spawn(full[0]!, full.slice(1), {
      env: opts.cleanEnv
        ? { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...opts.env }
        : { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: opts.cwd,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${full[0]}: ${e.message}; run "podnet doctor" to see what is missing`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
    child.stdin.on('error', () => {
      /* the command may exit before reading its input */
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs a command and throws HostCommandError unless it exits 0; returns stdout. */
export async function runOk(argv: string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0) throw new HostCommandError(opts.netns ? [`[netns ${opts.netns}]`, ...argv] : argv, r);
  return r.stdout;
}

/** `ip -j ...` parsed; empty output is an empty list. */
export async function ipJson<T = unknown>(args: string[], opts: RunOptions = {}): Promise<T[]> {
  const out = await runOk(['ip', '-j', ...args], opts);
  return out.trim() ? (JSON.parse(out) as T[]) : [];
}

/**
 * Starts a long-lived program in a session of its own (so it outlives the
 * caller and its process group), stdout and stderr appended to logFile
 * (stdout to the caller's own with stdoutToOurs); returns its pid. The caller tracks it from there (pid file, sockets).
 */
export function spawnDetached(
  argv: string[],
  logFile: string,
  opts: { env?: Record<string, string>; stdoutToOurs?: boolean } = {},
): number {
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(argv[0]!, argv.slice(1), {
      detached: true,
      // Our own stdout fd itself (not a pipe through us): the child writes there directly and outlives us.
      stdio: ['ignore', opts.stdoutToOurs ? 1 : log, log],
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
    });
    child.on('error', () => undefined); // reported below via the missing pid
    child.unref();
    if (child.pid === undefined) throw new Error(`cannot start ${argv[0]}; run "podnet doctor" to see what is missing`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

export interface SpawnOptions {
  /** The whole environment of the process (nothing inherited). */
  env: Record<string, string>;
  /** stdin, stdout, stderr and any further fds: 'pipe' or 'ignore'. */
  stdio: ('pipe' | 'ignore')[];
}

/**
 * Starts a long-running command whose stdio the caller streams (exec
 * sessions, port-forward relays). It leads its own process group, so the
 * caller can end it with everything it started: killGroup(child.pid).
 */
export function spawnProcess(argv: string[], opts: SpawnOptions): ChildProcess {
  if (traceHostCommands()) traceLine(`spawn ${argv.slice(0, 8).join(' ')}`);
  return spawn(argv[0]!, argv.slice(1), { env: opts.env, stdio: opts.stdio, detached: true });
}

/**
 * Starts a long-lived command the caller talks to over its stdin, stdout
 * and stderr (the service proxy's `nft -i`), in the caller's process group
 * and environment: closing its stdin ends it.
 */
export function spawnPiped(argv: string[]): ChildProcessWithoutNullStreams {
  if (traceHostCommands()) traceLine(`spawn ${argv.slice(0, 8).join(' ')}`);
  return spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** SIGKILL to a process group started by spawnProcess; a group already gone is fine. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}
