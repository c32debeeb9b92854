/** Command-line options of bench/router/run. */
import { parseArgs } from 'node:util';
import { wholeNumberFlag } from '../flags.js';
import { PROXY_NAMES, type ProxyName } from './net.js';

export type Phase = 'throughput' | 'change' | 'scale';
const PHASES: readonly Phase[] = ['throughput', 'change', 'scale'];

/** What the driver (inside the namespace) measures; main.ts passes it on. */
export interface DriverConfig {
  phases: Phase[];
  proxies: ProxyName[];
  rounds: number;
  seconds: number;
  connections: number;
  /** Endpoint changes at one route. */
  changes: number;
  /** Routes in the scale phase. */
  routes: number;
  /** Endpoints in each of their slices (the shape: 2). */
  endpointsPerRoute: 1 | 2;
  /** Fresh router starts at that scale. */
  starts: number;
  /** Samples of each kind of change at that scale. */
  scaleChanges: number;
  /** Pin the client side and the proxies to CPUs 0 and 1 (false: the scheduler decides). */
  pin: boolean;
  routerNodeArgs: string[];
}

export interface BenchOptions {
  driver: DriverConfig;
  /** RLIMIT_NOFILE (soft and hard) for every process of the bench. */
  nofile: number;
  quick: boolean;
  out: string;
  chart: string;
}

export const USAGE = `bench/router/run [flags]   (root: creates a podnet-tb* network namespace)
  --quick                 smoke run: 3 rounds of 1 s, 10 changes, 1,000 routes, 1 start, 5 changes of each kind
  --phases LIST           throughput,change,scale (default all)
  --proxies LIST          podnet,haproxy,nginx,podnet-nolog (default all; podnet-nolog is podnet router with
                          --access-log off, to show what the access log costs)
  --rounds N              rotating wrk rounds per case, one run per proxy each (default 30; 6 or more for a 95 % interval)
  --seconds S             seconds per wrk run (default 2)
  --connections C         wrk connections (default 32; one thread)
  --changes N             endpoint changes timed at one route (default 60)
  --routes N              routes in the scale phase (default 10000)
  --endpoints-per-route N 1 or 2 (default 2, both nginx backends): HAProxy needs a socket per server, see --nofile
  --starts N              fresh router starts at that scale (default 3)
  --scale-changes N       changes of each kind (endpoint, new route) at that scale (default 30)
  --nofile N              open-file limit for every process of the bench (default 65536; where the limit cannot be
                          raised, the current one): HAProxy reserves a socket per health-checked server, 20,000 at
                          10,000 routes x 2 endpoints, and refuses to start past the limit
  --no-pin                run unpinned (default: wrk, the probe, the API server on CPU 0; proxies, backends on CPU 1)
  --router-node-args=ARGS node flags for podnet router (with "=", as they start with a dash),
                          e.g. --router-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"
  --out FILE              results JSON (default bench/router/results.json)
  --chart FILE            SVG chart (default bench/router/chart.svg)
`;

function listFlag<T extends string>(raw: string | undefined, all: readonly T[], flag: string): T[] {
  if (raw === undefined) return [...all];
  const items = raw.split(',').map((x) => x.trim()) as T[];
  for (const i of items) if (!all.includes(i)) throw new Error(`--${flag}: unknown "${i}"; one of ${all.join(', ')}`);
  return items;
}

function endpointsFlag(v: string | undefined): 1 | 2 {
  if (v === undefined || v === '2') return 2;
  if (v === '1') return 1;
  throw new Error(`--endpoints-per-route ${v}: 1 or 2 (the two nginx backends)`);
}

export function parseOptions(argv: string[], benchDir: string): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      help: { type: 'boolean' },
      quick: { type: 'boolean' },
      phases: { type: 'string' },
      proxies: { type: 'string' },
      rounds: { type: 'string' },
      seconds: { type: 'string' },
      connections: { type: 'string' },
      changes: { type: 'string' },
      routes: { type: 'string' },
      'endpoints-per-route': { type: 'string' },
      starts: { type: 'string' },
      'scale-changes': { type: 'string' },
      'no-pin': { type: 'boolean' },
      nofile: { type: 'string' },
      'router-node-args': { type: 'string' },
      out: { type: 'string' },
      chart: { type: 'string' },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick ?? false;
  const proxies = listFlag(values.proxies, PROXY_NAMES, 'proxies');
  const phases = listFlag(values.phases, PHASES, 'phases');
  if (phases.includes('change') && !proxies.includes('podnet'))
    throw new Error('--phases change measures podnet router: keep podnet in --proxies');
  return {
    quick,
    nofile: wholeNumberFlag(values, 'nofile', 65_536, 1024),
    out: values.out ?? `${benchDir}/results.json`,
    chart: values.chart ?? `${benchDir}/chart.svg`,
    driver: {
      phases,
      proxies,
      rounds: wholeNumberFlag(values, 'rounds', quick ? 3 : 30, 1),
      seconds: wholeNumberFlag(values, 'seconds', quick ? 1 : 2, 1),
      connections: wholeNumberFlag(values, 'connections', 32, 1),
      changes: wholeNumberFlag(values, 'changes', quick ? 10 : 60, 1),
      routes: wholeNumberFlag(values, 'routes', quick ? 1000 : 10_000, 10),
      endpointsPerRoute: endpointsFlag(values['endpoints-per-route']),
      starts: wholeNumberFlag(values, 'starts', quick ? 1 : 3, 1),
      scaleChanges: wholeNumberFlag(values, 'scale-changes', quick ? 5 : 30, 1),
      pin: !values['no-pin'],
      routerNodeArgs: values['router-node-args']?.split(/\s+/).filter(Boolean) ?? [],
    },
  };
}

/** Fresh backend addresses a run needs: one per timed change. */
export const freshNeeded = (d: DriverConfig): number => d.changes + 2 * d.scaleChanges;
