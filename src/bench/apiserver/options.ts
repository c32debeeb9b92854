/** Command-line flags of the API server benchmark, with the full-scale defaults. */
import { wholeNumberFlag } from '../flags.js';
import { parseArgs } from 'node:util';

export interface BenchOptions {
  services: number;
  pods: number;
  slices: number;
  endpointsPerSlice: number;
  /** Objects are spread round-robin over this many namespaces (bench-000 ...). */
  namespaces: number;
  /** Create requests in flight. */
  concurrency: number;
  listRuns: number;
  pageSize: number;
  watchers: number;
  updates: number;
  /** Milliseconds between the starts of two updates (open loop). */
  updateIntervalMs: number;
  out: string;
  /** Extra node flags for the server process, split on spaces. */
  serverNodeArgs: string[];
  verbose: boolean;
  /** Which server process to measure (see SpawnOptions.mode). */
  server: 'bare' | 'cli';
  /** Where the server keeps its state, one run each in this order: its SQLite file, or a throwaway single-member etcd on loopback. */
  stores: ('sqlite' | 'etcd')[];
  /** Who the bench is: admin (system:masters, allowed before RBAC) or a user RBAC authorizes (rbac). */
  identity: 'admin' | 'rbac';
}

export const USAGE = `usage: bench/apiserver/run [flags]
  --services N             Services to create (10000)
  --pods N                 Pods to create (10000)
  --slices N               EndpointSlices to create (1000)
  --endpoints-per-slice N  endpoints in each slice (100)
  --namespaces N           namespaces the objects are spread over (100)
  --concurrency N          create requests in flight (64)
  --list-runs N            runs of each list measurement (20)
  --page-size N            limit= of the paged list (500)
  --watchers N             concurrent watchers of /api/v1/services (100)
  --updates N              label patches observed by the watchers (500)
  --update-interval-ms N   time between two patches (5)
  --quick                  a one-minute run: 1000 services, 1000 pods, 100 slices, 20 watchers, 100 updates, 5 list runs
  --out FILE               results JSON (bench/apiserver/results.json)
  --server-node-args="..." node flags for the server, e.g. --server-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"
  --store S[,S]            sqlite (default), etcd (a single-member etcd on loopback started for the run),
                           or sqlite,etcd: both, one after the other, side by side in one table
  --server bare|cli        bare (default): the API server with controllers off; cli: bin/podnet apiserver, controllers included
  --identity admin|rbac    admin (default): system:masters; rbac: a user bound to a ClusterRole, so RBAC decides each request
  --verbose                echo the server's output`;

const QUICK: Partial<BenchOptions> = {
  services: 1000,
  pods: 1000,
  slices: 100,
  watchers: 20,
  updates: 100,
  listRuns: 5,
};

/** Parse flags; throws an Error whose message names the bad flag. */
export function parseOptions(args: string[], defaultOut: string): BenchOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      services: { type: 'string' },
      pods: { type: 'string' },
      slices: { type: 'string' },
      'endpoints-per-slice': { type: 'string' },
      namespaces: { type: 'string' },
      concurrency: { type: 'string' },
      'list-runs': { type: 'string' },
      'page-size': { type: 'string' },
      watchers: { type: 'string' },
      updates: { type: 'string' },
      'update-interval-ms': { type: 'string' },
      quick: { type: 'boolean' },
      out: { type: 'string' },
      'server-node-args': { type: 'string' },
      verbose: { type: 'boolean' },
      server: { type: 'string' },
      store: { type: 'string' },
      identity: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) throw new HelpRequested();
  const base: BenchOptions = {
    services: 10_000,
    pods: 10_000,
    slices: 1_000,
    endpointsPerSlice: 100,
    namespaces: 100,
    concurrency: 64,
    listRuns: 20,
    pageSize: 500,
    watchers: 100,
    updates: 500,
    updateIntervalMs: 5,
    out: values.out ?? defaultOut,
    serverNodeArgs: (values['server-node-args'] ?? '').split(' ').filter(Boolean),
    verbose: values.verbose ?? false,
    server: parseServerMode(values.server),
    stores: parseStores(values.store),
    identity: parseIdentity(values.identity),
    ...(values.quick ? QUICK : {}),
  };
  const num = (flag: string, fallback: number, min: number): number => wholeNumberFlag(values, flag, fallback, min);
  const opts: BenchOptions = {
    ...base,
    services: num('services', base.services, 1),
    pods: num('pods', base.pods, 0),
    slices: num('slices', base.slices, 0),
    endpointsPerSlice: num('endpoints-per-slice', base.endpointsPerSlice, 1),
    namespaces: num('namespaces', base.namespaces, 1),
    concurrency: num('concurrency', base.concurrency, 1),
    listRuns: num('list-runs', base.listRuns, 1),
    pageSize: num('page-size', base.pageSize, 1),
    watchers: num('watchers', base.watchers, 1),
    updates: num('updates', base.updates, 1),
    updateIntervalMs: num('update-interval-ms', base.updateIntervalMs, 0),
  };
  if (opts.endpointsPerSlice > 1000)
    throw new Error('--endpoints-per-slice: an EndpointSlice holds at most 1000 endpoints');
  if (opts.namespaces > 1000) throw new Error('--namespaces: at most 1000');
  return opts;
}

function parseStores(v: string | undefined): ('sqlite' | 'etcd')[] {
  const list = (v ?? 'sqlite').split(',').map((s) => s.trim());
  const bad = list.find((s) => s !== 'sqlite' && s !== 'etcd');
  if (bad !== undefined || new Set(list).size !== list.length)
    throw new Error(`--store ${JSON.stringify(v)}: want sqlite, etcd or sqlite,etcd`);
  return list as ('sqlite' | 'etcd')[];
}

function parseServerMode(v: string | undefined): 'bare' | 'cli' {
  if (v === undefined || v === 'bare' || v === 'cli') return v ?? 'bare';
  throw new Error(
    `--server ${JSON.stringify(v)}: want bare (the API server alone) or cli (bin/podnet apiserver with controllers)`,
  );
}

function parseIdentity(v: string | undefined): 'admin' | 'rbac' {
  if (v === undefined || v === 'admin' || v === 'rbac') return v ?? 'admin';
  throw new Error(`--identity ${JSON.stringify(v)}: want admin (system:masters) or rbac (a user RBAC authorizes)`);
}

export class HelpRequested extends Error {
  constructor() {
    super(USAGE);
  }
}
