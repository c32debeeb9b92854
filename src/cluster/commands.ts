import { join } from 'node:path';
/**
 * The exact command lines `up` runs. Pure: the process table compares them
 * with the recorded ones to decide what to restart.
 */
import { fileURLToPath } from 'node:url';
import type { ClusterConfigInput } from '../api/cluster-config.js';
import { netnsPath } from '../host/exec.js';
import { clientUrl, etcdArgs, type EtcdMember, type EtcdTls } from '../store/etcd/server-args.js';
import {
  apiserverPorts,
  type ClusterLayout,
  type ClusterLogging,
  type ControlPlaneLayout,
  type NodeLayout,
} from './layout.js';
import {
  apiserverProcessName,
  CONSOLE,
  caCertPath,
  etcdDataDir,
  etcdProcessName,
  logFile,
  nodeStateDir,
} from './paths.js';
import type { DesiredProcess } from './process-table.js';
import { DEFAULT_MAX_HEAP_MIB } from './heap-limits.js';

/**
 * How to run podnet itself: this node binary and this checkout's bin/podnet
 * (dist/cli/main.js only exports main(); bin/podnet is what runs it).
 */
export interface PodnetBinary {
  node: string;
  entry: string;
}

export const thisPodnet = (): PodnetBinary => ({
  node: process.execPath,
  entry: fileURLToPath(new URL('../../bin/podnet', import.meta.url)),
});

/**
 * V8 flags for the processes that relay streaming bytes (the API server, the
 * node agents and the console; under --supervise their children get them too). Each chunk a socket reads is a new buffer; with the
 * small heap these processes keep, V8's old-generation limit sits a few MB
 * above what is live and port-forward traffic set off a full mark-compact
 * every 10-20 MB carried (a third of the agent's CPU per byte). Starting the
 * limit at 64 MB lets the young generation collect that garbage alone.
 */
const RELAY_V8_FLAGS = ['--initial-old-space-size=64'];

export const apiserverUrl = (layout: ClusterLayout): string => `https://${layout.hostIp}:${layout.apiserverPort}`;

/** Every API server's URL, the first one first: clients fail over along this list. */
export const apiserverUrls = (layout: ClusterLayout): string[] =>
  apiserverPorts(layout)
    .filter((p) => p > 0)
    .map((p) => `https://${layout.hostIp}:${p}`);

/** Where the API servers find etcd (--store etcd): the members' client URLs and the files of etcd's TLS. */
export interface EtcdClientFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** API server `index` (from 1) on hostIp at `port`; with etcd files, on the cluster's etcd members. */
export function apiserverProcess(
  layout: ClusterLayout,
  bin: PodnetBinary,
  server: { index: number; port: number; etcd?: EtcdClientFiles } = { index: 1, port: layout.apiserverPort },
): DesiredProcess {
  const dir = layout.stateDir;
  const name = apiserverProcessName(server.index);
  const etcd = server.etcd;
  return {
    name,
    marker: dir,
    log: logFile(dir, name),
    argv: [
      bin.node,
      ...RELAY_V8_FLAGS,
      bin.entry,
      'apiserver',
      '--supervise',
      '--max-heap',
      String(DEFAULT_MAX_HEAP_MIB.apiserver),
      '--state',
      dir,
      '--listen',
      `${layout.hostIp}:${server.port}`,
      '--advertise-address',
      layout.hostIp,
      ...(layout.name ? ['--cluster-name', layout.name] : []),
      ...(etcd
        ? [
            '--etcd-servers',
            etcdMembers(layout)
              .map((m) => clientUrl(m, true))
              .join(','),
            '--etcd-cafile',
            etcd.caFile,
            '--etcd-certfile',
            etcd.certFile,
            '--etcd-keyfile',
            etcd.keyFile,
          ]
        : []),
      ...clusterFlagArgs(layout.cluster ?? {}),
      ...logFlagArgs(layout.log),
    ],
  };
}

const ETCD_CLIENT_PORT = 2379;
const ETCD_PEER_PORT = 2380;

/** The etcd members of --store etcd: one per control-plane namespace, on etcd's own ports there. */
export const etcdMembers = (layout: ClusterLayout): EtcdMember[] =>
  (layout.controlPlanes ?? []).map((cp) => ({
    name: cp.name,
    host: cp.ip,
    clientPort: ETCD_CLIENT_PORT,
    peerPort: ETCD_PEER_PORT,
  }));

/** etcd member `cp` inside its namespace (nsenter --net, then exec: the recorded pid is etcd's), TLS everywhere. */
export function etcdProcess(layout: ClusterLayout, cp: ControlPlaneLayout, tls: EtcdTls): DesiredProcess {
  const dir = layout.stateDir;
  const members = etcdMembers(layout);
  const name = etcdProcessName(cp.index);
  return {
    name,
    marker: dir,
    log: logFile(dir, name),
    argv: [
      'nsenter',
      `--net=${netnsPath(cp.netns)}`,
      '--',
      'etcd',
      ...etcdArgs({
        member: members.find((m) => m.name === cp.name)!,
        cluster: members,
        dataDir: etcdDataDir(dir, cp.name),
        tls,
        // Two clusters' members never join each other, even on a reused subnet.
        clusterToken: `podnet-${layout.hash}`,
      }),
    ],
  };
}

/**
 * The web console on the host, beside the API server. It gets the API
 * server's address and CA, never a token: each browser user logs in with
 * their own.
 */
export function consoleProcess(layout: ClusterLayout, bin: PodnetBinary, port: number): DesiredProcess {
  const dir = layout.stateDir;
  return {
    name: CONSOLE,
    marker: dir,
    log: logFile(dir, CONSOLE),
    argv: [
      bin.node,
      ...RELAY_V8_FLAGS,
      bin.entry,
      'console',
      '--supervise',
      '--max-heap',
      String(DEFAULT_MAX_HEAP_MIB.console),
      '--server',
      apiserverUrls(layout).join(','),
      '--certificate-authority',
      caCertPath(dir),
      '--listen',
      `${layout.hostIp}:${port}`,
      ...logFlagArgs(layout.log),
    ],
  };
}

/** --log-level / --log-format for the processes `up` starts (only those given). */
export const logFlagArgs = (log: ClusterLogging | undefined): string[] => [
  ...(log?.level ? ['--log-level', log.level] : []),
  ...(log?.format ? ['--log-format', log.format] : []),
];

/** The cluster's shape as `podnet apiserver` flags (only those `up` was given). */
function clusterFlagArgs(c: ClusterConfigInput): string[] {
  const out: string[] = [];
  if (c.clusterCidr !== undefined) out.push('--cluster-cidr', c.clusterCidr);
  if (c.nodeCidrMaskSize !== undefined) out.push('--node-cidr-mask-size', String(c.nodeCidrMaskSize));
  if (c.serviceCidr !== undefined) out.push('--service-cidr', c.serviceCidr);
  if (c.clusterDnsIp !== undefined) out.push('--cluster-dns', c.clusterDnsIp);
  if (c.clusterDomain !== undefined) out.push('--cluster-domain', c.clusterDomain);
  if (c.nodePortRange !== undefined)
    out.push('--service-node-port-range', `${c.nodePortRange.first}-${c.nodePortRange.last}`);
  return out;
}

/**
 * A node agent inside its node's netns. nsenter switches only the network
 * namespace (unlike `ip netns exec`, which also makes a private mount
 * namespace that would hide the pod netns the agent mounts) and then execs,
 * so the recorded pid is the agent's own.
 */
export function agentProcess(
  layout: ClusterLayout,
  node: NodeLayout,
  opts: PodnetBinary & { kubeconfig: string; caPath: string; tlsDir?: string },
): DesiredProcess {
  const state = nodeStateDir(layout.stateDir, node.name);
  return {
    name: node.name,
    marker: state,
    log: logFile(layout.stateDir, node.name),
    argv: [
      'nsenter',
      `--net=${netnsPath(node.netns)}`,
      '--',
      opts.node,
      ...RELAY_V8_FLAGS,
      opts.entry,
      'node',
      // A crashed agent comes back by itself (as the kubelet does under systemd) and adopts its pods.
      '--supervise',
      '--max-heap',
      String(DEFAULT_MAX_HEAP_MIB.node),
      // The node's credentials come from a 0600 file: a token on the command line is readable by every local user.
      '--kubeconfig',
      opts.kubeconfig,
      '--name',
      node.name,
      '--node-ip',
      node.ip,
      '--state',
      state,
      '--backend',
      layout.backend,
      ...(layout.proxyMode ? ['--proxy-mode', layout.proxyMode] : []),
      // A layout without one was made when process was the default: its pods keep that runtime.
      '--runtime',
      layout.runtime ?? 'process',
      ...(opts.tlsDir
        ? [
            '--tls-cert-file',
            join(opts.tlsDir, 'node.crt'),
            '--tls-private-key-file',
            join(opts.tlsDir, 'node.key'),
            // The streaming server admits only the API server's client certificate, signed by the cluster CA.
            '--client-ca-file',
            opts.caPath,
          ]
        : []),
      ...logFlagArgs(layout.log),
    ],
  };
}
