/**
 * The one door to the host: every command that changes or reads the kernel
 * (ip, nft, iptables, nsenter, CNI plugins) runs through run(), so that
 * everything above this module is pure and testable with tables.
 */
import { spawn } from 'node:child_process';
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
