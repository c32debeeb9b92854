/**
 * The workload controllers and the garbage collector against the real API
 * server (plain HTTP on loopback, fresh state dir), with fake nodes and a
 * fake kubelet that makes every bound pod Running and Ready and finishes
 * graceful deletions at once: Deployments roll out, scale, roll back,
 * pause and recreate; ReplicaSets adopt and release; DaemonSets follow
 * nodes; StatefulSets come up in order with stable names; deletes cascade.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nowRFC3339, type KObject } from '../api/meta.js';
import { startApiServer, type RunningApiServer } from '../apiserver/server.js';
import { KubeClient } from '../client/client.js';
import { isNotFound } from '../client/api-error.js';
import { Informer } from '../client/informer.js';
import { res } from './shared-informers.js';
import { startControllers, type RunningControllers } from './index.js';
import type { Pod } from './types.js';
import type { Deployment, ReplicaSet } from './workload-types.js';

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

const node = (name: string): KObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready' }] },
});

const template = (app: string, image = 'nginx') => ({
  metadata: { labels: { app } },
  spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image }] },
});

const imageOf = (p: Pod) => (p.spec as unknown as { containers: { image: string }[] }).containers[0]!.image;

const deployment = (name: string, spec: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { replicas: 3, selector: { matchLabels: { app: name } }, template: template(name), ...spec },
});

describe('integration: workload controllers against the API server', () => {
  let dir: string;
  let server: RunningApiServer;
  let client: KubeClient;
  let controllers: RunningControllers | undefined;
  let kubelet: Informer<Pod> | undefined;
  /** Every pod name the fake kubelet saw, with the images it ran, in order. */
  const seen: { name: string; app: string; image: string; at: number; deleted?: number }[] = [];

  const pods = async (app: string) =>
    (await client.list<Pod>(res.pods, 'default', { labelSelector: `app=${app}` })).items.filter(
      (p) => !p.metadata.deletionTimestamp,
    );
  const get = <T extends KObject>(r: typeof res.pods, name: string) => client.get<T>(r, 'default', name);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'podnet-workloads-'));
    server = await startApiServer({
      stateDir: dir,
      host: '127.0.0.1',
      port: 0,
      insecureHttp: true,
      controllers: false,
    });
    client = new KubeClient({ server: server.url });
    for (const n of ['n1', 'n2']) await client.create(res.nodes, undefined, node(n));
    controllers = await startControllers(new KubeClient({ server: server.url }), {
      enabled: ['scheduler', 'replicaset', 'deployment', 'daemonset', 'statefulset', 'garbagecollector'],
      log: () => undefined,
    });
    // The fake kubelet: bound pods run and are Ready at once; graceful deletions finish at once.
    kubelet = new Informer<Pod>(client, res.pods);
    const act = (p: Pod) => {
      const { namespace, name } = p.metadata;
      if (p.metadata.deletionTimestamp) {
        const s = seen.find((x) => x.name === name && !x.deleted);
        if (s) s.deleted = Date.now();
        // Already gone is fine: the fake kubelet only finishes what a real one would.
        void client.delete(res.pods, namespace, name!, { gracePeriodSeconds: 0 }).catch(() => undefined);
        return;
      }
      if (!p.spec?.nodeName || p.status?.phase === 'Running') return;
      const image = (p.spec as { containers?: { image?: string }[] }).containers?.[0]?.image ?? '';
      seen.push({ name: name!, app: p.metadata.labels?.['app'] ?? '', image, at: Date.now() });
      const t = nowRFC3339();
      void client
        .patch(
          res.pods,
          namespace,
          name!,
          'merge',
          {
            status: {
              phase: 'Running',
              podIP: `10.244.0.${seen.length % 250}`,
              conditions: [
                { type: 'Ready', status: 'True', lastTransitionTime: t },
                { type: 'PodScheduled', status: 'True', lastTransitionTime: t },
              ],
            },
          },
          { subresource: 'status' },
        )
        .catch(() => undefined); // the pod may be deleted meanwhile; the next event retries
    };
    kubelet.addHandlers({ onAdd: act, onUpdate: (_o, p) => act(p) });
    kubelet.start();
    await kubelet.waitForSync();
  });

  after(async () => {
    await kubelet?.stop();
    await controllers?.stop();
    client?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rolledOut = (name: string, replicas: number) =>
    eventually(`deployment ${name} rolled out with ${replicas}`, async () => {
      const d = await get<Deployment>(res.deployments, name);
      const s = d.status ?? {};
      const progressing = s.conditions?.find((c) => c.type === 'Progressing');
      return (
        (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
        s.updatedReplicas === replicas &&
        s.availableReplicas === replicas &&
        s.replicas === replicas &&
        (d.spec.paused || progressing?.reason === 'NewReplicaSetAvailable') &&
        (await pods(name)).length === replicas &&
        d
      );
    });

  const replicaSets = async (app: string) =>
    (await client.list<ReplicaSet>(res.replicaSets, 'default', { labelSelector: `app=${app}` })).items;

  test('a Deployment rolls out through a ReplicaSet with a pod-template-hash and revision 1', async () => {
    await client.create(res.deployments, 'default', deployment('web'));
    const d = await rolledOut('web', 3);
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.deepEqual(
      d.status?.conditions?.map((c) => [c.type, c.status, c.reason]),
      [
        ['Available', 'True', 'MinimumReplicasAvailable'],
        ['Progressing', 'True', 'NewReplicaSetAvailable'],
      ],
    );
    const [rs] = await replicaSets('web');
    const hash = rs!.metadata.labels?.['pod-template-hash'];
    assert.ok(hash && rs!.metadata.name === `web-${hash}`);
    assert.equal(rs!.metadata.ownerReferences?.[0]?.kind, 'Deployment');
    for (const p of await pods('web')) {
      assert.equal(p.metadata.labels?.['pod-template-hash'], hash);
      assert.match(p.metadata.name!, new RegExp(`^web-${hash}-[a-z0-9]{5}$`));
    }
  });

  test('scaling up and down, through the scale subresource', async () => {
    await client.json(
      'PATCH',
      '/apis/apps/v1/namespaces/default/deployments/web/scale',
      { spec: { replicas: 5 } },
      'application/merge-patch+json',
    );
    await rolledOut('web', 5);
    await client.json(
      'PATCH',
      '/apis/apps/v1/namespaces/default/deployments/web/scale',
      { spec: { replicas: 2 } },
      'application/merge-patch+json',
    );
    await rolledOut('web', 2);
    assert.equal((await replicaSets('web')).length, 1, 'scaling makes no new ReplicaSet');
  });

  test('a new image rolls out as revision 2 within maxUnavailable; rolling back makes the old ReplicaSet revision 3', async () => {
    await client.patch(res.deployments, 'default', 'web', 'merge', { spec: { replicas: 4 } });
    await rolledOut('web', 4);
    const start = Date.now();
    await client.patch(res.deployments, 'default', 'web', 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } },
    });
    const d = await rolledOut('web', 4);
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    // maxUnavailable 25% of 4 = 1: never fewer than 3 pods serving (the fake kubelet is Ready at once).
    const during = seen.filter((s) => s.app === 'web');
    for (let t = start; t < Date.now(); t += 20) {
      const up = during.filter((s) => s.at <= t && (!s.deleted || s.deleted > t)).length;
      assert.ok(up >= 3, `only ${up} pods up at ${t - start} ms`);
    }
    const rss = await replicaSets('web');
    assert.equal(rss.length, 2);
    const old = rss.find((r) => r.metadata.annotations?.['deployment.kubernetes.io/revision'] === '1')!;
    assert.equal(old.spec.replicas, 0);
    // kubectl rollout undo: the template of the old ReplicaSet, without its hash label.
    const { ['pod-template-hash']: _h, ...labels } = old.spec.template!.metadata!.labels!;
    await client.patch(res.deployments, 'default', 'web', 'json', [
      { op: 'replace', path: '/spec/template', value: { ...old.spec.template, metadata: { labels } } },
    ]);
    const back = await rolledOut('web', 4);
    assert.equal(back.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
    const again = (await replicaSets('web')).find((r) => r.metadata.name === old.metadata.name)!;
    assert.equal(again.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.equal(again.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    for (const p of await pods('web')) assert.equal(imageOf(p), 'nginx');
  });

  test('pause holds a template change; resume rolls it out', async () => {
    await client.patch(res.deployments, 'default', 'web', 'merge', { spec: { paused: true } });
    await client.patch(res.deployments, 'default', 'web', 'strategic', {
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': nowRFC3339() } } } },
    });
    const paused = await eventually('paused condition', async () => {
      const d = await get<Deployment>(res.deployments, 'web');
      const observed = d.status?.observedGeneration === d.metadata.generation;
      return (
        observed && d.status?.conditions?.find((c) => c.type === 'Progressing')?.reason === 'DeploymentPaused' && d
      );
    });
    assert.equal(paused.status?.updatedReplicas, 0, 'the paused template is not rolled out');
    assert.equal((await replicaSets('web')).length, 2, 'no new ReplicaSet while paused');
    await client.patch(res.deployments, 'default', 'web', 'merge', { spec: { paused: false } });
    await rolledOut('web', 4);
    assert.equal((await replicaSets('web')).length, 3);
  });

  test('Recreate: the old pods are gone before a new one starts', async () => {
    await client.create(res.deployments, 'default', deployment('rec', { replicas: 3, strategy: { type: 'Recreate' } }));
    await rolledOut('rec', 3);
    await client.patch(res.deployments, 'default', 'rec', 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } },
    });
    await eventually('recreated', async () => {
      const ps = await pods('rec');
      return ps.length === 3 && ps.every((p) => imageOf(p) === 'nginx:2');
    });
    await rolledOut('rec', 3);
    const olds = seen.filter((s) => s.app === 'rec' && s.image === 'nginx');
    const firstNew = Math.min(...seen.filter((s) => s.app === 'rec' && s.image === 'nginx:2').map((s) => s.at));
    for (const o of olds)
      assert.ok(o.deleted !== undefined && o.deleted <= firstNew, `${o.name} ran alongside a new pod`);
  });

  test('a ReplicaSet adopts a matching orphan and releases a pod whose labels no longer match', async () => {
    await client.create(res.pods, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'stray', labels: { app: 'rs' } },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    await client.create(res.replicaSets, 'default', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'rs' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'rs' } }, template: template('rs') },
    });
    await eventually('stray adopted, one more created', async () => {
      const ps = await pods('rs');
      return (
        ps.length === 2 &&
        ps.every((p) => p.metadata.ownerReferences?.[0]?.name === 'rs') &&
        ps.some((p) => p.metadata.name === 'stray')
      );
    });
    await client.patch(res.pods, 'default', 'stray', 'merge', { metadata: { labels: { app: 'gone' } } });
    await eventually('stray released and replaced', async () => {
      const stray = await get<Pod>(res.pods, 'stray');
      return !stray.metadata.ownerReferences?.length && (await pods('rs')).length === 2;
    });
    await client.delete(res.pods, 'default', 'stray', { gracePeriodSeconds: 0 });
  });

  test('deleting a Deployment in the background leaves nothing; foreground waits for its dependents; orphan keeps them', async () => {
    const names = async (app: string) => [
      ...(await replicaSets(app)).map((r) => r.metadata.name),
      ...(await client.list<Pod>(res.pods, 'default', { labelSelector: `app=${app}` })).items.map(
        (p) => p.metadata.name,
      ),
    ];
    await client.delete(res.deployments, 'default', 'web', { propagationPolicy: 'Background' });
    await eventually('web gone with everything it made', async () => (await names('web')).length === 0);

    await client.delete(res.deployments, 'default', 'rec', { propagationPolicy: 'Foreground' });
    // Already gone (the GC was quick) is a pass too.
    const fg = await get<Deployment>(res.deployments, 'rec').catch(() => undefined);
    assert.ok(!fg || fg.metadata.finalizers?.includes('foregroundDeletion'));
    await eventually('rec gone after its dependents', async () => {
      const left = await names('rec');
      const d = await get(res.deployments, 'rec').catch((e: unknown) =>
        isNotFound(e) ? undefined : Promise.reject(e instanceof Error ? e : new Error(String(e))),
      );
      if (d) assert.ok(left.length > 0 || d.metadata.deletionTimestamp, 'the deployment went before its dependents');
      return !d && left.length === 0;
    });

    await client.create(res.deployments, 'default', deployment('orph', { replicas: 1 }));
    await rolledOut('orph', 1);
    await client.delete(res.deployments, 'default', 'orph', { propagationPolicy: 'Orphan' });
    await eventually('orph gone, its ReplicaSet kept without an owner', async () => {
      const d = await get(res.deployments, 'orph').catch((e: unknown) =>
        isNotFound(e) ? undefined : Promise.reject(e instanceof Error ? e : new Error(String(e))),
      );
      const rss = await replicaSets('orph');
      return !d && rss.length === 1 && !rss[0]!.metadata.ownerReferences?.length;
    });
    const [rs] = await replicaSets('orph');
    await client.delete(res.replicaSets, 'default', rs!.metadata.name!);
    await eventually('its pods collected', async () => (await names('orph')).length === 0);
  });

  test('a DaemonSet runs one pod per node, on nodes that join later too, and rolls a new template node by node', async () => {
    await client.create(res.daemonSets, 'default', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'ds' },
      spec: { selector: { matchLabels: { app: 'ds' } }, template: template('ds') },
    });
    const onNodes = async () => (await pods('ds')).map((p) => p.spec?.nodeName).sort();
    await eventually('a pod on n1 and n2', async () => JSON.stringify(await onNodes()) === '["n1","n2"]');
    await client.create(res.nodes, undefined, node('n3'));
    await eventually('and on n3', async () => JSON.stringify(await onNodes()) === '["n1","n2","n3"]');
    const ds = await eventually('status', async () => {
      const d = await get<KObject & { status?: Record<string, number> }>(res.daemonSets, 'ds');
      return d.status?.['numberAvailable'] === 3 && d.status['desiredNumberScheduled'] === 3 && d;
    });
    assert.equal(ds.status?.['updatedNumberScheduled'], 3);
    const revisions = await client.list(res.controllerRevisions, 'default');
    assert.equal(revisions.items.filter((r) => r.metadata.ownerReferences?.[0]?.name === 'ds').length, 1);
    await client.patch(res.daemonSets, 'default', 'ds', 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } },
    });
    await eventually('all three updated', async () => {
      const ps = await pods('ds');
      return ps.length === 3 && ps.every((p) => imageOf(p) === 'nginx:2');
    });
    const crs = (await client.list<KObject & { revision: number }>(res.controllerRevisions, 'default')).items.filter(
      (r) => r.metadata.ownerReferences?.[0]?.name === 'ds',
    );
    assert.deepEqual(crs.map((r) => r.revision).sort(), [1, 2]);
    await client.delete(res.nodes, undefined, 'n3');
  });

  test('a StatefulSet makes web-0, web-1, web-2 in order with stable hostnames, and scales down from the top', async () => {
    await client.create(res.statefulSets, 'default', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: { replicas: 3, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template('db') },
    });
    // The fake kubelet records a pod when it starts it, which may be after the pod exists.
    await eventually('three pods started', async () => seen.filter((s) => s.app === 'db').length === 3);
    const order = seen.filter((s) => s.app === 'db').map((s) => s.name);
    assert.deepEqual(order, ['db-0', 'db-1', 'db-2']);
    const p1 = await get<Pod>(res.pods, 'db-1');
    assert.equal(p1.spec?.hostname, 'db-1');
    assert.equal(p1.spec?.subdomain, 'db');
    assert.equal(p1.metadata.labels?.['statefulset.kubernetes.io/pod-name'], 'db-1');
    await client.patch(res.statefulSets, 'default', 'db', 'merge', { spec: { replicas: 1 } });
    await eventually(
      'only db-0 left',
      async () => JSON.stringify((await pods('db')).map((p) => p.metadata.name)) === '["db-0"]',
    );
    const gone = seen.filter((s) => s.app === 'db' && s.deleted);
    assert.deepEqual(
      gone.sort((a, b) => a.deleted! - b.deleted!).map((s) => s.name),
      ['db-2', 'db-1'],
    );
    await eventually('status', async () => {
      const s = await get<KObject & { status?: Record<string, unknown> }>(res.statefulSets, 'db');
      return s.status?.['readyReplicas'] === 1 && s.status['currentRevision'] === s.status['updateRevision'];
    });
  });
});
