/**
 * Which running processes belong to a cluster, for `down`: the agents and
 * API server, and everything the agents started (pods are detached, so they
 * are found by where they live, not by parentage).
 */
import { allPids, netnsInodeOf, openFiles, readCmdline, readLinkOr, readStat } from './procfs.js';
import type { KillTarget } from './supervisor.js';

export interface ProcInfo {
  pid: number;
  pgid: number;
  ppid: number;
  /** Inode of the process's network namespace. */
  netns?: string;
  argv: string[];
  cwd?: string;
  files: string[];
}

interface ClusterMatch {
  /** Inodes of the cluster's node and pod netns. */
  netnsInodes: ReadonlySet<string>;
  /** Inode of the host's (our own) netns. */
  hostNetns?: string;
  stateDir: string;
  /** Never selected: ourselves and our ancestors. */
  exclude: ReadonlySet<number>;
}

const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

/** `podnet apiserver|node ... --state X` with X at or below the state dir. */
function isPodnetOfCluster(argv: readonly string[], dir: string): boolean {
  const main = argv.findIndex((a) => a.endsWith('cli/main.js') || a.endsWith('bin/podnet'));
  if (main < 0 || !['apiserver', 'node'].includes(argv[main + 1] ?? '')) return false;
  return argv.some(
    (a, i) =>
      (a === '--state' && under(argv[i + 1] ?? '', dir)) || (a.startsWith('--state=') && under(a.slice(8), dir)),
  );
}

/**
 * A process belongs to the cluster when it
 *  - lives in one of the cluster's netns (agents, pods, node-exec shells), or
 *  - is outside the host netns and uses files under DIR (a pod whose netns
 *    is already gone still logs into DIR/nodes/...), or
 *  - is `podnet apiserver|node --state DIR[/...]`.
 * A host-netns process that merely reads DIR (a user's `tail -f`) is left alone.
 * A group is signalled only when its leader belongs to the cluster.
 */
export function selectClusterProcesses(procs: readonly ProcInfo[], m: ClusterMatch): KillTarget[] {
  const dir = m.stateDir.replace(/\/+$/, '');
  const ours = procs.filter((p) => {
    if (m.exclude.has(p.pid)) return false;
    if (p.netns !== undefined && m.netnsInodes.has(p.netns)) return true;
    if (
      p.netns !== undefined &&
      p.netns !== m.hostNetns &&
      (under(p.cwd ?? '', dir) || p.files.some((f) => under(f, dir)))
    )
      return true;
    return isPodnetOfCluster(p.argv, dir);
  });
  return ours.map((p) => ({ pid: p.pid, group: p.pgid === p.pid }));
}

function readProcInfo(pid: number): ProcInfo | undefined {
  const stat = readStat(pid);
  if (!stat || stat.state === 'Z') return undefined;
  return {
    pid,
    pgid: stat.pgid,
    ppid: stat.ppid,
    netns: netnsInodeOf(pid),
    argv: readCmdline(pid),
    cwd: readLinkOr(`/proc/${pid}/cwd`),
    files: openFiles(pid),
  };
}

/** Our pid and every ancestor's: never to be signalled. */
function selfAndAncestors(): Set<number> {
  const out = new Set<number>();
  for (let pid: number | undefined = process.pid; pid && pid > 1 && !out.has(pid); pid = readStat(pid)?.ppid)
    out.add(pid);
  return out;
}

export function scanClusterProcesses(stateDir: string, netnsInodes: ReadonlySet<string>): KillTarget[] {
  const procs = allPids()
    .map(readProcInfo)
    .filter((p): p is ProcInfo => p !== undefined);
  return selectClusterProcesses(procs, {
    netnsInodes,
    hostNetns: netnsInodeOf('self'),
    stateDir,
    exclude: selfAndAncestors(),
  });
}
