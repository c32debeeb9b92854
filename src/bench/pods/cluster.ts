/**
 * The clusters the pod benchmark measures: `bin/podnet up` / `down --purge`
 * run as a user would, each on a fresh state dir under /tmp with a unique
 * name, and every host command the benchmark needs (netns counts, process
 * counts, nsenter) in one place. Every cluster started here is recorded so
 * the caller can tear all of them down on any exit path.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findResource } from '../../api/resources.js';
import { KubeClient } from '../../client/index.js';
import { readLayout } from '../../cluster/layout-file.js';
import type { Backend, ClusterLayout } from '../../cluster/layout.js';
import { kubeconfigPath, nodeStateDir } from '../../cluster/paths.js';

const PODNET = fileURLToPath(new URL('../../../bin/podnet', import.meta.url));

export const podsRes = findResource('', 'v1', 'pods')!;
const namespacesRes = findResource('', 'v1', 'namespaces')!;

export interface Cluster {
  name: string;
  stateDir: string;
  backend: Backend;
  layout: ClusterLayout;
  client: KubeClient;
  /** Full node names in order (<name>-node1 ...). */
  nodes: string[];
}

interface CmdResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; never throws for a non-zero exit. */
export function sh(
  argv: string[],
  opts: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<CmdResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${argv[0]}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
  });
}

/** Like sh, but a non-zero exit is an error carrying the command's output. */
export async function shOk(argv: string[], opts: { timeoutMs?: number } = {}): Promise<string> {
  const r = await sh(argv, opts);
  if (r.code !== 0)
    throw new Error(`${argv.join(' ')} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(-800)}`);
  return r.stdout;
}

/** Clusters brought up and not yet torn down (for cleanup on any exit). */
const liveClusters = new Map<string, { stateDir: string; client?: KubeClient }>();

/** A cluster name nobody uses: b<5 random digits>. */
export function uniqueName(prefix = 'b'): string {
  for (;;) {
    const name = `${prefix}${Math.floor(10000 + Math.random() * 90000)}`;
    if (!existsSync(`/tmp/podnet-bench-${name}`) && !existsSync(`/run/netns/podnet-${name}-node1`)) return name;
  }
}

export async function clusterUp(backend: Backend, nodes: number, log: (s: string) => void): Promise<Cluster> {
  const name = uniqueName();
  const stateDir = `/tmp/podnet-bench-${name}`;
  liveClusters.set(name, { stateDir });
  log(`podnet up --nodes ${nodes} --name ${name} --backend ${backend} --state ${stateDir}`);
  const started = performance.now();
  const r = await sh(
    [PODNET, 'up', '--nodes', String(nodes), '--name', name, '--backend', backend, '--state', stateDir],
    { timeoutMs: 240_000 },
  );
  if (r.code !== 0) throw new Error(`podnet up failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(-1500)}`);
  log(`  cluster ${name} up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const layout = readLayout(stateDir);
  if (!layout) throw new Error(`podnet up wrote no layout in ${stateDir}`);
  const client = KubeClient.fromKubeconfig(kubeconfigPath(stateDir), { userAgent: 'podnet-bench-pods' });
  liveClusters.set(name, { stateDir, client });
  return { name, stateDir, backend, layout, client, nodes: layout.nodes.map((n) => n.name) };
}

/** `podnet down --purge`; returns what it printed on failure (the caller reports it), '' when clean. */
export async function clusterDown(name: string, log: (s: string) => void): Promise<string> {
  const c = liveClusters.get(name);
  if (!c) return '';
  c.client?.close();
  log(`podnet down --state ${c.stateDir} --purge`);
  const r = await sh([PODNET, 'down', '--state', c.stateDir, '--purge'], { timeoutMs: 180_000 });
  liveClusters.delete(name);
  if (r.code === 0) return '';
  const msg = `podnet down --state ${c.stateDir} --purge failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(-800)}`;
  log(msg);
  return msg;
}

export async function downAll(log: (s: string) => void): Promise<void> {
  for (const name of [...liveClusters.keys()])
    await clusterDown(name, log).catch((e: Error) => log(`down ${name}: ${e.message}`));
}

export async function createNamespace(c: Cluster, ns: string): Promise<void> {
  await c.client.create(namespacesRes, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
}

/** Network namespaces of this node's pods (podnet-<node>-<12 hex>). */
function podNetnsOf(node: string): string[] {
  let names: string[];
  try {
    names = readdirSync('/run/netns');
  } catch {
    return [];
  }
  const prefix = `podnet-${node}-`;
  return names.filter((n) => n.startsWith(prefix) && /^[0-9a-f]{12}$/.test(n.slice(prefix.length)));
}

/** veth links in the node's own namespace (the host ends of pod veths plus the node's eth0). */
async function vethCount(node: string): Promise<number> {
  const out = await shOk(['ip', '-n', `podnet-${node}`, '-o', 'link', 'show', 'type', 'veth']);
  return out.split('\n').filter((l) => l.trim()).length;
}

/** Addresses host-local IPAM holds for the node's pod network (files named by IP). */
function ipamReservations(c: Cluster, node: string): number {
  const dir = join(nodeStateDir(c.stateDir, node), 'pods', 'cni', 'networks');
  let n = 0;
  try {
    for (const net of readdirSync(dir)) {
      try {
        n += readdirSync(join(dir, net)).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)).length;
      } catch {
        /* not a directory */
      }
    }
  } catch {
    /* no reservations yet */
  }
  return n;
}

/** Processes whose command line names this node's pod state (sandbox holders, shims, containers started from it). */
function podProcessCount(c: Cluster, node: string): number {
  const needle = `${nodeStateDir(c.stateDir, node)}/`;
  let n = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      // The agent's own --state is the node dir without a trailing slash: not counted.
      if (cmd.includes(needle)) n++;
    } catch {
      /* gone */
    }
  }
  return n;
}

export interface NodeFootprint {
  netns: number;
  veths: number;
  ipam: number;
  processes: number;
}

export async function footprint(c: Cluster, node: string): Promise<NodeFootprint> {
  return {
    netns: podNetnsOf(node).length,
    veths: await vethCount(node),
    ipam: ipamReservations(c, node),
    processes: podProcessCount(c, node),
  };
}

/** Waits until the node's pod footprint is back to `base` (or the timeout); returns the last reading. */
export async function waitFootprint(
  c: Cluster,
  node: string,
  base: NodeFootprint,
  timeoutMs: number,
): Promise<{ fp: NodeFootprint; ms: number; clean: boolean }> {
  const t0 = performance.now();
  for (;;) {
    const fp = await footprint(c, node);
    const clean =
      fp.netns <= base.netns && fp.veths <= base.veths && fp.ipam <= base.ipam && fp.processes <= base.processes;
    const ms = performance.now() - t0;
    if (clean || ms > timeoutMs) return { fp, ms, clean };
    await new Promise((r) => setTimeout(r, 250));
  }
}
