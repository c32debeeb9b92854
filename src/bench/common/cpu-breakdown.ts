/**
 * Where the CPU of a step went, per component: a snapshot of every process
 * on the machine (its own utime+stime and its reaped children's
 * cutime+cstime from /proc/PID/stat) before and after, each process put in a
 * component by its argv. A process that exited during the step is counted
 * in its parent's reaped time when the parent waited for it (the node
 * agent's CNI plugin and nft execs), so the agent's "reaped" column is what
 * it exec'd. Processes of nobody's component (other engineers' work) are
 * left out: that is what makes the figure hold on a shared machine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseStatCpuSeconds } from './proc-cpu.js';

export interface ProcSample {
  pid: number;
  ppid: number;
  argv: string[];
  /** utime + stime, seconds. */
  own: number;
  /** cutime + cstime: children that exited and were waited for. */
  reaped: number;
}

/** The component a process belongs to, from its argv; undefined when it is none of the cluster's. */
export function componentOf(argv: readonly string[], clusterMarker: string): string | undefined {
  const joined = argv.join(' ');
  if (!joined.includes(clusterMarker)) return undefined;
  if (argv[0]?.endsWith('podnet-shim')) return undefined; // a pod's: placed by its ancestry
  const component = componentOfArgv(argv);
  // A supervisor only waits for its child, which is the component proper.
  return component && argv.includes('--supervise') ? `${component} supervisor` : component;
}

function componentOfArgv(argv: readonly string[]): string | undefined {
  if (argv.includes('apiserver')) return 'apiserver';
  if (argv.includes('console')) return 'console';
  if (argv.includes('dns')) return 'dns';
  if (argv.includes('router')) return 'router';
  if (argv[0]?.endsWith('haproxy') || argv.includes('haproxy')) return 'haproxy';
  if (argv.includes('node') && argv.includes('--node-ip')) return 'node agent';
  return undefined;
}

/** Pod processes carry no cluster marker in argv; the app of the benchmark is known by its image's entry. */
function isPodApp(argv: readonly string[]): boolean {
  return argv.some((a) => a.includes('agnhost'));
}

function parsePpid(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

export function sampleProcesses(): Map<number, ProcSample> {
  const out = new Map<number, ProcSample>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const own = parseStatCpuSeconds(stat, false);
      out.set(Number(entry), {
        pid: Number(entry),
        ppid: parsePpid(stat),
        argv,
        own,
        reaped: parseStatCpuSeconds(stat, true) - own,
      });
    } catch {
      // exited between readdir and read
    }
  }
  return out;
}

export interface ComponentCpu {
  component: string;
  processes: number;
  own: number;
  reaped: number;
}

/**
 * The CPU seconds each component used between two samples. A process is in
 * the component of its argv, else of its nearest ancestor that has one (the
 * nft, sleep and pod processes under a node agent count as "node agent
 * children", and a pod's app as "pod app").
 */
export function cpuBetween(
  before: Map<number, ProcSample>,
  after: Map<number, ProcSample>,
  clusterMarker: string,
): ComponentCpu[] {
  // Pod processes (shims, apps) carry no marker of their cluster: they count only under this cluster's agent.
  const resolve = (pid: number, depth = 0): string | undefined => {
    const p = after.get(pid);
    if (!p || depth > 32) return undefined;
    const own = componentOf(p.argv, clusterMarker);
    if (own) return own;
    const parent = resolve(p.ppid, depth + 1);
    if (!parent) return undefined;
    if (p.argv[0]?.endsWith('podnet-shim')) return 'podnet-shim';
    if (isPodApp(p.argv)) return 'pod app';
    return parent === 'node agent' ? 'node agent children' : parent;
  };
  const by = new Map<string, ComponentCpu>();
  for (const p of after.values()) {
    const component = resolve(p.pid);
    if (!component) continue;
    const b = before.get(p.pid);
    // A pid reused by a new process reads less than before: count it from zero.
    const same = b && b.own <= p.own && b.argv.join(' ') === p.argv.join(' ');
    const row = by.get(component) ?? { component, processes: 0, own: 0, reaped: 0 };
    row.processes++;
    row.own += p.own - (same ? b.own : 0);
    row.reaped += p.reaped - (same ? b.reaped : 0);
    by.set(component, row);
  }
  return [...by.values()].sort((a, b) => b.own + b.reaped - (a.own + a.reaped));
}
