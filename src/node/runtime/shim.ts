/**
 * The container shim: a few lines of sh that outlive the agent. It runs the
 * container in its own session/process group (setsid, so the whole group can
 * be killed without killing the shim), records "pid starttime" in <dir>/pid,
 * waits, and records the exit status in <dir>/exit — both via tmp + mv so a
 * reader never sees half a file. Output goes to <dir>/log opened O_APPEND
 * (>>), which is what makes copytruncate rotation safe.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProcStat, type ProcessIdentity } from './proc.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * $1 dir, $2 workingDir ('' = /), rest: env -i -- NAME=VALUE... argv.
 * A signal death makes `wait` return 128+N, exactly what kubelet reports.
 * A workingDir that does not exist is recorded as "128 StartError" (containerd's code).
 */
export const SHIM_SCRIPT = [
  'd=$1; wd=$2; shift 2',
  'exec >>"$d/log" 2>&1 </dev/null',
  'rec() { echo "$2" > "$d/$1.tmp" && mv -f "$d/$1.tmp" "$d/$1"; }',
  'if [ -n "$wd" ]; then cd "$wd" || { rec exit "128 StartError"; exit 0; }; fi',
  'setsid "$@" &',
  'p=$!',
  // The child cannot have been reaped yet (we have not waited), so its stat is readable even if it already exited.
  'rec pid "$p $(sed "s/.*) //" /proc/$p/stat | cut -d" " -f20)"',
  'wait $p',
  'rec exit "$?"',
].join('\n');

/** The container's environment: PATH and HOSTNAME as Kubernetes sets them, then the pod spec's env. */
export function containerEnv(env: Record<string, string>, hostname: string): Record<string, string> {
  return { PATH: DEFAULT_PATH, HOSTNAME: hostname, ...env };
}

export interface ShimSpec {
  holderPid: number;
  dir: string;
  workingDir?: string;
  env: Record<string, string>;
  argv: string[];
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
  const assignments = Object.entries(s.env).map(([k, v]) => {
    if (!/^[^=\0]+$/.test(k) || v.includes('\0')) throw new Error(`invalid environment variable name "${k}"`);
    return `${k}=${v}`;
  });
  return [
    'nsenter',
    '-t',
    String(s.holderPid),
    '-n',
    '-u',
    '-i',
    '-m',
    '--',
    '/bin/sh',
    '-c',
    SHIM_SCRIPT,
    'shim',
    s.dir,
    s.workingDir ?? '',
    // '--' must come before the assignments: after them env would take it for the command.
    '/usr/bin/env',
    '-i',
    '--',
    ...assignments,
    ...s.argv,
  ];
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
