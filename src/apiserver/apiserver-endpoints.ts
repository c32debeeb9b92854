/**
 * The `kubernetes` Service's endpoints list every live API server, as
 * kube-apiserver's lease endpoint reconciler keeps them: each API server
 * renews its own identity Lease in kube-system (label
 * apiserver.kubernetes.io/identity, its address in an annotation) and
 * rewrites Endpoints and EndpointSlice default/kubernetes from the Leases
 * that have not expired. A server that stops cleanly deletes its Lease; one
 * that dies drops out when its Lease expires. Clients and nodes that follow
 * the Service fail over to the servers left.
 */
import { createHash } from 'node:crypto';
import { ApiError } from '../api/errors.js';
import type { KObject } from '../api/meta.js';
import { findResource, type ResourceInfo } from '../api/resources.js';
import type { Registry, WriteParams } from './registry/registry.js';

const IDENTITY_LABEL = 'apiserver.kubernetes.io/identity';
const ADVERTISE_ANNOTATION = 'podnet.io/advertise-address';
const LEASE_SECONDS = 15;
const RENEW_MS = 5_000;

const leases = findResource('coordination.k8s.io', 'v1', 'leases')!;
const endpointsRes = findResource('', 'v1', 'endpoints')!;
const slices = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
const params = (): WriteParams => ({
  dryRun: false,
  fieldManager: 'kube-apiserver',
  fieldValidation: 'Strict',
  warnings: [],
});
const microTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export interface ApiserverAddress {
  ip: string;
  port: number;
}

type Lease = KObject & { spec?: { renewTime?: string; leaseDurationSeconds?: number; holderIdentity?: string } };

/** The live API servers' addresses from their identity Leases, sorted; pure. */
function liveApiservers(items: Lease[], nowMs: number): ApiserverAddress[] {
  const out: ApiserverAddress[] = [];
  for (const l of items) {
    if (!l.metadata.labels?.[IDENTITY_LABEL]) continue;
    const renewed = Date.parse(l.spec?.renewTime ?? '');
    if (!(renewed + (l.spec?.leaseDurationSeconds ?? LEASE_SECONDS) * 1000 > nowMs)) continue;
    const m = /^(.*):(\d+)$/.exec(l.metadata.annotations?.[ADVERTISE_ANNOTATION] ?? '');
    if (!m || isLoopback(m[1]!)) continue; // kube forbids loopback endpoints
    out.push({ ip: m[1]!, port: Number(m[2]) });
  }
  return out.sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
}

/** Endpoints subsets for those servers: one subset per port (servers on one host differ by port). */
function kubernetesSubsets(servers: ApiserverAddress[]): unknown[] {
  const byPort = new Map<number, string[]>();
  for (const s of servers) byPort.set(s.port, [...(byPort.get(s.port) ?? []), s.ip]);
  return [...byPort].map(([port, ips]) => ({
    addresses: ips.map((ip) => ({ ip })),
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  }));
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/**
 * The `kubernetes` EndpointSlices for those servers; pure. A slice holds
 * one set of ports, so servers on one host at several ports (podnet up
 * --apiservers N) need one slice per port: `kubernetes` for the first,
 * `kubernetes-<port>` for the others. Clients learn every server from
 * them (src/client/apiserver-discovery.ts), and the service proxy takes
 * each slice's own port.
 */
export function kubernetesSlices(servers: ApiserverAddress[]): KObject[] {
  const byPort = new Map<number, ApiserverAddress[]>();
  for (const s of servers) byPort.set(s.port, [...(byPort.get(s.port) ?? []), s]);
  return [...byPort].map(([port, at], i) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: i === 0 ? 'kubernetes' : `kubernetes-${port}`,
      namespace: 'default',
      labels: { [SERVICE_NAME_LABEL]: 'kubernetes' },
    },
    addressType: at[0]!.ip.includes(':') ? 'IPv6' : 'IPv4',
    endpoints: at.map((s) => ({ addresses: [s.ip], conditions: { ready: true } })),
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  }));
}

export class ApiserverEndpoints {
  private readonly leaseName: string;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly registry: Registry,
    private readonly self: ApiserverAddress,
    private readonly identity: string,
    private readonly log: (m: string) => void,
  ) {
    const hash = createHash('sha256').update(`${self.ip}:${self.port}`).digest('hex').slice(0, 16);
    this.leaseName = `podnet-apiserver-${hash}`;
  }

  /** Renew and reconcile now, then every few seconds. */
  async start(): Promise<void> {
    await this.pass();
    this.timer = setInterval(
      () => void this.pass().catch((e: Error) => this.log(`kubernetes endpoints: ${e.message}`)),
      RENEW_MS,
    );
    this.timer.unref();
  }

  /** Leave the list: delete our Lease and reconcile without us. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    try {
      await this.registry.delete(leases, 'kube-system', this.leaseName, { dryRun: false });
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
    }
    await this.reconcile();
  }

  private async pass(): Promise<void> {
    await this.renew();
    await this.reconcile();
  }

  private async renew(): Promise<void> {
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.leaseName,
        namespace: 'kube-system',
        labels: { [IDENTITY_LABEL]: 'kube-apiserver' },
        annotations: { [ADVERTISE_ANNOTATION]: `${this.self.ip}:${this.self.port}` },
      },
      spec: { holderIdentity: this.identity, leaseDurationSeconds: LEASE_SECONDS, renewTime: microTime(Date.now()) },
    };
    await upsert(this.registry, leases, lease, (live) => ({
      ...live,
      metadata: { ...live.metadata, ...lease.metadata },
      spec: lease.spec,
    }));
  }

  private async reconcile(): Promise<void> {
    const all = (await this.registry.listAll(leases, 'kube-system')) as Lease[];
    const servers = liveApiservers(all, Date.now());
    // A cluster reachable only on loopback publishes no endpoints (kube's rule); leave what is there.
    if (servers.length === 0) return;
    const endpoints: KObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
      },
      subsets: kubernetesSubsets(servers),
    };
    await upsertIfChanged(this.registry, endpointsRes, endpoints, 'subsets');
    const wanted = kubernetesSlices(servers);
    for (const slice of wanted) await upsertIfChanged(this.registry, slices, slice, 'endpoints', 'ports');
    // Slices of ports no server listens on any more (servers on one host, one port each).
    const names = new Set(wanted.map((s) => s.metadata.name));
    const stale = (await this.registry.listAll(slices, 'default')).filter(
      (s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === 'kubernetes' && !names.has(s.metadata.name),
    );
    for (const s of stale) {
      await this.registry
        .delete(slices, 'default', s.metadata.name!, { dryRun: false, preconditions: { uid: s.metadata.uid } })
        .catch((e: unknown) => {
          if (!(e instanceof ApiError && (e.reason === 'NotFound' || e.reason === 'Conflict'))) throw e;
        });
    }
  }
}

async function upsert(
  registry: Registry,
  ri: ResourceInfo,
  obj: KObject,
  mutate: (live: KObject) => KObject,
): Promise<void> {
  const namespace = obj.metadata.namespace!;
  try {
    await registry.create(ri, namespace, obj, params());
  } catch (e) {
    if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
    await registry.modify(ri, namespace, obj.metadata.name!, params(), mutate);
  }
}

/** Write only when the listed fields differ: every server runs this every few seconds. */
async function upsertIfChanged(registry: Registry, ri: ResourceInfo, obj: KObject, ...fields: string[]): Promise<void> {
  const key = registry.key(ri, obj.metadata.namespace, obj.metadata.name!);
  const live = await registry.store.get(key);
  const want = obj as Record<string, unknown>;
  if (live) {
    const have = registry.decode(live) as unknown as Record<string, unknown>;
    if (fields.every((f) => JSON.stringify(have[f]) === JSON.stringify(want[f]))) return;
  }
  await upsert(registry, ri, obj, (l) => ({ ...l, ...Object.fromEntries(fields.map((f) => [f, want[f]])) }));
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1' || ip === 'localhost';
}
