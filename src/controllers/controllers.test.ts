/**
 * The controllers against the real API server (plain HTTP on 127.0.0.1,
 * port 0, fresh state dir): nodes get subnets, pods get scheduled and
 * spread, endpoints follow readiness, a silent node goes Unknown, and a
 * deleted namespace is emptied and removed.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nowRFC3339, type KObject } from '../api/meta.js';
import { startApiServer, type RunningApiServer } from '../apiserver/server.js';
import { KubeClient } from '../client/client.js';
import { isNotFound } from '../client/api-error.js';
import { res } from './shared-informers.js';
import { startControllers, type RunningControllers } from './index.js';
import type { EndpointSlice, Node, Pod } from './types.js';
import type { Endpoints } from './endpoints-desired.js';

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end)
      assert.fail(`${what}: not reached; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('integration: controllers against the API server', () => {
  let dir: string;
  let server: RunningApiServer;
  let client: KubeClient;
  let controllers: RunningControllers | undefined;
  const logs: string[] = [];
  const renew = async (name: string) => {
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: 'kube-node-lease' },
      spec: {
        holderIdentity: name,
        leaseDurationSeconds: 40,
        renewTime: new Date().toISOString().replace('Z', '000Z'),
      },
    };
    try {
      const live = await client.get(res.leases, 'kube-node-lease', name);
      await client.update(res.leases, 'kube-node-lease', { ...live, spec: lease.spec });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      await client.create(res.leases, 'kube-node-lease', lease);
    }
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'podnet-controllers-'));
    server = await startApiServer({
      stateDir: dir,
      host: '127.0.0.1',
      port: 0,
      insecureHttp: true,
      controllers: false,
    });
    client = new KubeClient({ server: server.url });
    controllers = await startControllers(new KubeClient({ server: server.url }), {
      nodeGracePeriodSeconds: 3,
      nodeMonitorPeriodMs: 500,
      log: (m) => logs.push(m),
    });
  });
  after(async () => {
    await controllers?.stop();
    client?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
    if (process.env.PODNET_TEST_LOGS) process.stderr.write(logs.join('\n') + '\n');
  });

  test('nodes get distinct pod subnets', async () => {
    for (const name of ['n1', 'n2']) {
      await client.create(res.nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name } });
      await client.patch(
        res.nodes,
        undefined,
        name,
        'merge',
        {
          status: {
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                reason: 'KubeletReady',
                message: 'ready',
                lastHeartbeatTime: nowRFC3339(),
                lastTransitionTime: nowRFC3339(),
              },
            ],
          },
        },
        { subresource: 'status' },
      );
      await renew(name);
    }
    const cidrs = await eventually('podCIDRs', async () => {
      const list = await client.list<Node>(res.nodes);
      const c = list.items.map((n) => n.spec?.podCIDR);
      return c.every(Boolean) && c;
    });
    assert.deepEqual([...cidrs].sort(), ['10.244.0.0/24', '10.244.1.0/24']);
  });

  test('pods are spread over nodes and endpoints follow readiness', async () => {
    await client.create(res.services, 'default', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    for (const name of ['web-1', 'web-2']) {
      await client.create(res.pods, 'default', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, labels: { app: 'web' } },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      });
    }
    const nodes = await eventually('pods bound', async () => {
      const pods = (await client.list<Pod>(res.pods, 'default')).items;
      return pods.every((p) => p.spec?.nodeName) && pods.map((p) => p.spec!.nodeName!);
    });
    assert.deepEqual([...nodes].sort(), ['n1', 'n2'], 'two pods of one group land on two nodes');

    // Play kubelet: give the pods IPs and mark them Ready.
    for (const [i, name] of ['web-1', 'web-2'].entries()) {
      await client.patch(
        res.pods,
        'default',
        name,
        'merge',
        {
          status: {
            phase: 'Running',
            podIP: `10.244.${i}.5`,
            podIPs: [{ ip: `10.244.${i}.5` }],
            conditions: [{ type: 'Ready', status: 'True' }],
          },
        },
        { subresource: 'status' },
      );
    }
    const slice = await eventually('slice with 2 ready endpoints', async () => {
      const s = (
        await client.list<EndpointSlice>(res.endpointSlices, 'default', {
          labelSelector: 'kubernetes.io/service-name=web',
        })
      ).items;
      return s.length === 1 && s[0]!.endpoints?.filter((e) => e.conditions.ready).length === 2 && s[0]!;
    });
    assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.equal(slice.metadata.labels!['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.match(slice.metadata.name!, /^web-/);
    const ep = await eventually('Endpoints with 2 addresses', async () => {
      const e = await client.get<Endpoints>(res.endpoints, 'default', 'web');
      return e.subsets?.[0]?.addresses?.length === 2 && e;
    });
    assert.deepEqual(ep.subsets![0]!.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  });

  test("a pod with nowhere to go is marked Unschedulable with kube's message", async () => {
    await client.create(res.pods, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'picky' },
      spec: { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'c', image: 'busybox' }] },
    });
    const cond = await eventually('PodScheduled=False', async () => {
      const p = await client.get<Pod>(res.pods, 'default', 'picky');
      return p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    });
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(
      cond.message,
      "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );
    const events = await eventually('FailedScheduling event', async () => {
      const evs = (await client.list(res.events, 'default')).items.filter(
        (e) => (e as KObject & { reason?: string }).reason === 'FailedScheduling',
      );
      return evs.length > 0 && evs;
    });
    assert.equal((events[0] as KObject & { message?: string }).message, cond.message);
  });

  test('a node that stops renewing its lease goes Unknown and its endpoints not ready', async () => {
    // A missed renewal only delays the other node's verdict, which the test waits for.
    const keepAlive = setInterval(() => void renew('n1').catch(() => undefined), 500);
    try {
      const n2 = await eventually(
        'n2 Unknown and tainted',
        async () => {
          const n = await client.get<Node>(res.nodes, undefined, 'n2');
          const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
          return (
            ready?.status === 'Unknown' && n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable') && n
          );
        },
        30_000,
      );
      assert.equal(
        n2.status!.conditions!.find((c) => c.type === 'Ready')!.message,
        'Kubelet stopped posting node status.',
      );
      await eventually('the endpoint on n2 not ready', async () => {
        const s = (
          await client.list<EndpointSlice>(res.endpointSlices, 'default', {
            labelSelector: 'kubernetes.io/service-name=web',
          })
        ).items[0];
        const byNode = Object.fromEntries((s?.endpoints ?? []).map((e) => [e.nodeName, e.conditions.ready]));
        return byNode.n1 === true && byNode.n2 === false;
      });
      const n1 = await client.get<Node>(res.nodes, undefined, 'n1');
      assert.equal(
        n1.status!.conditions!.find((c) => c.type === 'Ready')!.status,
        'True',
        'a node renewing its lease stays Ready',
      );
    } finally {
      clearInterval(keepAlive);
    }
  });

  test('a deleted namespace is emptied and then removed', async () => {
    await client.create(res.namespaces, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'scratch' },
    });
    await client.create({ group: '', version: 'v1', resource: 'configmaps', namespaced: true }, 'scratch', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg' },
      data: { a: 'b' },
    });
    await client.delete(res.namespaces, undefined, 'scratch');
    await eventually('namespace gone', async () => {
      try {
        await client.get(res.namespaces, undefined, 'scratch');
        return false;
      } catch (e) {
        return isNotFound(e);
      }
    });
    await assert.rejects(
      client.get({ group: '', version: 'v1', resource: 'configmaps', namespaced: true }, 'scratch', 'cfg'),
      (e) => isNotFound(e),
    );
  });
});
