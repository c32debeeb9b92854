/**
 * The node agent: registers this host as a Node, brings up the overlay once
 * the node has a podCIDR, then runs exactly the pods bound to it. It talks
 * to the rest of the cluster only through the API; pods are processes that
 * outlive the agent, so stopping it (or a crash) never disturbs them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findResource } from '../api/resources.js';
import type { KObject } from '../api/meta.js';
import type { ClusterConfigInput } from '../api/cluster-config.js';
import type { KubeClient } from '../client/client.js';
import { readClusterConfig } from '../client/cluster-config.js';
import { loadImageTable } from '../images/index.js';
import { logger, warn } from '../log/log.js';
import { startOverlay } from '../overlay/index.js';
import { startServiceProxy, type ProxyMode } from '../proxy/index.js';
import { Heartbeat } from './heartbeat.js';
import { EndpointDrain } from './endpoint-drain.js';
import { NODE_LEASE_NAMESPACE } from './node-object.js';
import { recordEvent } from '../client/events.js';
import { readHostFacts } from './host-facts.js';
import { PodManager } from './pods.js';
import { CniPodRuntime } from './runtime/index.js';
import { checkShimBinary } from './runtime/shim.js';
import type { RuntimeKind } from './runtime/container-runner.js';
import { ProcessRunner } from './runtime/process-runner.js';
import { RuncRunner } from './runtime/runc-runner.js';
import { checkRunc } from '../host/runc.js';
import { ensurePodsCgroupCpu } from '../host/cgroups.js';
import { availableParallelism } from 'node:os';
import { startStreamingServer, STREAMING_PORT, type RunningStreamingServer } from './streaming/server.js';

const AGENT_VERSION = '0.1.0';
const nodes = findResource('', 'v1', 'nodes')!;
const POD_CIDR_CHECK_MS = 10_000;

interface NodeAgentOptions {
  client: KubeClient;
  nodeName: string;
  nodeIp: string;
  stateDir: string;
  backend: 'vxlan' | 'host-gw';
  /** Service proxy mode (default nftables). */
  proxyMode?: ProxyMode;
  /** The agent's own flags for the cluster's shape (--cluster-dns, --cluster-domain): checked against the cluster's. */
  clusterFlags?: ClusterConfigInput;
  maxPods: number;
  /** What runs containers (default runc). */
  runtime?: RuntimeKind;
  imageTablePath?: string;
  /** Serving certificate and the cluster CA for the streaming endpoint (exec, attach, logs, port-forward). */
  streaming?: { certPem: string; keyPem: string; caPem: string; port?: number };
  log?: (m: string) => void;
}

interface RunningNodeAgent {
  stop(): Promise<void>;
}

export async function startNodeAgent(opts: NodeAgentOptions): Promise<RunningNodeAgent> {
  const log = opts.log ?? logger(`node ${opts.nodeName}`);
  mkdirSync(opts.stateDir, { recursive: true });
  checkShimBinary();
  const runtimeKind = opts.runtime ?? 'runc';
  if (runtimeKind === 'runc')
    await checkRunc('start the node with --runtime process (containers as bare processes, without isolation)');
  const stopping = { value: false };
  // Before the Node exists: an agent whose flags contradict the cluster must not join it.
  const cluster = await readClusterConfig(opts.client, {
    component: `node ${opts.nodeName}`,
    flags: opts.clusterFlags,
    log,
    stopping,
  });
  let notReady: string | undefined = "container runtime network not ready: waiting for this node's podCIDR";
  // The subnet the pods here were given, kept across agent restarts and Node re-registrations.
  const podCidrFile = join(opts.stateDir, 'pod-cidr');
  let podCidrHint = existsSync(podCidrFile) ? readFileSync(podCidrFile, 'utf8').trim() || undefined : undefined;
  const heartbeat = new Heartbeat(
    opts.client,
    readHostFacts(opts.nodeName, opts.nodeIp, opts.maxPods, AGENT_VERSION),
    () => notReady,
    log,
    () => podCidrHint,
  );
  await heartbeat.register();
  heartbeat.start();

  const podCidr = await waitForPodCidr(opts.client, opts.nodeName, stopping);
  log(`podCIDR ${podCidr}`);
  if (podCidrHint && podCidrHint !== podCidr)
    warn(log, `podCIDR changed from ${podCidrHint} to ${podCidr}: the pod network is rebuilt on the new subnet`);
  writeFileSync(podCidrFile, `${podCidr}\n`);
  podCidrHint = podCidr;
  const overlay = await startOverlay({
    client: opts.client,
    nodeName: opts.nodeName,
    backend: opts.backend,
    publicIp: opts.nodeIp,
    clusterCidr: cluster.clusterCidr,
    log,
  });
  const proxy = await startServiceProxy({
    client: opts.client,
    nodeName: opts.nodeName,
    nodeIps: [opts.nodeIp],
    mode: opts.proxyMode,
    clusterCidr: cluster.clusterCidr,
    serviceCidr: cluster.serviceCidr,
    appliedLease: { namespace: NODE_LEASE_NAMESPACE, name: opts.nodeName },
    log,
  });
  const runtime = new CniPodRuntime({
    stateDir: join(opts.stateDir, 'pods'),
    nodeName: opts.nodeName,
    nodeIp: opts.nodeIp,
    podCidr,
    mtu: overlay.mtu,
    runner:
      runtimeKind === 'runc'
        ? new RuncRunner({ root: join(opts.stateDir, 'pods', 'runc'), execDir: join(opts.stateDir, 'pods', 'exec') })
        : new ProcessRunner(),
  });
  log(`container runtime: ${runtimeKind}`);
  if (runtimeKind === 'runc') {
    const problem = ensurePodsCgroupCpu(availableParallelism());
    if (problem) warn(log, `pods' CPU weight: ${problem}; under contention pods get less CPU than the agent`);
  }
  const hostResolvConf = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  const drain = new EndpointDrain(opts.client, log);
  await drain.start();
  const pods = new PodManager({
    client: opts.client,
    runtime,
    images: loadImageTable({ userTablePath: opts.imageTablePath ?? join(opts.stateDir, 'images.yaml') }),
    nodeName: opts.nodeName,
    nodeIp: opts.nodeIp,
    hostResolvConf,
    clusterDns: [cluster.clusterDnsIp],
    clusterDomain: cluster.clusterDomain,
    kubernetesService: { host: cluster.kubernetesServiceIp, port: 443 },
    dataDir: join(opts.stateDir, 'containers'),
    volumesDir: join(opts.stateDir, 'volumes'),
    drain,
    log,
  });
  await pods.start();
  let streaming: RunningStreamingServer | undefined;
  if (opts.streaming) {
    streaming = await startStreamingServer({
      host: opts.nodeIp,
      port: opts.streaming.port ?? STREAMING_PORT,
      certPem: opts.streaming.certPem,
      keyPem: opts.streaming.keyPem,
      caPem: opts.streaming.caPem,
      pods: {
        lookup: (ns, name) => pods.lookup(ns, name),
        attemptDir: (uid, c, attempt) => runtime.attemptDir(uid, c, attempt),
        execArgv: (uid, c, attempt, pid, command, tty) => runtime.execArgv(uid, c, attempt, pid, command, tty),
      },
      log,
    });
    log(`streaming on https://${opts.nodeIp}:${streaming.port} (exec, attach, logs, port-forward)`);
  } else {
    log('no --tls-cert-file: exec, attach, logs and port-forward are not served on this node');
  }
  notReady = undefined;
  await heartbeat.refresh().catch((e: Error) => log(`status: ${e.message}`));
  log('ready');
  const cidrWatch = watchPodCidr(opts.client, opts.nodeName, podCidr, log, (why) => {
    notReady = why;
    void heartbeat.refresh().catch((e: Error) => log(`status: ${e.message}`));
  });

  return {
    async stop() {
      stopping.value = true;
      clearInterval(cidrWatch);
      heartbeat.stop();
      await streaming?.close();
      await pods.stop();
      await drain.stop();
      await overlay.stop();
      await proxy.stop();
    },
  };
}

/**
 * The pod network (bridge, host-local range, overlay address) is built on
 * the podCIDR the node had at start. If the Node's podCIDR changes under a
 * running agent (deleted and given another subnet), pods on the new subnet
 * would be unreachable: the node goes NotReady with a Warning Event saying
 * so, once, until the agent is restarted on the new subnet.
 */
function watchPodCidr(
  client: KubeClient,
  nodeName: string,
  builtOn: string,
  log: (m: string) => void,
  onChanged: (why: string) => void,
): NodeJS.Timeout {
  let reported = false;
  const timer = setInterval(() => {
    if (reported) return;
    client.get<KObject & { spec?: { podCIDR?: string } }>(nodes, undefined, nodeName).then(
      (node) => {
        const now = node.spec?.podCIDR;
        if (!now || now === builtOn) return;
        reported = true;
        const why = `the pod network was built on podCIDR ${builtOn} but the Node now has ${now}; restart the node agent to rebuild it`;
        warn(log, why);
        onChanged(why);
        void recordEvent(
          client,
          log,
          { ...node, apiVersion: 'v1', kind: 'Node' },
          'Warning',
          'PodCIDRChanged',
          why,
          'kubelet',
        );
      },
      () => undefined, // a missing Node is re-registered by the heartbeat; the next tick looks again
    );
  }, POD_CIDR_CHECK_MS);
  timer.unref();
  return timer;
}

/** The podCIDR the cluster's allocator gives this node (polls; allocation takes milliseconds). */
async function waitForPodCidr(client: KubeClient, nodeName: string, stopping: { value: boolean }): Promise<string> {
  for (let i = 0; !stopping.value; i++) {
    const node = await client
      .get<KObject & { spec?: { podCIDR?: string } }>(nodes, undefined, nodeName)
      .catch(() => undefined); // the API server may be restarting: poll again
    const cidr = node?.spec?.podCIDR;
    if (cidr) return cidr;
    await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** i)));
  }
  throw new Error('stopped before a podCIDR was assigned');
}
