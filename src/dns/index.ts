/**
 * `podnet dns`: cluster DNS (the Kubernetes DNS spec plus business names)
 * and a caching forwarder, on UDP+TCP, with /healthz, /readyz, /metrics.
 * Wires the pieces: sync (informers) -> state (tables) -> handler -> listeners.
 */
import { DEFAULT_CLUSTER_CONFIG } from '../api/cluster-config.js';
import type { KubeClient } from '../client/client.js';
import { logger } from '../log/log.js';
import { Forwarder } from './forward/forwarder.js';
import type { Upstream } from './forward/upstream.js';
import type { PodRecordsMode } from './resolver.js';
import { DnsHandler } from './server/handler.js';
import { startHttp } from './server/http.js';
import { startListeners } from './server/listeners.js';
import { DnsMetrics } from './server/metrics.js';
import { DnsState } from './state.js';
import { startSync } from './sync.js';
import { AppliedRevisionPublisher } from '../client/endpoints-applied.js';
import { releaseLoadMemory } from './heap.js';

export { DnsState } from './state.js';
export { parseUpstream, nameserversFromResolvConf, type Upstream } from './forward/upstream.js';
export type { PodRecordsMode } from './resolver.js';

interface DnsOptions {
  client: KubeClient;
  listen: { host: string; port: number };
  /** /healthz, /readyz, /metrics; undefined: no HTTP listener. */
  http?: { host: string; port: number };
  upstreams: Upstream[];
  clusterDomain?: string;
  podRecords?: PodRecordsMode;
  ttl?: number;
  /** Forwarding budget per question before SERVFAIL (default 2000 ms). */
  forwardDeadlineMs?: number;
  /**
   * The Lease this replica owns and on which it publishes the EndpointSlice
   * revision its answers reflect (nodes wait for it before stopping a pod).
   */
  appliedLease?: { namespace: string; name: string; holderIdentity: string; ownerPodUid?: string };
  log?: (m: string) => void;
}

export interface RunningDns {
  /** The DNS port actually bound (UDP and TCP). */
  port: number;
  httpPort: number | undefined;
  state: DnsState;
  metrics: DnsMetrics;
  synced(): boolean;
  waitForSync(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDns(o: DnsOptions): Promise<RunningDns> {
  const log = o.log ?? logger('dns');
  const domain = (o.clusterDomain ?? DEFAULT_CLUSTER_CONFIG.clusterDomain).toLowerCase().replace(/\.$/, '');
  const state = new DnsState({ domain, ttl: o.ttl ?? 5, podRecords: o.podRecords ?? 'insecure' });
  const metrics = new DnsMetrics();
  const forwarder = new Forwarder({
    upstreams: o.upstreams,
    deadlineMs: o.forwardDeadlineMs,
    onExchange: (to, rcode, seconds) => metrics.upstream(to, rcode, seconds),
  });
  const applied =
    o.appliedLease && new AppliedRevisionPublisher({ client: o.client, ...o.appliedLease, consumer: 'dns', log });
  const sync = startSync(o.client, state, log, applied && ((rv) => applied.publish(rv)));
  void sync.waitForSync().then(() => setImmediate(releaseLoadMemory));
  const handler = new DnsHandler({ state, forwarder, metrics, synced: () => sync.synced() });
  const listeners = await startListeners(handler, { ...o.listen, log }).catch(async (e: Error) => {
    await sync.stop();
    throw new Error(
      `cannot listen for DNS on ${o.listen.host}:${o.listen.port}: ${e.message} (port 53 needs root or CAP_NET_BIND_SERVICE; pick another with --listen)`,
    );
  });
  // CoreDNS's server label: dns://<bind>:<port> (dns://:53 when bound to every address).
  const bind = o.listen.host === '0.0.0.0' || o.listen.host === '::' ? '' : o.listen.host;
  metrics.server = `dns://${bind.includes(':') ? `[${bind}]` : bind}:${listeners.port}`;
  metrics.family = o.listen.host.includes(':') ? 2 : 1;
  const http = o.http
    ? await startHttp(
        o.http.host,
        o.http.port,
        () => sync.synced(),
        () => metrics.render(sync.synced(), state.zone.sourceCount, forwarder.cache.counts()),
      ).catch(async (e: Error) => {
        await listeners.close();
        await sync.stop();
        throw new Error(
          `cannot listen for HTTP on ${o.http!.host}:${o.http!.port}: ${e.message} (pick another with --http-listen)`,
        );
      })
    : undefined;
  return {
    port: listeners.port,
    httpPort: http?.port,
    state,
    metrics,
    synced: () => sync.synced(),
    waitForSync: () => sync.waitForSync(),
    stop: async () => {
      await http?.close();
      await listeners.close();
      await sync.stop();
      await applied?.stop();
    },
  };
}
