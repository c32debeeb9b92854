/**
 * Learning the API servers from the cluster: the `kubernetes` Service's
 * EndpointSlices (default namespace) list every live API server (the API
 * servers keep them, src/apiserver/apiserver-endpoints.ts). A client
 * configured with one server, or a list that has gone stale, then fails
 * over to every server that is up, and forgets the ones that left.
 */
import type { KObject } from '../api/meta.js';
import { findResource } from '../api/resources.js';
import type { KubeClient } from './client.js';

const slices = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
const DEFAULT_PERIOD_MS = 30_000;

interface Slice extends KObject {
  addressType?: string;
  endpoints?: { addresses?: string[]; conditions?: { ready?: boolean } }[];
  ports?: { name?: string; port?: number }[];
}

/** Pure: the API server URLs the slices list (ready endpoints, the `https` port), sorted, each once. */
export function apiserverUrls(items: readonly Slice[], scheme: 'https' | 'http' = 'https'): string[] {
  const urls = new Set<string>();
  for (const s of items) {
    const port = (s.ports ?? []).find((p) => (p.name ?? '') === 'https' || (s.ports ?? []).length === 1)?.port;
    if (typeof port !== 'number') continue;
    for (const ep of s.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      const ip = ep.addresses?.[0];
      if (!ip) continue;
      urls.add(`${scheme}://${ip.includes(':') ? `[${ip}]` : ip}:${port}`);
    }
  }
  return [...urls].sort();
}

interface ApiserverDiscoveryOptions {
  /** How often to read the slices (default 30 s). */
  periodMs?: number;
  log?(message: string): void;
}

/** Reads the `kubernetes` slices now and then every period, and tells the client what it found. */
export class ApiserverDiscovery {
  private timer: NodeJS.Timeout | undefined;
  private last = '';

  constructor(
    private readonly client: KubeClient,
    private readonly opts: ApiserverDiscoveryOptions = {},
  ) {}

  start(): void {
    const pass = () =>
      void this.refresh().catch((e: Error) => this.opts.log?.(`learning the API servers: ${e.message}`));
    pass();
    this.timer = setInterval(pass, this.opts.periodMs ?? DEFAULT_PERIOD_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One read; an empty list (a cluster reachable on loopback only publishes none) changes nothing. */
  async refresh(): Promise<string[]> {
    const list = await this.client.list<Slice>(slices, 'default', {
      labelSelector: 'kubernetes.io/service-name=kubernetes',
    });
    const scheme = this.client.activeServer.startsWith('http:') ? 'http' : 'https';
    const urls = apiserverUrls(list.items, scheme);
    if (urls.length === 0) return urls;
    const text = urls.join(' ');
    if (text !== this.last) this.opts.log?.(`API servers: ${text}`);
    this.last = text;
    this.client.learnServers(urls);
    return urls;
  }
}
