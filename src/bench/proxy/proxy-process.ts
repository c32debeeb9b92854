/**
 * The service proxy as its own process, as the node agent runs it
 * (startServiceProxy), so its memory is its own and it does not share the
 * driver's event loop. Run inside the benchmark's node namespace. Config
 * comes as JSON in PODNET_BENCH_PROXY; every sync is reported on stdout as
 * one JSON line; SIGTERM stops it and leaves the rules in place, as a
 * restarting agent does.
 */
import { KubeClient } from '../../client/client.js';
import { readClusterConfig } from '../../client/cluster-config.js';
import { startServiceProxy, type ProxyMode } from '../../proxy/index.js';
import { PROXY_NODE } from './objects.js';

export interface ProxyProcessConfig {
  server: string;
  token: string;
  caPem: string;
  mode: ProxyMode;
  nodeIp: string;
}

export interface SyncLine {
  ev: 'sync';
  full: boolean;
  ms: number;
  servicePorts: number;
  rules: number;
  heapMiB: number;
  at: number;
}

const cfg = JSON.parse(process.env.PODNET_BENCH_PROXY ?? 'null') as ProxyProcessConfig | null;
if (!cfg) {
  process.stderr.write('proxy-process: PODNET_BENCH_PROXY (JSON config) is required\n');
  process.exit(2);
}
const client = new KubeClient({
  server: cfg.server,
  token: cfg.token,
  caCertPem: cfg.caPem,
  userAgent: 'podnet-bench-proxy',
});
const cluster = await readClusterConfig(client, { component: 'bench proxy' });
const proxy = await startServiceProxy({
  client,
  nodeName: PROXY_NODE,
  nodeIps: [cfg.nodeIp],
  mode: cfg.mode,
  clusterCidr: cluster.clusterCidr,
  serviceCidr: cluster.serviceCidr,
  metricsPort: 0,
  log: (m) => process.stderr.write(`${m}\n`),
  onSync: (s) => {
    const line: SyncLine = { ev: 'sync', ...s, heapMiB: process.memoryUsage().heapUsed / 2 ** 20, at: Date.now() };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  },
});
await new Promise<void>((resolve) => {
  process.once('SIGTERM', resolve);
  process.once('SIGINT', resolve);
});
await proxy.stop();
process.exit(0);
