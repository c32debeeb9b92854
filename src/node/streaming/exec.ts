/**
 * exec: a command inside a running container: its namespaces, working
 * directory and environment (read from the container process, as runc exec
 * takes them from the container's spec). Without a tty stdout and stderr stay
 * apart and the exit code becomes the Status; with a tty podnet-shim's pty
 * mode gives the command a terminal and takes resizes. When the session ends
 * either way the command's whole process group is killed: nothing outlives
 * its client.
 */
import { readFile } from 'node:fs/promises';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { killGroup, spawnProcess } from '../../host/exec.js';
import { endRuncExec } from '../../host/runc.js';
import type { ExecCommand } from '../runtime/container-runner.js';
import { exitStatus, internalErrorStatus } from '../../streaming/status.js';
import { DEFAULT_PATH, shimBinary } from '../runtime/shim.js';
import type { CommandIO } from './command-io.js';
import { whenWritable } from './flow.js';

/** After the command exits, how long its output may still trail in (a background child can hold the pipe forever). */
const OUTPUT_GRACE_MS = 2000;

/** The container process's environment (/proc/PID/environ), or a bare PATH when it cannot be read. */
export async function processEnv(pid: number): Promise<Record<string, string>> {
  try {
    return parseEnviron(await readFile(`/proc/${pid}/environ`));
  } catch {
    return { PATH: DEFAULT_PATH };
  }
}

/** NAME=VALUE\0... (pure). */
export function parseEnviron(b: Buffer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of b.toString().split('\0')) {
    const eq = kv.indexOf('=');
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return env;
}

/** With a tty, podnet-shim's pty mode around the runtime's exec argv (pure). */
export function withPty(argv: string[], tty: boolean): string[] {
  return tty ? [shimBinary(), 'pty', '--', ...argv] : argv;
}

/** Runs the command the runtime's exec argv gives (runc exec, or nsenter into the container process). */
export async function runExec(
  io: CommandIO,
  execArgv: (command: string[], tty: boolean) => Promise<ExecCommand>,
): Promise<void> {
  const o = io.opts;
  if (o.command.length === 0) {
    io.finish(internalErrorStatus('command is required'));
    return;
  }
  const command = await execArgv(o.command, o.tty);
  const argv = withPty(command.argv, o.tty);
  // Under runc the command is not in our group: its own group goes too (runc may be gone already).
  const endCommand = () => (command.pidFile ? endRuncExec(command.pidFile) : Promise.resolve());
  const child = spawnProcess(argv, {
    env: { PATH: DEFAULT_PATH },
    stdio: o.tty
      ? ['pipe', 'pipe', 'ignore', 'pipe']
      : [o.stdin ? 'pipe' : 'ignore', o.stdout ? 'pipe' : 'ignore', o.stderr ? 'pipe' : 'ignore'],
  });
  const pid = child.pid;
  const stdin = child.stdin;
  const control = o.tty ? (child.stdio[3] as Writable | null) : null;
  const outputs: [Readable | null, (b: Buffer) => void][] = [
    [child.stdout, (b) => io.writeStdout(b)],
    [child.stderr, (b) => io.writeStderr(b)],
  ];

  // Output flows until the client cannot keep up, then the pipes wait (back-pressure to the command).
  for (const [stream, write] of outputs) {
    stream?.on('data', (b: Buffer) => {
      write(b);
      if (io.congested()) stream.pause();
    });
  }
  io.on('drain', () => outputs.forEach(([s]) => s?.resume()));

  stdin?.on('error', () => {
    /* the command closed its stdin or died: what the client still sends has nowhere to go */
  });
  control?.on('error', () => {
    /* the pty helper is gone; resizes no longer matter */
  });
  io.input((b) => {
    if (b) {
      if (stdin?.writable && !stdin.write(b)) {
        // The command reads slower than the client sends: stop reading the client meanwhile.
        whenWritable(stdin, io.hold(), child);
      }
    }
    // On a terminal EOF is a key press (Ctrl-D), which the client sends itself.
    else if (!o.tty) stdin?.end();
  });
  const resize = (s: { width: number; height: number }) => control?.write(`resize ${s.height} ${s.width}\n`);
  if (io.size) resize(io.size);
  io.on('resize', resize);
  io.on('close', () => {
    // The client is gone: the command and everything it started go too.
    if (o.tty) killGroup(pid, 'SIGTERM'); // podnet-shim pty kills the session it made
    killGroup(pid);
    void endCommand();
  });

  const done = new Promise<number | Error>((resolve) => {
    child.on('error', (e) => resolve(e));
    child.on('exit', (code, signal) => {
      const exitCode = code ?? 128 + (signal ? signalNumber(signal) : 0);
      const timer = setTimeout(() => resolve(exitCode), OUTPUT_GRACE_MS);
      child.on('close', () => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
  });
  const result = await done;
  killGroup(pid);
  await endCommand();
  if (result instanceof Error) io.finish(internalErrorStatus(`cannot run the command: ${result.message}`));
  else io.finish(exitStatus(result));
}

function signalNumber(s: NodeJS.Signals): number {
  return constants.signals[s] ?? 1;
}
