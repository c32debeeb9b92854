/**
 * `up`'s work, step by step: decide the layout, build the host network,
 * start (or keep) the API server, then one agent per node, then wait until
 * every node is Ready. Safe to rerun: each step keeps what already works.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KubeClient } from '../client/index.js';
import { ApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import { kubeconfigName, writeKubeconfig } from '../apiserver/state/kubeconfig.js';
import { TokenAuthenticator } from '../apiserver/state/tokens.js';
import { mergeKubeconfig } from './kubeconfig-merge.js';
import {
  agentProcess,
  apiserverProcess,
  apiserverUrl,
  apiserverUrls,
  consoleProcess,
  type EtcdClientFiles,
  logFlagArgs,
  thisPodnet,
  type PodnetBinary,
} from './commands.js';
import { ensureHostLayout } from './host-layout.js';
import { hostIpv4Prefixes, listLinks } from './host-scan.js';
import { checkRunc } from '../host/runc.js';
import {
  planLayout,
  reconcileLayout,
  type Backend,
  type ClusterLayout,
  type ClusterLogging,
  type ContainerRuntime,
  type ProxyMode,
  type StoreKind,
  apiserversProblem,
} from './layout.js';
import { ensureEtcdClientFiles, etcdProcesses, waitEtcdReady } from './etcd-up.js';
import { readLayout, writeLayout } from './layout-file.js';
import { clusterHash, clusterNameProblem, MAX_NODES } from './names.js';
import {
  addonKubeconfigPath,
  CONSOLE,
  routersDir,
  apiserverProcessName,
  caCertPath,
  kubeconfigPath,
  nodeKubeconfigPath,
  nodePkiDir,
  nodeStateDir,
} from './paths.js';
import { ensureNodeServingCert } from '../apiserver/state/pki.js';
import { freePort, portFree } from './ports.js';
import { planProcesses, type DesiredProcess, type Observed } from './process-table.js';
import { cidrsOverlap } from '../api/ipv4.js';
import { pickNodeSubnet } from './subnet.js';
import { isRecordAlive, readRecord, startDetached, terminate } from './supervisor.js';
import { fileSize, readSince } from './log-tail.js';
import { mentionsRestart } from './restart-policy.js';
import {
  DNS_APP_LABEL,
  DNS_DEPLOYMENT,
  DNS_NAMESPACE,
  DNS_REPLICAS,
  DNS_SERVICE_ACCOUNT,
  dnsAddonObjects,
  LEGACY_DNS_PODS,
} from './dns-addon.js';
import {
  ROUTER_APP_LABEL,
  ROUTER_DAEMONSET,
  ROUTER_NAMESPACE,
  ROUTER_SERVICE_ACCOUNT,
  routerAddonObjects,
} from './router-addon.js';
import { ensureObjects, removeLegacyPods, waitWorkloadReady } from './addons.js';
import { serviceAccountUser } from '../apiserver/authz/types.js';
import { waitApiserverReady, waitNodesReady, type Watched } from './wait-ready.js';
import { resolveClusterConfig, type ClusterConfigInput } from '../api/cluster-config.js';
import { readClusterConfig } from '../client/cluster-config.js';

interface UpOptions {
  stateDir: string;
  /** --store: sqlite (default) or etcd (a local etcd cluster; then --apiservers may be more than one). */
  store?: StoreKind;
  apiservers?: number;
  nodes?: number;
  name?: string;
  backend?: Backend;
  proxyMode?: ProxyMode;
  runtime?: ContainerRuntime;
  /** The cluster's shape where it is not the default (--cluster-cidr, --service-cidr, ...); fixed at the first `up`. */
  cluster?: ClusterConfigInput;
  /** --log-level / --log-format for every process up starts; kept for reruns. */
  log?: ClusterLogging;
  /** Also put the cluster's context into this kubeconfig (and make it current); kept for reruns. */
  mergeKubeconfig?: string;
  /** Upstream resolvers for cluster DNS ("host" = this machine on the cluster bridge); default: the nodes' resolv.conf. */
  dnsUpstream?: string[];
  timeoutMs: number;
  say: (line: string) => void;
  bin?: PodnetBinary;
}

const DEFAULT_NODES = 2;
const PREFERRED_PORT = 6443;
const PREFERRED_CONSOLE_PORT = 7070;

/** The recorded layout adjusted to the request, or a fresh one on a subnet nobody uses. */
async function resolveLayout(o: UpOptions): Promise<ClusterLayout> {
  const recorded = readLayout(o.stateDir);
  if (recorded) {
    const r = reconcileLayout(recorded, {
      nodes: o.nodes,
      name: o.name,
      backend: o.backend,
      proxyMode: o.proxyMode,
      runtime: o.runtime,
      cluster: o.cluster,
      log: o.log,
      store: o.store,
      apiservers: o.apiservers,
    });
    if ('error' in r) throw new Error(r.error);
    return r.layout;
  }
  if (o.name !== undefined) {
    const problem = clusterNameProblem(o.name);
    if (problem) throw new Error(problem);
  }
  const problem = apiserversProblem(o.store, o.apiservers);
  if (problem) throw new Error(problem);
  const nodes = o.nodes ?? DEFAULT_NODES;
  if (nodes < 1 || nodes > MAX_NODES) throw new Error(`--nodes must be 1..${MAX_NODES}, got ${nodes}`);
  // Pod and Service ranges are routed inside the nodes: keep the node subnet clear of them too.
  const shape = resolveClusterConfig(o.cluster ?? {});
  const used = [...(await hostIpv4Prefixes()), shape.clusterCidr, shape.serviceCidr];
  const subnet = pickNodeSubnet(used, parseInt(clusterHash(o.name), 16));
  return planLayout({
    name: o.name,
    stateDir: o.stateDir,
    subnet,
    backend: o.backend ?? 'vxlan',
    nodes,
    proxyMode: o.proxyMode,
    runtime: o.runtime,
    cluster: o.cluster,
    log: o.log,
    store: o.store,
    apiservers: o.apiservers,
  });
}

/** A rerun after `down` finds its recorded subnet free again, unless something else took it since. */
async function checkSubnetStillFree(layout: ClusterLayout): Promise<void> {
  if ((await listLinks()).some((l) => l.ifname === layout.bridge)) return;
  const clash = (await hostIpv4Prefixes()).find((p) => cidrsOverlap(p, layout.subnet));
  if (clash) {
    throw new Error(
      `the recorded node subnet ${layout.subnet} now overlaps ${clash} on this host; run "podnet down --state ${layout.stateDir} --purge" to forget it and start fresh`,
    );
  }
}

function observe(dir: string, name: string): Observed | undefined {
  const record = readRecord(dir, name);
  return record && { record, alive: isRecordAlive(record) };
}

/** Applies the process plan for these processes; returns how each is watched. */
async function converge(dir: string, desired: DesiredProcess[], say: (s: string) => void): Promise<Watched[]> {
  const observed = new Map<string, Observed>();
  for (const d of desired) {
    const o = observe(dir, d.name);
    if (o) observed.set(d.name, o);
  }
  for (const action of planProcesses(desired, observed)) {
    const proc = desired.find((d) => d.name === action.name)!;
    if (action.action === 'keep') {
      say(`${action.name}: running (pid ${action.pid})`);
      continue;
    }
    if (action.action === 'restart') await terminate([{ pid: action.record.pid, group: true }]);
    const rec = startDetached(dir, proc);
    say(`${action.name}: started (pid ${rec.pid}; ${action.reason}); log ${proc.log}`);
  }
  return desired.map((d) => {
    // A supervised component whose child died since now is not coming up by itself: fail early with its log.
    const logFrom = fileSize(d.log);
    return {
      name: d.name,
      log: d.log,
      alive: () => {
        const r = readRecord(dir, d.name);
        return r !== undefined && isRecordAlive(r) && !mentionsRestart(readSince(d.log, logFrom));
      },
    };
  });
}

/** Keeps the recorded port unless API server `index` is down and something else took it. */
async function choosePort(layout: ClusterLayout, index = 1, recorded = layout.apiserverPort): Promise<number> {
  if (recorded) {
    const o = observe(layout.stateDir, apiserverProcessName(index));
    if (o?.alive || (await portFree(layout.hostIp, recorded))) return recorded;
  }
  return freePort(layout.hostIp, PREFERRED_PORT + index - 1);
}

/** Starts (or keeps) one API server and waits until it is ready. */
async function convergeApiserver(
  layout: ClusterLayout,
  bin: PodnetBinary,
  server: { index: number; port: number; etcd?: EtcdClientFiles },
  o: UpOptions,
): Promise<void> {
  const [proc] = await converge(layout.stateDir, [apiserverProcess(layout, bin, server)], o.say);
  const probe = new KubeClient({
    server: `https://${layout.hostIp}:${server.port}`,
    insecureSkipTlsVerify: true,
    requestTimeoutMs: 5000,
  });
  try {
    await waitApiserverReady(probe, proc!, o.timeoutMs);
  } finally {
    probe.close();
  }
}

/** --store etcd: the members, then a quorum; returns how the API servers reach them. */
async function bringUpEtcd(layout: ClusterLayout, o: UpOptions): Promise<EtcdClientFiles> {
  const files = ensureEtcdClientFiles(layout);
  // All members at once: none is ready before a quorum of them runs.
  const members = await converge(layout.stateDir, etcdProcesses(layout), o.say);
  await waitEtcdReady(layout, files, members, o.timeoutMs);
  return files;
}

/** API servers 2..N (--apiservers N), one after the other on ports of their own; all share DIR's CA and tokens. */
async function bringUpMoreApiservers(
  layout: ClusterLayout,
  bin: PodnetBinary,
  etcd: EtcdClientFiles,
  o: UpOptions,
): Promise<ClusterLayout> {
  const ports: number[] = [];
  for (let index = 2; index <= (layout.apiservers ?? 1); index++) {
    const port = await choosePort(layout, index, layout.extraApiserverPorts?.[index - 2]);
    ports.push(port);
    layout = { ...layout, extraApiserverPorts: [...ports] };
    writeLayout(layout);
    await convergeApiserver(layout, bin, { index, port, etcd }, o);
  }
  return layout;
}

/** The recorded console port while it serves or is free; otherwise another free one. */
async function chooseConsolePort(layout: ClusterLayout): Promise<number> {
  if (layout.consolePort) {
    const o = observe(layout.stateDir, CONSOLE);
    if (o?.alive || (await portFree(layout.hostIp, layout.consolePort))) return layout.consolePort;
  }
  return freePort(layout.hostIp, PREFERRED_CONSOLE_PORT);
}

export async function bringUp(o: UpOptions): Promise<ClusterLayout> {
  const bin = o.bin ?? thisPodnet();
  let layout = await resolveLayout(o);
  // Before anything is built: every agent would refuse to start without it, only later and less clearly.
  if (layout.runtime === 'runc')
    await checkRunc(
      `run "podnet up --runtime process" to run containers as bare processes (no isolation between pods and the node)`,
    );
  await checkSubnetStillFree(layout);
  // Recorded before anything is built, so `down` can clean up whatever a crash leaves.
  writeLayout(layout);
  o.say(
    `cluster ${layout.name ?? '(default)'}: bridge ${layout.bridge}, node subnet ${layout.subnet}, ${layout.nodes.length} node(s), backend ${layout.backend}`,
  );
  await ensureHostLayout(layout);

  const deadline = Date.now() + o.timeoutMs;
  const etcd = layout.store === 'etcd' ? await bringUpEtcd(layout, o) : undefined;
  layout = { ...layout, apiserverPort: await choosePort(layout) };
  writeLayout(layout);
  const dir = layout.stateDir;
  // The first API server alone: it creates DIR's CA and tokens, which the others then share.
  await convergeApiserver(layout, bin, { index: 1, port: layout.apiserverPort, etcd }, o);
  if (!existsSync(caCertPath(dir)))
    throw new Error(`the API server is ready but wrote no ${caCertPath(dir)}; see ${dir}/logs/apiserver.log`);
  if (etcd) layout = await bringUpMoreApiservers(layout, bin, etcd, o);

  // The console needs only the API server: users bring their tokens.
  layout = { ...layout, consolePort: await chooseConsolePort(layout) };
  writeLayout(layout);
  await converge(dir, [consoleProcess(layout, bin, layout.consolePort!)], o.say);

  const tokens = TokenAuthenticator.load(dir);
  const caCertPem = readFileSync(caCertPath(dir), 'utf8');
  const credentials = (path: string, token: string): string => {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeKubeconfig(path, {
      server: apiserverUrl(layout),
      servers: apiserverUrls(layout),
      caCertPem,
      token,
      name: kubeconfigName(layout.name),
    });
    return path;
  };
  const agents = layout.nodes.map((n) => {
    mkdirSync(nodeStateDir(dir, n.name), { recursive: true, mode: 0o700 });
    // The node's serving certificate for exec/attach/logs/port-forward, minted beside its credentials.
    ensureNodeServingCert(join(dir, 'pki'), nodePkiDir(dir, n.name), n.name, [n.ip]);
    return agentProcess(layout, n, {
      ...bin,
      kubeconfig: credentials(nodeKubeconfigPath(dir, n.name), tokens.nodeToken(n.name)),
      caPath: caCertPath(dir),
      tlsDir: nodePkiDir(dir, n.name),
    });
  });
  const watched = await converge(dir, agents, o.say);
  const client = KubeClient.fromKubeconfig(kubeconfigPath(dir), { userAgent: 'podnet-up' });
  try {
    await waitNodesReady(client, watched, Math.max(deadline - Date.now(), 10_000), o.say);
    const shape = await readClusterConfig(client, { flags: layout.cluster });
    const created = await ensureObjects(
      client,
      dnsAddonObjects({
        kubeconfigPath: credentials(
          addonKubeconfigPath(dir, 'kube-dns'),
          tokens.userToken(serviceAccountUser(DNS_NAMESPACE, DNS_SERVICE_ACCOUNT)),
        ),
        clusterDnsIp: shape.clusterDnsIp,
        logArgs: logFlagArgs(layout.log),
        upstreams: o.dnsUpstream?.map((u) => u.replace(/^host(?=:|$)/, layout.hostIp)),
      }),
    );
    if (created.length) o.say(`cluster DNS: ${created.join(', ')}`);
    const routers = await ensureObjects(
      client,
      routerAddonObjects({
        runRoot: routersDir(dir),
        kubeconfigPath: credentials(
          addonKubeconfigPath(dir, 'podnet-router'),
          tokens.userToken(serviceAccountUser(ROUTER_NAMESPACE, ROUTER_SERVICE_ACCOUNT)),
        ),
      }),
    );
    if (routers.length) o.say(`router: ${routers.join(', ')}`);
    // Older versions ran the add-ons as bare pods; the workloads replace them.
    const legacy = await removeLegacyPods(client, DNS_NAMESPACE, [
      ...LEGACY_DNS_PODS,
      ...layout.nodes.map((n) => `podnet-router-${n.name}`),
    ]);
    if (legacy.length) o.say(`add-ons: removed ${legacy.join(', ')} (now run by their Deployment and DaemonSet)`);
    await removeLegacyTokenSecrets(client);
    // Host-network DNS replicas take port 53 on their node: a cluster smaller than the replica count runs fewer.
    await waitWorkloadReady(
      client,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: DNS_DEPLOYMENT, namespace: DNS_NAMESPACE } },
      `k8s-app=${DNS_APP_LABEL}`,
      'cluster DNS',
      Math.min(DNS_REPLICAS, layout.nodes.length),
      Math.max(deadline - Date.now(), 10_000),
    );
    await waitWorkloadReady(
      client,
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: ROUTER_DAEMONSET, namespace: ROUTER_NAMESPACE } },
      `app=${ROUTER_APP_LABEL}`,
      'the router',
      layout.nodes.length,
      Math.max(deadline - Date.now(), 10_000),
    );
  } finally {
    client.close();
  }
  const target = o.mergeKubeconfig ?? layout.mergedKubeconfig;
  if (target) {
    const name = kubeconfigName(layout.name);
    mergeKubeconfig(target, kubeconfigPath(dir), name);
    if (layout.mergedKubeconfig !== target) {
      layout = { ...layout, mergedKubeconfig: target };
      writeLayout(layout);
    }
    o.say(`kubeconfig: context ${name} in ${target} is now the current context`);
  }
  return layout;
}

/** Older podnet versions kept the add-ons' tokens (DNS's was the admin token) in Secrets; their pods are replaced by now. */
async function removeLegacyTokenSecrets(client: KubeClient): Promise<void> {
  const secrets = findResource('', 'v1', 'secrets')!;
  for (const name of ['podnet-dns-token', 'podnet-router-token'])
    await client.delete(secrets, DNS_NAMESPACE, name).catch((e: unknown) => {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    });
}
