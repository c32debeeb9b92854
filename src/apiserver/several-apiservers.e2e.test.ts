/**
 * Two API servers on one etcd, as kube-apiservers share theirs: Services
 * created through both at once never get the same ClusterIP or NodePort,
 * even with ranges small enough that the two collide all the time, and a
 * value one server releases is handed out again by the other.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { KObject } from '../api/meta.js';
import { findResource } from '../api/resources.js';
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
