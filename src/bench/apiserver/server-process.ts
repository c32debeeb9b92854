/**
 * Runs `podnet apiserver` as its own process on a fresh state dir, so its
 * memory can be read from /proc and the load generator does not share its
 * event loop. stop() ends it and removes the state dir, whatever happened.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export interface ServerMemory {
  /** Resident set now, in MiB. */
  rssMiB: number;
  /** Peak resident set since start, in MiB. */
  hwmMiB: number;
}

export interface ServerProcess {
  url: string;
  token: string;
  caPem: string;
  pid: number;
  stateDir: string;
  memory(): ServerMemory;
  /** SIGTERM, then SIGKILL after a grace period; removes the state dir. Safe to call twice. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** 'bare': the API server without controllers (bare-server.js); 'cli': `bin/podnet apiserver` as a user runs it, controllers included. */
  mode: 'bare' | 'cli';
  /** Extra node flags for the server (e.g. --cpu-prof --cpu-prof-dir=DIR). */
  nodeArgs: string[];
  /** Echo the server's stderr (and stdout after startup) to ours. */
  verbose: boolean;
  /** Keep the state in etcd at these client URLs instead of SQLite. */
  etcdServers?: string;
  /** taskset CPU list to pin the server to (a bench keeps it off the CPUs it measures on). */
  cpus?: string;
}

const BIN = fileURLToPath(new URL('../../../bin/podnet', import.meta.url));
const BARE = fileURLToPath(new URL('./bare-server.js', import.meta.url));
const STARTUP_TIMEOUT_MS = 60_000;

export async function spawnApiServer(opts: SpawnOptions): Promise<ServerProcess> {
  const stateDir = mkdtempSync(join(tmpdir(), 'podnet-bench-'));
  const entry = opts.mode === 'cli' ? [BIN, 'apiserver'] : [BARE];
  const argv = [process.execPath, ...opts.nodeArgs, ...entry, '--state', stateDir, '--listen', '127.0.0.1:0'];
  if (opts.etcdServers) argv.push('--etcd-servers', opts.etcdServers);
  // taskset execs the server, so the child's pid is the server's.
  const [cmd, ...args] = opts.cpus ? ['taskset', '-c', opts.cpus, ...argv] : argv;
  const child = spawn(cmd!, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = false;
  let stopping = false;
  let stderr = '';
  child.once('exit', (code, signal) => {
    exited = true;
    // A server that dies mid-run shows up as "socket hang up" in the client; say what really happened.
    if (!stopping)
      process.stderr.write(
        `podnet apiserver (pid ${child.pid}) exited unexpectedly: code ${code}, signal ${signal}\n${stderr.slice(-2000)}\n`,
      );
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-8192);
    if (opts.verbose) process.stderr.write(c);
  });

  const stop = async (): Promise<void> => {
    stopping = true;
    if (!exited && child.pid !== undefined) {
      child.kill('SIGTERM');
      if (!(await waitExit(child, 15_000))) {
        child.kill('SIGKILL');
        await waitExit(child, 5_000);
      }
    }
    rmSync(stateDir, { recursive: true, force: true });
  };

  try {
    const url = await readUrl(child, opts.verbose, () => stderr);
    const { token, caB64 } = readCredentials(join(stateDir, 'kubeconfig'));
    if (!token || !caB64)
      throw new Error(
        `${join(stateDir, 'kubeconfig')} has no bearer token or CA data; the bench needs an HTTPS server with token auth`,
      );
    const pid = child.pid!;
    return {
      url,
      token,
      caPem: Buffer.from(caB64, 'base64').toString('utf8'),
      pid,
      stateDir,
      memory: () => readMemory(pid),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The server prints "listening on URL" once it serves. */
function readUrl(child: ChildProcess, verbose: boolean, stderr: () => string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => fail(`did not print its URL within ${STARTUP_TIMEOUT_MS / 1000}s`),
      STARTUP_TIMEOUT_MS,
    );
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`podnet apiserver ${why}; its stderr said:\n${stderr() || '(nothing)'}`));
    };
    const onData = (c: Buffer) => {
      out += c.toString('utf8');
      if (verbose) process.stdout.write(c);
      const m = /listening on (https?:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        child.stdout!.resume(); // keep draining so the server never blocks on a full pipe
        resolve(m[1]!);
      }
    };
    const onExit = (code: number | null, signal: string | null) =>
      fail(`exited during startup (code ${code}, signal ${signal})`);
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

interface Kubeconfig {
  clusters?: Array<{ cluster?: { 'certificate-authority-data'?: string } }>;
  users?: Array<{ user?: { token?: string } }>;
}

function readCredentials(path: string): { token?: string; caB64?: string } {
  const kc = parseYaml(readFileSync(path, 'utf8')) as Kubeconfig;
  return { token: kc.users?.[0]?.user?.token, caB64: kc.clusters?.[0]?.cluster?.['certificate-authority-data'] };
}

function readMemory(pid: number): ServerMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m) throw new Error(`/proc/${pid}/status has no ${field} line`);
    return Number(m[1]);
  };
  return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}
