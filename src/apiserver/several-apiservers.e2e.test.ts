/**
 * Two API servers on one etcd, as kube-apiservers share theirs: Services
 * created through both at once never get the same ClusterIP or NodePort,
 * even with ranges small enough that the two collide all the time, and a
 * value one server releases is handed out again by the other.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { KObject } from '../api/meta.js';
import { findResource } from '../api/resources.js';
import { ApiserverDiscovery } from '../client/apiserver-discovery.js';
import { KubeClient } from '../client/client.js';
import { startThrowawayEtcd, etcdServer, type ThrowawayEtcd } from '../store/etcd/testing/throwaway-etcd.js';
import { needs } from '../testing/requirements.js';
import { startApiServer, type RunningApiServer } from './server.js';

const services = findResource('', 'v1', 'services')!;
// 254 ClusterIPs and 60 NodePorts: 50 Services take most of both.
const cluster = { serviceCidr: '10.100.0.0/24', nodePortRange: { first: 31000, last: 31059 } };

interface ServiceView {
  name: string;
  clusterIP: string;
  nodePort: number;
}

const view = (s: KObject): ServiceView => {
  const spec = s.spec as { clusterIP: string; ports: { nodePort: number }[] };
  return { name: s.metadata.name!, clusterIP: spec.clusterIP, nodePort: spec.ports[0]!.nodePort };
};

const nodePortService = (name: string): KObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { type: 'NodePort', selector: { app: name }, ports: [{ port: 80 }] },
});

function assertUnique(list: ServiceView[]): void {
  const ips = list.map((s) => s.clusterIP);
  const ports = list.map((s) => s.nodePort);
  assert.equal(new Set(ips).size, ips.length, `a ClusterIP was handed out twice: ${ips.sort().join(' ')}`);
  assert.equal(new Set(ports).size, ports.length, `a NodePort was handed out twice: ${ports.sort().join(' ')}`);
}

test(
  'two API servers on one etcd never allocate a ClusterIP or NodePort twice',
  { skip: needs(etcdServer) },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'podnet-two-apiservers-'));
    /* eslint-disable prefer-const -- the after hook reads these even when a start failed */
    let etcd: ThrowawayEtcd | undefined;
    let servers: RunningApiServer[] = [];
    let clients: KubeClient[] = [];
    /* eslint-enable prefer-const */
    t.after(async () => {
      for (const c of clients) c.close();
      for (const s of servers) await s.close();
      await etcd?.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    etcd = await startThrowawayEtcd();
    // One state directory: both servers serve with the same CA and accept the same tokens.
    const start = () =>
      startApiServer({
        stateDir: dir,
        host: '127.0.0.1',
        port: 0,
        controllers: false,
        allocationRepairMs: 0,
        cluster,
        etcd: { servers: [etcd.endpoint] },
      });
    servers.push(await start(), await start());
    clients = servers.map(
      (s) =>
        new KubeClient({
          server: s.url,
          token: s.adminToken,
          caCertPem: s.caCertPem,
          userAgent: 'two-apiservers-test',
        }),
    );
    const [a, b] = clients as [KubeClient, KubeClient];

    // 50 creates, alternating servers, all in flight together.
    const created = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? b : a).create(services, 'default', nodePortService(`svc-${i}`))),
    );
    assertUnique(created.map(view));

    // Free 30 through one server, then take 35 through the other: it must find the values the first released.
    await Promise.all(created.slice(0, 30).map((s) => a.delete(services, 'default', s.metadata.name!)));
    const more = await Promise.all(
      Array.from({ length: 35 }, (_, i) => b.create(services, 'default', nodePortService(`again-${i}`))),
    );
    const now = (await a.list(services, 'default')).items.map(view).filter((s) => s.name !== 'kubernetes');
    assert.equal(now.length, 20 + 35);
    assertUnique(now);
    assert.ok(
      more.some((s) => created.slice(0, 30).some((gone) => view(gone).nodePort === view(s).nodePort)),
      'the second server reused a NodePort the first released',
    );

    // Both see the same state; the allocations in etcd are exactly the Services' values.
    assert.deepEqual(
      (await b.list(services, 'default')).items.map(view),
      (await a.list(services, 'default')).items.map(view),
    );
    const store = servers[0]!.store;
    const allocatedPorts = (await store.list('/registry/ranges/servicenodeports/')).items.map((kv) =>
      Number(kv.key.split('/').pop()),
    );
    assert.deepEqual(allocatedPorts.sort(), now.map((s) => s.nodePort).sort());
  },
);

/** A non-loopback IPv4 of this machine: endpoints never list loopback (the traffic stays on this machine). */
function hostAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const leases = findResource('coordination.k8s.io', 'v1', 'leases')!;
const endpointsRes = findResource('', 'v1', 'endpoints')!;

test(
  'controllers run in one API server; the other takes over; kubernetes endpoints list the live servers',
  { skip: needs(etcdServer) || (hostAddress() ? false : 'needs a non-loopback IPv4 address on this machine') },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'podnet-two-apiservers-'));
    /* eslint-disable prefer-const -- the after hook reads these even when a start failed */
    let etcd: ThrowawayEtcd | undefined;
    let servers: RunningApiServer[] = [];
    let client: KubeClient | undefined;
    let learner: KubeClient | undefined;
    /* eslint-enable prefer-const */
    const closed = new Set<RunningApiServer>();
    t.after(async () => {
      client?.close();
      learner?.close();
      for (const s of servers) if (!closed.has(s)) await s.close();
      await etcd?.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    etcd = await startThrowawayEtcd();
    const ip = hostAddress()!;
    const start = () =>
      startApiServer({ stateDir: dir, host: ip, port: 0, allocationRepairMs: 0, etcd: { servers: [etcd.endpoint] } });
    servers.push(await start(), await start());
    const ports = servers.map((s) => Number(new URL(s.url).port)).sort();
    const [first, second] = servers as [RunningApiServer, RunningApiServer];
    client = new KubeClient({ server: second.url, token: second.adminToken, caCertPem: second.caCertPem });
    const c = client;

    const endpointPorts = async () => {
      const ep = await c.get(endpointsRes, 'default', 'kubernetes');
      const subsets = (ep as { subsets?: { addresses: { ip: string }[]; ports: { port: number }[] }[] }).subsets ?? [];
      return subsets.flatMap((s) => s.addresses.map((a) => `${a.ip}:${s.ports[0]!.port}`)).sort();
    };
    await eventually('both servers in the kubernetes endpoints', async () => {
      const got = await endpointPorts();
      return got.length === 2 ? got : undefined;
    });
    assert.deepEqual(await endpointPorts(), ports.map((p) => `${ip}:${p}`).sort());

    // A client given only the first server learns both from the kubernetes EndpointSlices (one per port).
    const urls = ports.map((p) => `https://${ip}:${p}`).sort();
    learner = new KubeClient({ server: first.url, token: first.adminToken, caCertPem: first.caCertPem });
    const discovery = new ApiserverDiscovery(learner);
    await eventually('both servers in the kubernetes EndpointSlices', async () => {
      const got = await discovery.refresh();
      return got.length === 2 ? got : undefined;
    });
    assert.deepEqual(learner.servers, [first.url, ...urls.filter((u) => u !== first.url)]);

    const holder = async () => {
      // No Lease yet reads as no holder; the caller waits for one.
      const lease = await c.get(leases, 'kube-system', 'podnet-controller-manager').catch(() => undefined);
      return (lease as { spec?: { holderIdentity?: string } } | undefined)?.spec?.holderIdentity || undefined;
    };
    const leader = await eventually('a controller leader', holder);

    // Controllers work: a Service with a selector gets an EndpointSlice from whichever server leads.
    const slices = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
    await c.create(services, 'default', nodePortService('elected'));
    await eventually('the EndpointSlice controller', async () => {
      const list = await c.list(slices, 'default', { labelSelector: 'kubernetes.io/service-name=elected' });
      return list.items.length > 0 ? true : undefined;
    });

    // The first server goes: it leaves the endpoints, and the lease passes to the other.
    await first.close();
    closed.add(first);
    const next = await eventually('a new controller leader', async () => {
      const h = await holder();
      return h && h !== leader ? h : undefined;
    });
    assert.notEqual(next, leader);
    assert.deepEqual(await endpointPorts(), [`${ip}:${new URL(second.url).port}`]);
    // The learner reaches the second server it was never told of, and the gone server's slice goes away.
    assert.ok((await learner.list(services, 'default')).items.some((o) => o.metadata.name === 'elected'));
    assert.equal(learner.activeServer, second.url);
    await eventually('only the live server in the kubernetes EndpointSlices', async () => {
      const got = await discovery.refresh();
      return got.length === 1 ? got : undefined;
    });
    assert.deepEqual(await discovery.refresh(), [second.url]);
  },
);
