/**
 * A server process a bench started: its memory from /proc, its recent
 * output for error messages, and a stop that always ends it (SIGTERM, then
 * SIGKILL) — only this child, by its pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface Memory {
  rssMiB: number;
  hwmMiB: number;
}

export interface Child {
  pid: number;
  proc: ChildProcess;
  /** Last 8 KiB of stderr and stdout. */
  output(): string;
  exited(): boolean;
  memory(): Memory;
  stop(): Promise<void>;
}

/** Every child still running, so a fatal error can still stop them all. */
const live = new Set<Child>();

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...live].map((c) => c.stop()));
}

interface ChildOptions {
  /**
   * Append stdout to this file instead of keeping its tail: for a server
   * that logs every request, whose log would otherwise cost this process CPU.
   */
  stdoutFile?: string;
}

/** Runs `argv` pinned to `cpus` with taskset when given. */
export function startChild(
  argv: string[],
  cpus: string,
  label: string,
  verbose: boolean,
  options: ChildOptions = {},
): Child {
  const full = cpus ? ['taskset', '-c', cpus, ...argv] : argv;
  // taskset execs the command, so the pid is the server's own.
  const stdoutFd = options.stdoutFile === undefined ? undefined : openSync(options.stdoutFile, 'a');
  const proc = spawn(full[0]!, full.slice(1), { stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'] });
  if (stdoutFd !== undefined) closeSync(stdoutFd);
  let out = '';
  let exited = false;
  let stopping = false;
  const keep = (c: Buffer) => {
    out = (out + c.toString('utf8')).slice(-8192);
    if (verbose) process.stderr.write(`[${label}] ${c.toString('utf8')}`);
  };
  proc.stdout?.on('data', keep);
  proc.stderr!.on('data', keep);
  proc.once('exit', (code, signal) => {
    exited = true;
    if (!stopping)
      process.stderr.write(
        `${label} (pid ${proc.pid}) exited unexpectedly: code ${code}, signal ${signal}\n${out.slice(-2000)}\n`,
      );
  });
  proc.on('error', (e) => {
    exited = true;
    keep(Buffer.from(`spawn failed: ${e.message}\n`));
  });
  const child: Child = {
    pid: proc.pid ?? -1,
    proc,
    output: () => out,
    exited: () => exited,
    memory: () => readMemory(proc.pid!),
    stop: async () => {
      stopping = true;
      if (exited || proc.pid === undefined) {
        live.delete(child);
        return;
      }
      proc.kill('SIGTERM');
      if (!(await waitExit(proc, 10_000))) {
        proc.kill('SIGKILL');
        await waitExit(proc, 5_000);
      }
      live.delete(child);
    },
  };
  live.add(child);
  return child;
}

export function readMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
}

function waitExit(proc: ChildProcess, ms: number): Promise<boolean> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      proc.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    proc.once('exit', onExit);
  });
}

/** Polls `check` every 50 ms until it is true, the child dies, or the timeout passes. */
export async function waitUntil(
  child: Child,
  what: string,
  timeoutMs: number,
  check: () => boolean | Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exited())
      throw new Error(`${what}: the process exited; it said:\n${child.output().slice(-2000) || '(nothing)'}`);
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not within ${timeoutMs / 1000} s; it said:\n${child.output().slice(-2000) || '(nothing)'}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}
