/**
 * The cluster's layout: everything `up` builds and `down` removes, recorded
 * in DIR/cluster.json so reruns reuse the same subnet, port and names, and
 * `down` knows what to remove even after a crash. Pure: no host access.
 */
import { clusterConfigConflicts, resolveClusterConfig, type ClusterConfigInput } from '../api/cluster-config.js';
import {
  bridgeName,
  clusterHash,
  controlPlaneName,
  controlPlaneVethName,
  hostVethName,
  MAX_NODES,
  nodeName,
  nodeNetns,
} from './names.js';
import { controlPlaneIpOf, hostIpOf, nodeIpOf } from './subnet.js';

export type Backend = 'vxlan' | 'host-gw';
export const BACKENDS: readonly Backend[] = ['vxlan', 'host-gw'];

export interface NodeLayout {
  index: number;
  name: string;
  netns: string;
  /** Host end of the veth pair (the node end is eth0). */
  hostVeth: string;
  ip: string;
}

/** A control-plane network namespace on the bridge: it runs one etcd member (--store etcd). */
export interface ControlPlaneLayout {
  index: number;
  /** cp<i>, or <cluster>-cp<i>: also the etcd member's name. */
  name: string;
  netns: string;
  hostVeth: string;
  ip: string;
}

/** Where the cluster's state lives: sqlite in the API server's DIR/db, or an etcd cluster. */
export type StoreKind = 'sqlite' | 'etcd';
/** Members of the local etcd cluster: three survive losing one. */
const ETCD_MEMBERS = 3;
/** The most API servers `up` runs: each has its own port on the host's bridge address. */
const MAX_APISERVERS = 5;

export interface ClusterLogging {
  level?: string;
  format?: string;
}

/** Service proxy modes (the agent's --proxy-mode). */
export type ProxyMode = 'nftables' | 'iptables';
export const PROXY_MODES: ProxyMode[] = ['nftables', 'iptables'];
export type ContainerRuntime = 'process' | 'runc';
/** What a new cluster runs containers with unless told otherwise (`--runtime process` is the bare-process alternative). */
export const DEFAULT_RUNTIME: ContainerRuntime = 'runc';

export interface ClusterLayout {
  version: 1;
  /** --name, or undefined for the default cluster (nodes node1..N). */
  name?: string;
  stateDir: string;
  hash: string;
  bridge: string;
  subnet: string;
  hostIp: string;
  backend: Backend;
  /** Service proxy mode passed to every agent (absent: the agent's default, nftables). */
  proxyMode?: ProxyMode;
  /** Container runtime passed to every agent (absent: a cluster from before runc was the default, so process). */
  runtime?: ContainerRuntime;
  /** API server port on hostIp; 0 until chosen. */
  apiserverPort: number;
  /** Absent: sqlite (one API server). etcd: the members in controlPlanes, and `apiservers` API servers. */
  store?: StoreKind;
  /** One namespace per etcd member (store etcd). */
  controlPlanes?: ControlPlaneLayout[];
  /** How many API servers run (absent: one); only with store etcd. */
  apiservers?: number;
  /** Ports on hostIp of API servers 2..N, once chosen. */
  extraApiserverPorts?: number[];
  /** The web console's port on hostIp (absent until chosen). */
  consolePort?: number;
  /** The cluster-shape flags `up` was given (--cluster-cidr, --service-cidr, ...), passed to the API server; absent: the defaults. */
  cluster?: ClusterConfigInput;
  /** --log-level / --log-format of every process `up` starts (absent: theirs, info and text). */
  log?: ClusterLogging;
  /** The kubeconfig `up --merge-kubeconfig` put this cluster's context into; `down` takes it out again. */
  mergedKubeconfig?: string;
  nodes: NodeLayout[];
}

function nodeLayout(name: string | undefined, hash: string, subnet: string, index: number): NodeLayout {
  const node = nodeName(name, index);
  return {
    index,
    name: node,
    netns: nodeNetns(node),
    hostVeth: hostVethName(hash, index),
    ip: nodeIpOf(subnet, index),
  };
}

function controlPlaneLayout(name: string | undefined, hash: string, subnet: string, index: number): ControlPlaneLayout {
  const cp = controlPlaneName(name, index);
  return {
    index,
    name: cp,
    netns: nodeNetns(cp),
    hostVeth: controlPlaneVethName(hash, index),
    ip: controlPlaneIpOf(subnet, index),
  };
}

export function planLayout(opts: {
  name?: string;
  store?: StoreKind;
  apiservers?: number;
  stateDir: string;
  subnet: string;
  backend: Backend;
  nodes: number;
  apiserverPort?: number;
  proxyMode?: ProxyMode;
  runtime?: ContainerRuntime;
  cluster?: ClusterConfigInput;
  log?: ClusterLogging;
}): ClusterLayout {
  const hash = clusterHash(opts.name);
  return {
    version: 1,
    name: opts.name,
    stateDir: opts.stateDir,
    hash,
    bridge: bridgeName(hash),
    subnet: opts.subnet,
    hostIp: hostIpOf(opts.subnet),
    backend: opts.backend,
    ...(opts.proxyMode ? { proxyMode: opts.proxyMode } : {}),
    runtime: opts.runtime ?? DEFAULT_RUNTIME,
    apiserverPort: opts.apiserverPort ?? 0,
    ...(opts.cluster && Object.keys(opts.cluster).length ? { cluster: opts.cluster } : {}),
    ...(opts.log?.level || opts.log?.format ? { log: opts.log } : {}),
    ...(opts.store === 'etcd'
      ? {
          store: 'etcd' as const,
          controlPlanes: Array.from({ length: ETCD_MEMBERS }, (_, i) =>
            controlPlaneLayout(opts.name, hash, opts.subnet, i + 1),
          ),
          apiservers: opts.apiservers ?? 1,
        }
      : {}),
    nodes: Array.from({ length: opts.nodes }, (_, i) => nodeLayout(opts.name, hash, opts.subnet, i + 1)),
  };
}

interface UpRequest {
  store?: StoreKind;
  apiservers?: number;
  nodes?: number;
  name?: string;
  backend?: Backend;
  proxyMode?: ProxyMode;
  runtime?: ContainerRuntime;
  cluster?: ClusterConfigInput;
  log?: ClusterLogging;
}

/**
 * What a rerun of `up` means against the recorded layout: the new layout
 * (nodes added at the end) or a message saying why the request cannot apply.
 * `up` never removes nodes: shrinking is refused with what to do instead.
 */
export function reconcileLayout(
  recorded: ClusterLayout,
  req: UpRequest,
): { layout: ClusterLayout } | { error: string } {
  if (req.name !== undefined && req.name !== recorded.name) {
    return {
      error: `${recorded.stateDir} holds cluster ${recorded.name ? `"${recorded.name}"` : 'without --name'}, not "${req.name}"; use another --state DIR for a second cluster, or run "podnet down --state ${recorded.stateDir} --purge" first`,
    };
  }
  if (req.backend !== undefined && req.backend !== recorded.backend) {
    return {
      error: `the cluster in ${recorded.stateDir} uses --backend ${recorded.backend}; changing it needs "podnet down --state ${recorded.stateDir}" first (pod data stays unless --purge)`,
    };
  }
  const conflicts = clusterConfigConflicts(resolveClusterConfig(recorded.cluster ?? {}), req.cluster ?? {});
  if (conflicts.length) {
    return {
      error: `the cluster in ${recorded.stateDir} was made with another shape: ${conflicts.join('; ')}. Its pods and Services hold addresses of those ranges; run "podnet down --state ${recorded.stateDir} --purge" first for a cluster of another shape`,
    };
  }
  const storeProblem = storeChangeProblem(recorded, req);
  if (storeProblem) return { error: storeProblem };
  const have = recorded.nodes.length;
  const want = req.nodes ?? have;
  if (want < have) {
    const extra = recorded.nodes
      .slice(want)
      .map((n) => n.name)
      .join(', ');
    return {
      error: `the cluster in ${recorded.stateDir} has ${have} nodes; --nodes ${want} would drop ${extra}. "podnet up" never removes nodes: pass --nodes ${have}, or run "podnet down --state ${recorded.stateDir} --purge" and start again`,
    };
  }
  if (want > MAX_NODES) return { error: `--nodes ${want} is more than the ${MAX_NODES} nodes one node subnet holds` };
  const added = Array.from({ length: want - have }, (_, i) =>
    nodeLayout(recorded.name, recorded.hash, recorded.subnet, have + i + 1),
  );
  // A new proxy mode only restarts the agents (their command line changes); each removes the other mode's rules.
  const proxyMode = req.proxyMode ?? recorded.proxyMode;
  const runtime = req.runtime ?? recorded.runtime;
  // Logging too: given flags replace the recorded ones (their processes restart), absent ones keep them.
  const log = { ...recorded.log, ...req.log };
  return {
    layout: {
      ...recorded,
      ...(proxyMode ? { proxyMode } : {}),
      ...(runtime ? { runtime } : {}),
      ...(log.level || log.format ? { log } : {}),
      ...(req.apiservers !== undefined && recorded.store === 'etcd' ? { apiservers: req.apiservers } : {}),
      nodes: [...recorded.nodes, ...added],
    },
  };
}

/** Why the request's --store or --apiservers cannot apply to the recorded cluster, or undefined. */
export function apiserversProblem(store: StoreKind | undefined, apiservers: number | undefined): string | undefined {
  if (apiservers === undefined) return undefined;
  if (!(Number.isInteger(apiservers) && apiservers >= 1 && apiservers <= MAX_APISERVERS))
    return `--apiservers must be 1..${MAX_APISERVERS}, got ${apiservers}`;
  if (apiservers > 1 && store !== 'etcd')
    return `--apiservers ${apiservers} needs --store etcd: several API servers share one etcd, never one SQLite file`;
  return undefined;
}

function storeChangeProblem(recorded: ClusterLayout, req: UpRequest): string | undefined {
  const store = recorded.store ?? 'sqlite';
  if (req.store !== undefined && req.store !== store)
    return `the cluster in ${recorded.stateDir} keeps its state in ${store}; moving it to ${req.store} needs "podnet down --state ${recorded.stateDir} --purge" first (its objects are not carried over)`;
  const problem = apiserversProblem(store, req.apiservers);
  if (problem) return problem;
  const have = recorded.apiservers ?? 1;
  if (req.apiservers !== undefined && req.apiservers < have)
    return `the cluster in ${recorded.stateDir} runs ${have} API servers; "podnet up" never stops one: pass --apiservers ${have} or more`;
  return undefined;
}

/** Every API server's port on hostIp, the first one first (0 when not chosen yet). */
export const apiserverPorts = (layout: ClusterLayout): number[] => [
  layout.apiserverPort,
  ...(layout.extraApiserverPorts ?? []),
];

/** A node by its full name or, for a named cluster, its short name ("node2" for "c-node2"). */
export function findNode(layout: ClusterLayout, wanted: string): NodeLayout | undefined {
  return (
    layout.nodes.find((n) => n.name === wanted) ??
    layout.nodes.find((n) => layout.name !== undefined && n.name === `${layout.name}-${wanted}`)
  );
}
