/** Command-line options of bench/proxy/run. */
import { parseArgs } from 'node:util';
import { PROXY_MODES, type ProxyMode } from '../../proxy/index.js';

/** What one mode's driver measures (main.ts passes it to mode-driver.ts). */
export interface DriverConfig {
  mode: ProxyMode;
  /** The client pod's network namespace (netns.ts), for connection rates from a pod. */
  clientNs: string;
  /** Cluster sizes (Services x 10 endpoints) at which latency is measured, ascending; full sync at the last. */
  scales: number[];
  /** Latency samples per kind of change per scale. */
  samples: number;
  /** Services in the cluster for the small connection-rate run (the large one is at the last scale). */
  rateSmall: number;
  rateRuns: number;
  rateSeconds: number;
  rateConnections: number;
  fullSyncReps: number;
  proxyNodeArgs: string[];
}

export interface BenchOptions {
  modes: ProxyMode[];
  driver: Omit<DriverConfig, 'mode' | 'clientNs'>;
  out: string;
  chart: string;
  quick: boolean;
}

export const USAGE = `bench/proxy/run [flags]   (root: creates podnet-t* network namespaces)
  --quick                 smoke run: scales 100,1000, 5 samples, one round of wrk runs
  --modes LIST            nftables,iptables (default both, in that order)
  --scales LIST           Services x 10 endpoints for latency (default 100,1000,10000)
  --samples N             latency samples per kind of change per scale (default 30)
  --rate-small N          Services for the small connection-rate run (default 10)
  --rate-runs N           wrk rounds, a run per path each (default 30; 6 or more for a 95 % interval), --rate-seconds S (default 2), --rate-connections C (default 8)
  --full-sync-reps N      proxy restarts per kind (warm, cold) at the last scale (default 2)
  --proxy-node-args=ARGS  node flags for the proxy process (with "=", as they start with a dash), e.g. --proxy-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"
  --out FILE              results JSON (default bench/proxy/results.json)
  --chart FILE            SVG chart (default bench/proxy/chart.svg)
`;

const list = (s: string): number[] =>
  s
    .split(',')
    .map((x) => Number(x.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);

export function parseOptions(argv: string[], benchDir: string): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      help: { type: 'boolean' },
      quick: { type: 'boolean' },
      modes: { type: 'string' },
      scales: { type: 'string' },
      samples: { type: 'string' },
      'rate-small': { type: 'string' },
      'rate-runs': { type: 'string' },
      'rate-seconds': { type: 'string' },
      'rate-connections': { type: 'string' },
      'full-sync-reps': { type: 'string' },
      'proxy-node-args': { type: 'string' },
      out: { type: 'string' },
      chart: { type: 'string' },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick ?? false;
  const modes = (values.modes ?? PROXY_MODES.join(',')).split(',').map((m) => m.trim()) as ProxyMode[];
  for (const m of modes) if (!PROXY_MODES.includes(m)) throw new Error(`unknown mode ${m}`);
  const scales = list(values.scales ?? (quick ? '100,1000' : '100,1000,10000')).sort((a, b) => a - b);
  const samples = Number(values.samples ?? (quick ? 5 : 30));
  if (!scales.length || scales[0]! <= samples + 1)
    throw new Error('every scale must exceed --samples + 1 (the latency targets are part of the count)');
  const num = (v: string | undefined, d: number) => {
    const n = Number(v ?? d);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`bad number ${v}`);
    return n;
  };
  return {
    modes,
    quick,
    out: values.out ?? `${benchDir}/results.json`,
    chart: values.chart ?? `${benchDir}/chart.svg`,
    driver: {
      scales,
      samples,
      rateSmall: num(values['rate-small'], 10),
      rateRuns: num(values['rate-runs'], quick ? 1 : 30),
      rateSeconds: num(values['rate-seconds'], 2),
      rateConnections: num(values['rate-connections'], 8),
      fullSyncReps: num(values['full-sync-reps'], quick ? 1 : 2),
      proxyNodeArgs: values['proxy-node-args']?.split(/\s+/).filter(Boolean) ?? [],
    },
  };
}
