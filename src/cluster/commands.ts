import { join } from 'node:path';
/**
 * The exact command lines `up` runs. Pure: the process table compares them
 * with the recorded ones to decide what to restart.
 */
import { fileURLToPath } from 'node:url';
import type { ClusterConfigInput } from '../api/cluster-config.js';
import { netnsPath } from '../host/exec.js';
import type { ClusterLayout, ClusterLogging, NodeLayout } from './layout.js';
import { APISERVER, CONSOLE, caCertPath, logFile, nodeStateDir } from './paths.js';
import type { DesiredProcess } from './process-table.js';

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

export const apiserverUrl = (layout: ClusterLayout): string => `https://${layout.hostIp}:${layout.apiserverPort}`;

export function apiserverProcess(layout: ClusterLayout, bin: PodnetBinary): DesiredProcess {
  const dir = layout.stateDir;
  return {
    name: APISERVER,
    marker: dir,
    log: logFile(dir, APISERVER),
    argv: [
      bin.node,
      bin.entry,
      'apiserver',
      '--state',
      dir,
      '--listen',
      `${layout.hostIp}:${layout.apiserverPort}`,
      '--advertise-address',
      layout.hostIp,
      ...(layout.name ? ['--cluster-name', layout.name] : []),
      ...clusterFlagArgs(layout.cluster ?? {}),
      ...logFlagArgs(layout.log),
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
      bin.entry,
      'console',
      '--server',
      apiserverUrl(layout),
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
export function clusterFlagArgs(c: ClusterConfigInput): string[] {
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
      opts.entry,
      'node',
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
      ...(layout.runtime ? ['--runtime', layout.runtime] : []),
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
