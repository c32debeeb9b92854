/**
 * The floor of a cold start at scale: HAProxy alone, exec to serving, on
 * the config podnet router rendered (sockets and listeners moved aside) and
 * on a hand-written minimal one for the same routes (a backend and its
 * servers each, a host map, nothing else). What the router adds on top of
 * these is its own cost; what they take, no controller can remove.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKEND_PORT, PROXY_IP } from './net.js';
import { ownCpuSecondsOf } from '../common/proc-cpu.js';
import { routeStatus } from './scale.js';

export interface AloneStart {
  /** exec -> every checked host answering 200. */
  servingMs: number;
  /** CPU seconds of HAProxy's processes (master and worker) by then. */
  cpuSeconds: number;
  /**
   * CPU seconds of the master alone: parsing the config and preparing the
   * servers before the worker forks, the part no wall clock or health check
   * running meanwhile inflates.
   */
  masterCpuSeconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `haproxy -W` on `config` pinned to `cpus`, times it until every host answers on `port`, stops it. */
export async function timeHaproxyAlone(
  dir: string,
  config: string,
  cpus: string,
  port: number,
  hosts: string[],
  timeoutMs = 120_000,
): Promise<AloneStart> {
  mkdirSync(dir, { recursive: true });
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, config);
  const t0 = performance.now();
  const argv = [...(cpus ? ['taskset', '-c', cpus] : []), 'haproxy', '-W', '-f', cfg];
  // taskset execs HAProxy: the pid is the master's.
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  const master = child.pid!;
  // The last of what HAProxy said, for the error when it exits (its alerts name the cause).
  let said = '';
  child.stderr.on('data', (d: Buffer) => {
    said = (said + d.toString()).slice(-1500);
  });
  try {
    for (;;) {
      if (performance.now() - t0 > timeoutMs) throw new Error(`HAProxy alone did not serve within ${timeoutMs} ms`);
      if (child.exitCode !== null)
        throw new Error(`HAProxy alone exited (code ${child.exitCode}) on ${cfg}: ${said.trim()}`);
      const ok = await Promise.all(hosts.map((h) => routeStatus(port, h, 1000)));
      if (ok.every((s) => s === 200)) break;
      await sleep(10);
    }
    const servingMs = performance.now() - t0;
    const masterCpuSeconds = ownCpuSecondsOf(master);
    return { servingMs, cpuSeconds: masterCpuSeconds + childrenCpu(master), masterCpuSeconds };
  } finally {
    child.kill('SIGTERM');
    for (let i = 0; i < 100 && child.exitCode === null && child.signalCode === null; i++) await sleep(50);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** CPU seconds of the direct children of `pid` (HAProxy's workers). */
function childrenCpu(pid: number): number {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return kids.reduce((s, k) => s + ownCpuSecondsOf(Number(k)), 0);
  } catch {
    return 0;
  }
}

/**
 * The router's rendered config, runnable beside the router: its admin
 * socket moved to `dir`, its listener on `port`, no stats listener and no
 * access log.
 */
export function besideRouter(config: string, routerRunDir: string, dir: string, port: number): string {
  return config
    .split('\n')
    .filter((l) => !/^\s*log /.test(l))
    .map((l) => l.replace(`${routerRunDir}/admin.sock`, join(dir, 'admin.sock')))
    .join('\n')
    .replace(/^frontend stats\n(?:[ \t]+.*\n)*/m, '')
    .replace(/^(frontend routes\n)[ \t]+bind \S+/m, `$1    bind ${PROXY_IP}:${port}`);
}

/** A hand-written minimal config for the same routes: a host map to one backend each, plain server lines. */
export function minimalConfig(
  dir: string,
  port: number,
  routes: { host: string; endpoints: readonly string[] }[],
): string {
  const map = join(dir, 'hosts.map');
  mkdirSync(dir, { recursive: true });
  writeFileSync(map, routes.map((r, i) => `${r.host} b${i}\n`).join(''));
  return [
    'global',
    '    nbthread 1',
    'defaults',
    '    mode http',
    '    timeout connect 5s',
    '    timeout client 60s',
    '    timeout server 60s',
    'frontend routes',
    `    bind ${PROXY_IP}:${port}`,
    `    use_backend %[req.hdr(host),field(1,:),lower,map_str(${map})]`,
    ...routes.flatMap((r, i) => [
      `backend b${i}`,
      ...r.endpoints.map((a, k) => `    server s${k} ${a}:${BACKEND_PORT}`),
    ]),
    '',
  ].join('\n');
}
