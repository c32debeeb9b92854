/**
 * The benchmark's own network: per mode, a "node" namespace (API server,
 * proxy, the latency probes and every rule live here) joined by veth pairs
 * to a "pod" namespace holding the real endpoints' addresses and nginx,
 * and to a "client pod" namespace, a pod on the node whose connections
 * the node forwards (the path a pod's traffic to a Service takes). All
 * are created here and deleted here, with every process left inside them;
 * nothing touches the host's own network or tables. The node also gets
 * the connection-rate floor: one hand-written DNAT rule in a table of its
 * own, which the proxy must leave alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOk } from '../../host/exec.js';
import { deleteNetns, killAndWait, netnsExists, pinned, waitForListen } from '../common/netns.js';
import { DIRECT_PORT, ENDPOINTS_PER_SERVICE, FLOOR_PORT, SERVICE_PORT, TARGET_PORT } from './objects.js';

export const NODE_IP = '10.244.0.1';

/**
 * Connection-rate runs pin the client (wrk) and the server (nginx) to
 * different cores, so whether they share one is not left to each run's
 * scheduling (8 pairs of runs on 12-06: ratios 0.74–1.35 with wrk free,
 * 0.84–1.18 and 0.91–1.15 pinned).
 */
export const CLIENT_CPU = 0;
const SERVER_CPU = 1;
/** The real endpoints: addresses on the pod namespace's eth0, all served by one nginx. */
export const REAL_ENDPOINTS = Array.from({ length: ENDPOINTS_PER_SERVICE }, (_, i) => `10.244.0.${i + 2}`);
/** The client pod's address, in the cluster CIDR on a subnet of its own, so the node routes (forwards) its packets. */
const CLIENT_POD_IP = '10.244.1.2';
const CLIENT_GATEWAY = '10.244.1.1';
/**
 * The floor's address: in the service CIDR (so the node routes it like a
 * ClusterIP) but outside the bench's ClusterIPs; DNATed to the real
 * endpoints by one rule ahead of the proxy's (priority -101, before its
 * -100), so the proxy's nat chains never see these connections.
 */
export const FLOOR_IP = '10.111.255.254';
const FLOOR_TABLE = 'podnetbenchfloor';

function floorRuleset(): string {
  const spread = `numgen random mod ${REAL_ENDPOINTS.length} map { ${REAL_ENDPOINTS.map((ip, i) => `${i} : ${ip} . ${FLOOR_PORT}`).join(', ')} }`;
  const rule = `ip daddr ${FLOOR_IP} tcp dport ${SERVICE_PORT} dnat ip to ${spread}`;
  return [
    `table ip ${FLOOR_TABLE} {`,
    ...(['prerouting', 'output'] as const).map(
      (hook) => `  chain ${hook} {\n    type nat hook ${hook} priority -101;\n    ${rule}\n  }`,
    ),
    '}',
    '',
  ].join('\n');
}

export interface BenchNet {
  nodeNs: string;
  podNs: string;
  clientNs: string;
  destroy(): Promise<void>;
}

/** nginx answering every request with a short 200 and closing (one connection per request). */
function nginxConfig(dir: string): string {
  return [
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`),
    `  server { listen ${TARGET_PORT} backlog=4096; listen ${DIRECT_PORT} backlog=4096; listen ${FLOOR_PORT} backlog=4096; keepalive_timeout 0; location / { return 200 "ok\\n"; } }`,
    '}',
    '',
  ].join('\n');
}

export async function createBenchNet(base: string): Promise<BenchNet> {
  const nodeNs = base;
  const podNs = `${base}-p`;
  const clientNs = `${base}-c`;
  const dir = mkdtempSync(join(tmpdir(), `${base}-`));
  let nginx: ChildProcess | undefined;
  const destroy = async (): Promise<void> => {
    if (nginx) await killAndWait(nginx);
    for (const ns of [nodeNs, podNs, clientNs]) await deleteNetns(ns);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const ns of [nodeNs, podNs, clientNs])
      if (await netnsExists(ns)) throw new Error(`network namespace ${ns} already exists`);
    for (const ns of [nodeNs, podNs, clientNs]) await runOk(['ip', 'netns', 'add', ns]);
    // The veth pair is born inside the namespaces: no interface ever appears on the host.
    await runOk(['ip', '-n', nodeNs, 'link', 'add', 'pnb0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', podNs]);
    await runOk(['ip', '-n', nodeNs, 'addr', 'add', `${NODE_IP}/24`, 'dev', 'pnb0']);
    for (const ip of REAL_ENDPOINTS) await runOk(['ip', '-n', podNs, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    await runOk(['ip', '-n', nodeNs, 'link', 'add', 'pnc0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', clientNs]);
    await runOk(['ip', '-n', nodeNs, 'addr', 'add', `${CLIENT_GATEWAY}/24`, 'dev', 'pnc0']);
    await runOk(['ip', '-n', clientNs, 'addr', 'add', `${CLIENT_POD_IP}/24`, 'dev', 'eth0']);
    for (const [ns, dev] of [
      [nodeNs, 'pnb0'],
      [nodeNs, 'pnc0'],
      [podNs, 'eth0'],
      [clientNs, 'eth0'],
      [nodeNs, 'lo'],
      [podNs, 'lo'],
      [clientNs, 'lo'],
    ] as const)
      await runOk(['ip', '-n', ns, 'link', 'set', dev, 'up']);
    await runOk(['ip', '-n', clientNs, 'route', 'add', 'default', 'via', CLIENT_GATEWAY]);
    await runOk(['ip', '-n', podNs, 'route', 'add', `${CLIENT_POD_IP}/32`, 'via', NODE_IP]);
    await runOk(['ip', 'netns', 'exec', nodeNs, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    await runOk(['ip', 'netns', 'exec', nodeNs, 'nft', '-f', '-'], { input: floorRuleset() });
    // Connection-rate runs open ~100k connections; a wide port range keeps the client from reusing tuples still in TIME_WAIT.
    for (const ns of [nodeNs, podNs, clientNs])
      await runOk(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.ip_local_port_range=1024 65000']);
    const conf = join(dir, 'nginx.conf');
    writeFileSync(conf, nginxConfig(dir));
    nginx = spawn('ip', ['netns', 'exec', podNs, ...pinned(SERVER_CPU), 'nginx', '-c', conf], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let nginxErr = '';
    nginx.stderr!.on('data', (c: Buffer) => {
      nginxErr += c.toString();
    });
    await waitForListen(podNs, TARGET_PORT, 'nginx', () => nginxErr);
    return { nodeNs, podNs, clientNs, destroy };
  } catch (e) {
    await destroy();
    throw e;
  }
}
