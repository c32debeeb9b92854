/** Command-line flags of the pod benchmark, with the full-scale defaults. */
import { parseArgs } from 'node:util';

export interface PodBenchOptions {
  nodes: number;
  /** Pods of the start-latency phase (spread by the scheduler). */
  pods: number;
  /** Creates per second of the paced start-latency run; the burst run sends all at once. */
  rate: number;
  /** Also run the burst (all at once) start-latency run. */
  burst: boolean;
  /** Pause pods pinned to one node in the density phase. */
  perNode: number;
  /** Seconds per iperf3 / wrk run. */
  seconds: number;
  reps: number;
  connections: number;
  hostGw: boolean;
  timeoutS: number;
  out: string;
  chart: string;
  skip: Set<'start' | 'density' | 'net'>;
}

export const USAGE = `usage: bench/pods/run [flags]        (root: it runs podnet up/down)
  --pods N          pods of the start-latency runs, spread over the nodes (100)
  --rate N          creates per second of the paced run (10); a burst run (all at once) follows
  --no-burst        skip the burst run
  --per-node N      pause pods pinned to one node in the density run (110)
  --seconds N       length of each iperf3 / wrk run (5)
  --reps N          runs per path, medians reported (3)
  --connections N   wrk connections (4)
  --nodes N         nodes per cluster (3)
  --no-host-gw      skip the second (host-gw) cluster
  --skip start,density,net   leave phases out
  --timeout N       seconds to wait for pods in one phase (180)
  --quick           a smoke run: 20 pods at 20/s, 20 per node, 2 s x 1 rep
  --out FILE        results JSON (bench/pods/results.json)
  --chart FILE      SVG chart (bench/pods/chart.svg)`;

export class HelpRequested extends Error {}

const int = (name: string, v: string | undefined, dflt: number, min = 0): number => {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, got "${v}"`);
  return n;
};

export function parseOptions(args: string[], defaultOut: string, defaultChart: string): PodBenchOptions {
  const { values: v } = parseArgs({
    args,
    strict: true,
    options: {
      pods: { type: 'string' },
      rate: { type: 'string' },
      'no-burst': { type: 'boolean' },
      'per-node': { type: 'string' },
      seconds: { type: 'string' },
      reps: { type: 'string' },
      connections: { type: 'string' },
      nodes: { type: 'string' },
      'no-host-gw': { type: 'boolean' },
      skip: { type: 'string' },
      timeout: { type: 'string' },
      quick: { type: 'boolean' },
      out: { type: 'string' },
      chart: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (v.help) throw new HelpRequested();
  const q = !!v.quick;
  const skip = new Set<'start' | 'density' | 'net'>();
  for (const s of (v.skip ?? '').split(',').filter(Boolean)) {
    if (s !== 'start' && s !== 'density' && s !== 'net')
      throw new Error(`--skip takes start, density, net; got "${s}"`);
    skip.add(s);
  }
  const nodes = int('nodes', v.nodes, 3, 2);
  return {
    nodes,
    pods: int('pods', v.pods, q ? 20 : 100, 1),
    rate: int('rate', v.rate, q ? 20 : 10, 1),
    burst: !v['no-burst'],
    perNode: int('per-node', v['per-node'], q ? 20 : 110, 1),
    seconds: int('seconds', v.seconds, q ? 2 : 5, 1),
    reps: int('reps', v.reps, q ? 1 : 3, 1),
    connections: int('connections', v.connections, 4, 1),
    hostGw: !v['no-host-gw'],
    timeoutS: int('timeout', v.timeout, 180, 10),
    out: v.out ?? defaultOut,
    chart: v.chart ?? defaultChart,
    skip,
  };
}
