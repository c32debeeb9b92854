/**
 * The container shim: podnet-shim (src/native/shim.c, built with the native
 * module), a small C process per container that outlives the agent, as
 * conmon does for CRI-O. It runs the container in its own session/process
 * group (so the whole group can be killed without killing the shim), records
 * "pid starttime" in <dir>/pid and the exit status in <dir>/exit (tmp + mv,
 * so a reader never sees half a file), and writes the container's stdout and
 * stderr to <dir>/log as CRI log records with their time (O_APPEND, which is
 * what makes copytruncate rotation safe). For `stdin: true` it keeps the
 * fifo <dir>/stdin open, for `tty: true` it owns the pty; <dir>/ctl takes
 * resize and close-stdin lines: that is how `kubectl attach` reaches the
 * container, even through a restarted agent.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseProcStat, type ProcessIdentity } from './proc.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The shim binary node-gyp builds beside the native module (PODNET_SHIM overrides). */
export function shimBinary(): string {
  const override = process.env['PODNET_SHIM'];
  if (override) return override;
  return fileURLToPath(new URL('../../../build/Release/podnet-shim', import.meta.url));
}

/** Throws the error a user can act on when the shim was not built. */
export function checkShimBinary(path = shimBinary()): void {
  if (!existsSync(path))
    throw new Error(`${path} is missing: podnet-shim is built by "npm install" (node-gyp, a C compiler); run it again`);
}

/** The container's environment: PATH and HOSTNAME as Kubernetes sets them, then the pod spec's env. */
export function containerEnv(env: Record<string, string>, hostname: string): Record<string, string> {
  return { PATH: DEFAULT_PATH, HOSTNAME: hostname, ...env };
}

interface ShimSpec {
  holderPid: number;
  dir: string;
  workingDir?: string;
  env: Record<string, string>;
  argv: string[];
  stdin?: boolean;
  tty?: boolean;
}

/** argv of the shim, entering the holder's namespaces (pure). */
export function shimArgv(s: ShimSpec): string[] {
  const argv0 = s.argv[0];
  if (!argv0 || !argv0.startsWith('/'))
    throw new Error(`container command must start with an absolute path, got "${argv0 ?? ''}"`);
  if (argv0.includes('='))
    throw new Error(`container command path "${argv0}" contains '=', which env(1) would take for a variable`);
  if (s.workingDir !== undefined && s.workingDir !== '' && !s.workingDir.startsWith('/')) {
    throw new Error(`workingDir must be absolute, got "${s.workingDir}"`);
  }
  return [
    'nsenter',
    '-t',
    String(s.holderPid),
    '-n',
    '-u',
    '-i',
    '-m',
    '--',
    shimBinary(),
    'run',
    s.dir,
    ...(s.stdin ? ['-i'] : []),
    ...(s.tty ? ['-t'] : []),
    ...(s.workingDir ? ['-w', s.workingDir] : []),
    '--',
    ...envArgv(s.env, s.argv),
  ];
}

/** `env -i -- NAME=VALUE... argv`: argv with exactly this environment (pure). */
export function envArgv(env: Record<string, string>, argv: string[]): string[] {
  const assignments = Object.entries(env).map(([k, v]) => {
    if (!/^[^=\0]+$/.test(k) || v.includes('\0')) throw new Error(`invalid environment variable name "${k}"`);
    return `${k}=${v}`;
  });
  // '--' must come before the assignments: after them env would take it for the command.
  return ['/usr/bin/env', '-i', '--', ...assignments, ...argv];
}

/**
 * Spawns the shim detached (own session) and records its identity in
 * <dir>/shim.json synchronously, before anything else can crash.
 */
export function spawnShim(s: ShimSpec): ProcessIdentity {
  try {
    accessSync(s.argv[0]!, constants.X_OK);
  } catch {
    throw new Error(`container command ${s.argv[0]} does not exist or is not executable on this node`);
  }
  checkShimBinary();
  const argv = shimArgv(s);
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'ignore', env: { PATH: DEFAULT_PATH } });
  child.on('error', () => {
    /* surfaces as a shim that never writes its pid file */
  });
  child.unref();
  if (!child.pid) throw new Error('cannot start the container shim: is util-linux (nsenter, setsid) installed?');
  let startTime = '';
  try {
    startTime = parseProcStat(readFileSync(`/proc/${child.pid}/stat`, 'utf8'))?.startTime ?? '';
  } catch {
    /* already gone: recorded as dead */
  }
  const id = { pid: child.pid, startTime };
  writeFileSync(join(s.dir, 'shim.json'), JSON.stringify(id));
  return id;
}
