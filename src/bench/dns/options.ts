/** Command-line flags of the DNS benchmark, with the full-scale defaults. */
import { wholeNumberFlag } from '../flags.js';
import { parseArgs } from 'node:util';

export interface DnsBenchOptions {
  /** Service counts to measure at, ascending (each adds Services to the last). */
  scales: number[];
  /** Namespaces the Services are spread over (bench-000 ...). */
  namespaces: number;
  /** Create requests in flight while loading Services. */
  concurrency: number;
  /** Seconds of each saturating dnsperf run. */
  seconds: number;
  /** Alternating dnsmasq/podnet throughput rounds per scale (medians reported). */
  rounds: number;
  /** dnsperf clients (sockets) and queries outstanding. */
  clients: number;
  outstanding: number;
  /** Fixed query rate of the latency run (same for both servers), queries/s. */
  latencyQps: number;
  /** Alternating latency runs per server (their queries pooled) and the length of each: short and many, so both servers sample the machine's drift alike. */
  latencyRounds: number;
  latencySeconds: number;
  /** API changes timed until visible in DNS (split over service, endpoint and annotation changes). */
  changes: number;
  /** CPU list (taskset -c) for the DNS servers, and for dnsperf; '' runs unpinned. */
  serverCpus: string;
  clientCpus: string;
  out: string;
  chart: string;
  /** Extra node flags for the podnet dns process, split on spaces. */
  dnsNodeArgs: string[];
  verbose: boolean;
}

export const USAGE = `usage: bench/dns/run [flags]
  --scales N,N        Service counts to measure at (10000,100000)
  --namespaces N      namespaces the Services are spread over (100)
  --concurrency N     create requests in flight while loading (64)
  --seconds N         length of each saturating dnsperf run (10)
  --rounds N          alternating dnsmasq/podnet throughput runs per scale (3)
  --clients N         dnsperf -c (4)
  --outstanding N     dnsperf -q, queries in flight (100)
  --latency-qps N     fixed rate of the latency run, same for both servers (20000)
  --latency-rounds N  alternating latency runs per server, queries pooled (10)
  --latency-seconds N length of each latency run (2)
  --changes N         API writes timed until visible in DNS (100)
  --server-cpus LIST  taskset -c for both DNS servers (1); '' for none
  --client-cpus LIST  taskset -c for dnsperf (0); '' for none
  --quick             a smoke run: scales 1000,5000, 3 s runs, 1 round, 30 changes
  --out FILE          results JSON (bench/dns/results.json)
  --chart FILE        SVG chart (bench/dns/chart.svg)
  --dns-node-args=".." node flags for podnet dns, e.g. --dns-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"
  --verbose           echo the servers' output`;

export class HelpRequested extends Error {
  constructor() {
    super(USAGE);
  }
}

export function parseOptions(args: string[], defaults: { out: string; chart: string }): DnsBenchOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      scales: { type: 'string' },
      namespaces: { type: 'string' },
      concurrency: { type: 'string' },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      clients: { type: 'string' },
      outstanding: { type: 'string' },
      'latency-qps': { type: 'string' },
      'latency-rounds': { type: 'string' },
      'latency-seconds': { type: 'string' },
      changes: { type: 'string' },
      'server-cpus': { type: 'string' },
      'client-cpus': { type: 'string' },
      quick: { type: 'boolean' },
      out: { type: 'string' },
      chart: { type: 'string' },
      'dns-node-args': { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) throw new HelpRequested();
  const quick = values.quick ?? false;
  const num = (flag: string, fallback: number, min: number): number => wholeNumberFlag(values, flag, fallback, min);
  const scales = (values.scales ?? (quick ? '1000,5000' : '10000,100000')).split(',').map((s) => Number(s.trim()));
  if (!scales.length || scales.some((n) => !Number.isInteger(n) || n < 1 || n > 1_000_000))
    throw new Error(`--scales ${values.scales}: want ascending counts between 1 and 1000000`);
  if (scales.some((n, i) => i > 0 && n <= scales[i - 1]!)) throw new Error(`--scales ${values.scales}: must ascend`);
  const cpus = (flag: string, fallback: string): string => {
    const v = (values as Record<string, string | undefined>)[flag] ?? fallback;
    if (v !== '' && !/^[0-9]+([-,][0-9]+)*$/.test(v))
      throw new Error(`--${flag} ${JSON.stringify(v)}: want a taskset CPU list such as 1 or 0-1, or ''`);
    return v;
  };
  return {
    scales,
    namespaces: num('namespaces', 100, 1),
    concurrency: num('concurrency', 64, 1),
    seconds: num('seconds', quick ? 3 : 10, 1),
    rounds: num('rounds', quick ? 1 : 3, 1),
    clients: num('clients', 4, 1),
    outstanding: num('outstanding', 100, 1),
    latencyQps: num('latency-qps', 20_000, 1),
    latencyRounds: num('latency-rounds', quick ? 1 : 10, 1),
    latencySeconds: num('latency-seconds', 2, 1),
    changes: num('changes', quick ? 30 : 100, 0),
    serverCpus: cpus('server-cpus', '1'),
    clientCpus: cpus('client-cpus', '0'),
    out: values.out ?? defaults.out,
    chart: values.chart ?? defaults.chart,
    dnsNodeArgs: (values['dns-node-args'] ?? '').split(' ').filter(Boolean),
    verbose: values.verbose ?? false,
  };
}
