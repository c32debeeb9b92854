/**
 * The node's cgroups as the pod runtime needs them: whether a container's
 * memory cgroup saw an OOM kill, and removing a pod's cgroup directories.
 * Works on cgroup v1 (one hierarchy per controller), v2 (unified) and the
 * hybrid layout (v1 controllers with a v2 hierarchy at /sys/fs/cgroup/unified).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';

/** The cgroup every pod's cgroup sits in (the kubelet's kubepods). */
const PODS_CGROUP = '/podnet';

/** A pod's cgroup (relative to each hierarchy's root); its containers' cgroups sit inside it (pure). */
export const podCgroup = (uid: string): string => `${PODS_CGROUP}/pod${uid}`;

/** cgroup v1 cpu.shares as cgroup v2 cpu.weight (1..10000), the conversion runc and the kubelet use (pure). */
export const sharesToWeight = (shares: number): number => 1 + Math.floor(((shares - 2) * 9999) / 262142);

/**
 * Gives the cgroup all pods sit in the CPU weight of the node's CPUs, as the
 * kubelet gives kubepods the node's allocatable: left at the default (1024,
 * one busy process's weight), every pod together would get no more CPU under
 * contention than any one process of the node agent or the control plane.
 * Returns what went wrong, for the log; the pods still run without it.
 */
export function ensurePodsCgroupCpu(cpus: number, root = CGROUP_ROOT): string | undefined {
  const shares = Math.max(2, Math.round(cpus * 1024));
  const unified = existsSync(join(root, 'cgroup.controllers'));
  const dir = unified ? join(root, PODS_CGROUP) : join(root, 'cpu', PODS_CGROUP);
  const [file, value] = unified ? ['cpu.weight', sharesToWeight(shares)] : ['cpu.shares', shares];
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, file), String(value));
    return undefined;
  } catch (e) {
    return `cannot set ${join(dir, file)} to ${value}: ${(e as Error).message}`;
  }
}

/** Every hierarchy's mount point: the unified root on v2, else each v1 controller (and unified) dir. */
function cgroupHierarchies(root = CGROUP_ROOT): string[] {
  if (existsSync(join(root, 'cgroup.controllers'))) return [root];
  try {
    return readdirSync(root)
      .map((d) => join(root, d))
      .filter((d) => statSync(d).isDirectory());
  } catch {
    return [];
  }
}

/** The "oom_kill N" counter from memory.oom_control (v1) or memory.events (v2) (pure). */
function parseOomKills(text: string): number {
  const m = /^oom_kill\s+(\d+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

/** True when the kernel OOM-killed a process of this cgroup (path relative to each hierarchy's root). */
export async function cgroupOomKilled(cgroupPath: string, root = CGROUP_ROOT): Promise<boolean> {
  for (const file of [
    join(root, 'memory', cgroupPath, 'memory.oom_control'),
    join(root, 'unified', cgroupPath, 'memory.events'),
    join(root, cgroupPath, 'memory.events'),
  ]) {
    // Only one of these exists, depending on the cgroup layout.
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined && parseOomKills(text) > 0) return true;
  }
  return false;
}

/** Removes a cgroup directory and its (empty) children in every hierarchy; a busy one is left and reported. */
export function removeCgroup(cgroupPath: string, root = CGROUP_ROOT): string[] {
  const busy: string[] = [];
  const rmTree = (dir: string): void => {
    let children: string[];
    try {
      children = readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => join(dir, d.name));
    } catch {
      return; // not there
    }
    for (const c of children) rmTree(c);
    try {
      rmdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') busy.push(dir);
    }
  };
  for (const h of cgroupHierarchies(root)) rmTree(join(h, cgroupPath));
  return busy;
}

/** PIDs still in these cgroup directories (their cgroup.procs); a directory already gone has none. */
export function cgroupProcesses(dirs: string[]): number[] {
  const pids = new Set<number>();
  for (const d of dirs) {
    let text: string;
    try {
      text = readFileSync(join(d, 'cgroup.procs'), 'utf8');
    } catch {
      continue; // removed meanwhile
    }
    for (const line of text.split('\n')) if (/^\d+$/.test(line.trim())) pids.add(Number(line.trim()));
  }
  return [...pids];
}
