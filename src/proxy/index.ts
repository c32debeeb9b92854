/**
 * The service proxy (kube-proxy's job), run by the node agent:
 * startServiceProxy programs this node's kernel so Services work, in
 * nftables (default) or iptables mode, and serves its metrics.
 */
import type { Server } from 'node:http';
import type { KubeClient } from '../client/client.js';
import type { ProxyBackend } from './backend.js';
import { IptablesBackend } from './iptables/backend.js';
import { processMetricsText } from '../metrics/process.js';
import { ProxyMetrics } from './metrics.js';
import { serveMetrics } from './metrics-server.js';
import { NftBackend } from './nft/backend.js';
import { Proxier, type SyncReport } from './proxier.js';
import { ensureServiceRoute } from './service-route.js';
import { AppliedRevisionPublisher } from '../client/endpoints-applied.js';

export { buildProxyState } from './model.js';
export { renderNft } from './nft/render.js';
export { traceNft, summarize } from './nft/trace.js';
export { renderIptables } from './iptables/render.js';
export type { ProxyState, ServicePortState, ProxyNode } from './types.js';
export type { SyncReport } from './proxier.js';

export type ProxyMode = 'nftables' | 'iptables';
export const PROXY_MODES: ProxyMode[] = ['nftables', 'iptables'];
const DEFAULT_METRICS_PORT = 10249;

interface ServiceProxyOptions {
  client: KubeClient;
  nodeName: string;
  /** The node's own addresses (NodePorts answer here; metrics bind to the first). */
  nodeIps: string[];
  /** Pod addresses of the whole cluster: traffic from elsewhere to a ClusterIP is masqueraded. */
  clusterCidr: string;
  /** ClusterIP addresses: one the proxy does not know is dropped. */
  serviceCidr: string;
  mode?: ProxyMode;
  log: (m: string) => void;
  /** 0 turns the metrics server off. */
  metricsPort?: number;
  resyncMs?: number;
  onSync?: (s: SyncReport) => void;
  /**
   * The Lease (the node's own, renewed by the agent) on which the proxy
   * publishes the EndpointSlice revision its rules reflect; unset: not published.
   */
  appliedLease?: { namespace: string; name: string };
}

interface ServiceProxy {
  readonly mode: ProxyMode;
  metricsText(): string;
  /** Stops watching; the rules stay, so Services keep working while the agent restarts. */
  stop(): Promise<void>;
}

export async function startServiceProxy(o: ServiceProxyOptions): Promise<ServiceProxy> {
  const mode = o.mode ?? 'nftables';
  if (!PROXY_MODES.includes(mode)) throw new Error(`unknown proxy mode "${mode}"; use nftables or iptables`);
  if (!o.nodeIps.length) throw new Error("the service proxy needs the node's IP addresses");
  const node = {
    name: o.nodeName,
    ips: o.nodeIps,
    clusterCidr: o.clusterCidr,
    serviceCidr: o.serviceCidr,
  };
  const backend: ProxyBackend = mode === 'nftables' ? new NftBackend(o.log) : new IptablesBackend();
  const other: ProxyBackend = mode === 'nftables' ? new IptablesBackend() : new NftBackend(o.log);
  const metrics = new ProxyMetrics(mode);
  const applied =
    o.appliedLease &&
    new AppliedRevisionPublisher({ client: o.client, ...o.appliedLease, consumer: 'proxy', log: o.log });
  await ensureServiceRoute(node.serviceCidr, o.nodeIps[0]!, o.log);
  const proxier = new Proxier({
    client: o.client,
    node,
    backend,
    metrics,
    log: o.log,
    resyncMs: o.resyncMs,
    onSync: o.onSync,
    onApplied: (rv) => applied?.publish(rv),
  });
  await proxier.start();
  // The other mode's rules go only once ours are live: switching modes never leaves a gap.
  await other.cleanup().catch((e: Error) => o.log(`proxy: removing ${other.mode} rules: ${e.message}`));
  let server: Server | undefined;
  if (o.metricsPort !== 0) {
    // The node agent's process metrics too: this port is the agent's, as kube-proxy's is its own.
    const text = () => metrics.text() + processMetricsText();
    server = await serveMetrics(o.nodeIps[0]!, o.metricsPort ?? DEFAULT_METRICS_PORT, text).catch((e: Error) => {
      o.log(`proxy: ${e.message}`);
      return undefined;
    });
  }
  o.log(`proxy: ${mode} mode, ${metrics.servicePorts} service ports, ${metrics.rules} rules`);
  return {
    mode,
    metricsText: () => metrics.text(),
    async stop() {
      await proxier.stop();
      await applied?.stop();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    },
  };
}
