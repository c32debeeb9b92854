/**
 * The official JavaScript client (@kubernetes/client-node) against podnet's
 * API server, written the way that client's README and examples use it:
 * KubeConfig.loadFromFile, the generated CoreV1Api/AppsV1Api with object
 * parameters, patches chosen by setHeaderOptions('Content-Type', ...),
 * KubernetesObjectApi for server-side apply, Watch and makeInformer, and
 * ApiException for errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  makeInformer,
  setHeaderOptions,
  type KubernetesObject,
  type V1ConfigMap,
  type V1Deployment,
  type V1Pod,
  type V1Service,
} from '@kubernetes/client-node';
import { Cluster, eventually, uniqueName } from './harness.js';
import { needs, type Requirement } from '../testing/requirements.js';

/** The client is a devDependency: a production install (npm ci --omit=dev) lacks it. */
const jsClient: Requirement = {
  ok: () => {
    try {
      import.meta.resolve('@kubernetes/client-node');
      return true;
    } catch {
      return false;
    }
  },
  missing: 'needs the devDependency @kubernetes/client-node: run npm ci (without --omit=dev)',
};

let cluster: Cluster;
let kc: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;
let objects: KubernetesObjectApi;
const skip = needs(jsClient);
const ns = uniqueName('jsclient');

before(async () => {
  if (skip) return;
  cluster = await Cluster.start();
  kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  objects = KubernetesObjectApi.makeApiClient(kc);
  await core.createNamespace({ body: { metadata: { name: ns } } });
});
after(async () => {
  await cluster?.close();
});

/** The ApiException a call rejected with, and its body as kube's Status. */
async function apiError(call: Promise<unknown>): Promise<{ code: number; status: any }> {
  try {
    await call;
  } catch (e) {
    assert.ok(e instanceof ApiException, `expected an ApiException, got ${String(e)}`);
    const body = (e as ApiException<unknown>).body;
    return { code: (e as ApiException<unknown>).code, status: typeof body === 'string' ? JSON.parse(body) : body };
  }
  assert.fail('expected the call to fail');
}

function configMap(name: string, data: Record<string, string>, labels?: Record<string, string>): V1ConfigMap {
  return { metadata: { name, namespace: ns, ...(labels ? { labels } : {}) }, data };
}

function pod(name: string, labels: Record<string, string> = {}): V1Pod {
  return {
    metadata: { name, namespace: ns, labels },
    spec: { containers: [{ name: 'web', image: 'podnet/agnhost', args: ['netexec'] }], nodeName: 'no-such-node' },
  };
}

describe('integration: @kubernetes/client-node CRUD', { skip, timeout: 120_000 }, () => {
  test('namespaces: create, read, list, delete', async () => {
    const name = uniqueName('jsns');
    const created = await core.createNamespace({ body: { metadata: { name, labels: { team: 'js' } } } });
    assert.equal(created.metadata?.name, name);
    assert.equal((await core.readNamespace({ name })).status?.phase, 'Active');
    const listed = await core.listNamespace({ labelSelector: 'team=js' });
    assert.deepEqual(
      listed.items.map((n) => n.metadata?.name),
      [name],
    );
    await core.deleteNamespace({ name });
    await eventually('the namespace is gone', async () => {
      const e = await apiError(core.readNamespace({ name }));
      return e.code === 404 ? true : undefined;
    });
  });

  test('configmaps: create, read, replace, every patch type, delete', async () => {
    const name = uniqueName('cm');
    await core.createNamespacedConfigMap({ namespace: ns, body: configMap(name, { a: '1' }) });
    const read = await core.readNamespacedConfigMap({ name, namespace: ns });
    assert.deepEqual(read.data, { a: '1' });

    read.data = { a: '2', b: 'x' };
    const replaced = await core.replaceNamespacedConfigMap({ name, namespace: ns, body: read });
    assert.deepEqual(replaced.data, { a: '2', b: 'x' });
    assert.notEqual(replaced.metadata?.resourceVersion, read.metadata?.resourceVersion);

    const merged = await core.patchNamespacedConfigMap(
      { name, namespace: ns, body: { data: { b: null, c: 'merge' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.deepEqual(merged.data, { a: '2', c: 'merge' });

    const strategic = await core.patchNamespacedConfigMap(
      { name, namespace: ns, body: { metadata: { labels: { via: 'smp' } }, data: { d: 'smp' } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    assert.deepEqual(strategic.data, { a: '2', c: 'merge', d: 'smp' });
    assert.equal(strategic.metadata?.labels?.['via'], 'smp');

    const json = await core.patchNamespacedConfigMap(
      {
        name,
        namespace: ns,
        body: [
          { op: 'replace', path: '/data/a', value: '3' },
          { op: 'remove', path: '/data/c' },
          { op: 'add', path: '/data/e', value: 'json' },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    assert.deepEqual(json.data, { a: '3', d: 'smp', e: 'json' });

    const status = await core.deleteNamespacedConfigMap({ name, namespace: ns });
    // kube answers the delete of an object without graceful deletion with a Success Status.
    assert.equal(status.status, 'Success');
    assert.equal(status.details?.name, name);
    assert.equal((await apiError(core.readNamespacedConfigMap({ name, namespace: ns }))).code, 404);
  });

  test('server-side apply through KubernetesObjectApi, with a conflict and force', async () => {
    const name = uniqueName('ssa');
    const spec = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: ns },
      data: { owner: 'first' },
    } as KubernetesObject & { data: Record<string, string> };
    const applied = await objects.patch(spec, undefined, undefined, 'first', undefined, PatchStrategy.ServerSideApply);
    assert.deepEqual(applied.data, { owner: 'first' });
    const managers = applied.metadata?.managedFields?.map((f) => `${f.manager}/${f.operation}`);
    assert.deepEqual(managers, ['first/Apply']);

    const other = { ...spec, data: { owner: 'second' } };
    const conflict = await apiError(
      objects.patch(other, undefined, undefined, 'second', undefined, PatchStrategy.ServerSideApply),
    );
    assert.equal(conflict.code, 409);
    assert.equal(conflict.status.reason, 'Conflict');
    assert.match(conflict.status.message, /conflict with "first"/);

    const forced = await objects.patch(other, undefined, undefined, 'second', true, PatchStrategy.ServerSideApply);
    assert.deepEqual((forced as typeof spec).data, { owner: 'second' });
    const read = await objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns } });
    assert.deepEqual((read as typeof spec).data, { owner: 'second' });
    await objects.delete(read);
  });

  test('pods: create, list by label and field selector, patch labels, delete', async () => {
    const a = uniqueName('pa'),
      b = uniqueName('pb');
    await core.createNamespacedPod({ namespace: ns, body: pod(a, { app: 'sel', tier: 'front' }) });
    await core.createNamespacedPod({ namespace: ns, body: pod(b, { app: 'sel', tier: 'back' }) });

    const byLabel = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=sel,tier in (front)' });
    assert.deepEqual(
      byLabel.items.map((p) => p.metadata?.name),
      [a],
    );
    const byField = await core.listNamespacedPod({ namespace: ns, fieldSelector: `metadata.name=${b}` });
    assert.deepEqual(
      byField.items.map((p) => p.metadata?.name),
      [b],
    );
    const byNode = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=no-such-node' });
    assert.deepEqual(byNode.items.map((p) => p.metadata?.name).sort(), [a, b].sort());

    const patched = await core.patchNamespacedPod(
      { name: b, namespace: ns, body: { metadata: { labels: { tier: 'front' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    assert.equal(patched.metadata?.labels?.['tier'], 'front');
    const front = await core.listNamespacedPod({ namespace: ns, labelSelector: 'tier=front' });
    assert.deepEqual(front.items.map((p) => p.metadata?.name).sort(), [a, b].sort());

    const deleted = await core.deleteNamespacedPod({ name: a, namespace: ns, gracePeriodSeconds: 0 });
    assert.equal(deleted.metadata?.name, a);
    await core.deleteNamespacedPod({ name: b, namespace: ns, gracePeriodSeconds: 0 });
    await eventually('both pods are gone', async () => {
      const left = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=sel' });
      return left.items.length === 0 ? true : undefined;
    });
  });

  test('services: create allocates a ClusterIP; a strategic patch merges ports by key', async () => {
    const name = uniqueName('svc');
    const body: V1Service = {
      metadata: { name, namespace: ns },
      spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    };
    const created = await core.createNamespacedService({ namespace: ns, body });
    assert.match(created.spec?.clusterIP ?? '', /^10\.\d+\.\d+\.\d+$/);
    assert.equal(created.spec?.ports?.[0]?.protocol, 'TCP');

    const patched = await core.patchNamespacedService(
      { name, namespace: ns, body: { spec: { ports: [{ name: 'metrics', port: 9090 }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    assert.deepEqual(patched.spec?.ports?.map((p) => `${p.name}:${p.port}`).sort(), ['http:80', 'metrics:9090']);
    assert.equal(patched.spec?.clusterIP, created.spec?.clusterIP);
    await core.deleteNamespacedService({ name, namespace: ns });
  });

  test('deployments: create, scale by patch, replace, read the scale subresource, delete', async () => {
    const name = uniqueName('dep');
    const body: V1Deployment = {
      metadata: { name, namespace: ns },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'web', image: 'podnet/agnhost', args: ['netexec'] }] },
        },
      },
    };
    const created = await apps.createNamespacedDeployment({ namespace: ns, body });
    assert.equal(created.spec?.strategy?.type, 'RollingUpdate');

    await apps.patchNamespacedDeployment(
      { name, namespace: ns, body: { spec: { replicas: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const scale = await apps.readNamespacedDeploymentScale({ name, namespace: ns });
    assert.equal(scale.spec?.replicas, 3);

    // The controller writes status meanwhile: read-modify-replace retries on a conflict, as clients do.
    const replaced = await eventually('a replace without conflict', async () => {
      const current = await apps.readNamespacedDeployment({ name, namespace: ns });
      current.spec!.template.metadata!.annotations = { revision: 'two' };
      return apps.replaceNamespacedDeployment({ name, namespace: ns, body: current });
    });
    assert.equal(replaced.spec?.template.metadata?.annotations?.['revision'], 'two');
    assert.ok((replaced.metadata?.generation ?? 0) >= 3, `generation ${replaced.metadata?.generation}`);

    await apps.deleteNamespacedDeployment({ name, namespace: ns, propagationPolicy: 'Foreground' });
    await eventually('the deployment is gone', async () => {
      const e = await apiError(apps.readNamespacedDeployment({ name, namespace: ns }));
      return e.code === 404 ? true : undefined;
    });
  });
});

describe('integration: @kubernetes/client-node lists, watches and informers', { skip, timeout: 120_000 }, () => {
  test('limit and continue page through a list', async () => {
    const label = uniqueName('page');
    const names = Array.from({ length: 7 }, (_, i) => `${label}-${i}`);
    for (const name of names) {
      await core.createNamespacedConfigMap({ namespace: ns, body: configMap(name, { i: name }, { page: label }) });
    }
    const seen: string[] = [];
    let pages = 0;
    let cont: string | undefined;
    do {
      const page = await core.listNamespacedConfigMap({
        namespace: ns,
        labelSelector: `page=${label}`,
        limit: 3,
        _continue: cont,
      });
      pages += 1;
      assert.ok(page.items.length <= 3);
      seen.push(...page.items.map((c) => c.metadata!.name!));
      cont = page.metadata?._continue || undefined;
      // kube leaves remainingItemCount unset when a selector makes the count unknown.
      assert.equal(page.metadata?.remainingItemCount, undefined);
    } while (cont);
    assert.equal(pages, 3);
    assert.deepEqual(seen.sort(), names.sort());
    await core.deleteCollectionNamespacedConfigMap({ namespace: ns, labelSelector: `page=${label}` });
    const left = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: `page=${label}` });
    assert.equal(left.items.length, 0);
  });

  test('Watch from a resourceVersion sees ADDED, MODIFIED and DELETED in order', async () => {
    const label = uniqueName('watch');
    const list = await core.listNamespacedConfigMap({ namespace: ns });
    const events: string[] = [];
    let ended: unknown = 'still open';
    const controller = await new Watch(kc).watch(
      `/api/v1/namespaces/${ns}/configmaps`,
      { resourceVersion: list.metadata?.resourceVersion, labelSelector: `w=${label}`, allowWatchBookmarks: true },
      (phase, obj: V1ConfigMap) => {
        if (phase !== 'BOOKMARK') events.push(`${phase} ${obj.metadata?.name} ${JSON.stringify(obj.data ?? {})}`);
      },
      (err) => (ended = err),
    );
    try {
      const name = uniqueName('wcm');
      await core.createNamespacedConfigMap({ namespace: ns, body: configMap(name, { v: '1' }, { w: label }) });
      await core.patchNamespacedConfigMap(
        { name, namespace: ns, body: { data: { v: '2' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await core.deleteNamespacedConfigMap({ name, namespace: ns });
      await eventually('three events', async () => (events.length >= 3 ? true : undefined));
      assert.deepEqual(events, [`ADDED ${name} {"v":"1"}`, `MODIFIED ${name} {"v":"2"}`, `DELETED ${name} {"v":"2"}`]);
      assert.equal(ended, 'still open');
    } finally {
      controller.abort();
    }
  });

  test('Watch from a future resourceVersion ends with 504 Timeout', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: ns });
    const future = String(Number(list.metadata!.resourceVersion) + 1_000_000);
    const ended = await new Promise<unknown>((resolve) => {
      void new Watch(kc)
        .watch(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: future }, () => undefined, resolve)
        .catch(resolve);
    });
    // kube waits a few seconds for the store to catch up, then answers 504 "Too large resource version".
    assert.equal((ended as { statusCode?: number }).statusCode, 504);
  });

  test('makeInformer keeps a cache and reports add, update and delete', async () => {
    const label = uniqueName('inf');
    const before = configMap(`${label}-old`, { v: '0' }, { inf: label });
    await core.createNamespacedConfigMap({ namespace: ns, body: before });
    const informer = makeInformer<V1ConfigMap>(
      kc,
      `/api/v1/namespaces/${ns}/configmaps`,
      () => core.listNamespacedConfigMap({ namespace: ns, labelSelector: `inf=${label}` }),
      `inf=${label}`,
    );
    const seen: string[] = [];
    const errors: unknown[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata?.name} ${o.data?.['v']}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    try {
      assert.deepEqual(
        informer.list(ns).map((o) => o.metadata?.name),
        [`${label}-old`],
      );
      const name = `${label}-new`;
      await core.createNamespacedConfigMap({ namespace: ns, body: configMap(name, { v: '1' }, { inf: label }) });
      await core.replaceNamespacedConfigMap({
        name,
        namespace: ns,
        body: configMap(name, { v: '2' }, { inf: label }),
      });
      await core.deleteNamespacedConfigMap({ name: before.metadata!.name!, namespace: ns });
      await eventually('the informer caught up', async () =>
        informer.get(name, ns)?.data?.['v'] === '2' && !informer.get(before.metadata!.name!, ns) ? true : undefined,
      );
      assert.deepEqual(seen, [`add ${label}-old`, `add ${name}`, `update ${name} 2`, `delete ${label}-old`]);
      assert.deepEqual(errors, []);
    } finally {
      await informer.stop();
    }
  });
});

describe('integration: @kubernetes/client-node errors', { skip, timeout: 60_000 }, () => {
  test('404 NotFound', async () => {
    const name = uniqueName('missing');
    const e = await apiError(core.readNamespacedConfigMap({ name, namespace: ns }));
    assert.equal(e.code, 404);
    assert.equal(e.status.kind, 'Status');
    assert.equal(e.status.reason, 'NotFound');
    assert.equal(e.status.message, `configmaps "${name}" not found`);
    assert.deepEqual(e.status.details, { name, kind: 'configmaps' });
  });

  test('409 AlreadyExists and 409 Conflict on a stale replace', async () => {
    const name = uniqueName('dup');
    const created = await core.createNamespacedConfigMap({ namespace: ns, body: configMap(name, { a: '1' }) });
    const dup = await apiError(core.createNamespacedConfigMap({ namespace: ns, body: configMap(name, { a: '1' }) }));
    assert.equal(dup.code, 409);
    assert.equal(dup.status.reason, 'AlreadyExists');
    assert.equal(dup.status.message, `configmaps "${name}" already exists`);

    await core.replaceNamespacedConfigMap({ name, namespace: ns, body: { ...created, data: { a: '2' } } });
    const stale = await apiError(
      core.replaceNamespacedConfigMap({ name, namespace: ns, body: { ...created, data: { a: '3' } } }),
    );
    assert.equal(stale.code, 409);
    assert.equal(stale.status.reason, 'Conflict');
    assert.match(stale.status.message, /the object has been modified; please apply your changes to the latest version/);
  });

  test('422 Invalid with causes', async () => {
    const name = uniqueName('bad');
    const e = await apiError(
      core.createNamespacedService({
        namespace: ns,
        body: { metadata: { name }, spec: { ports: [{ port: 70000 }] } },
      }),
    );
    assert.equal(e.code, 422);
    assert.equal(e.status.reason, 'Invalid');
    assert.equal(e.status.details.kind, 'Service');
    assert.ok(
      e.status.details.causes.some((c: { field: string }) => c.field === 'spec.ports[0].port'),
      JSON.stringify(e.status.details.causes),
    );
  });

  test('a name that differs from the URL is 400 BadRequest', async () => {
    const e = await apiError(
      core.replaceNamespacedConfigMap({ name: uniqueName('url'), namespace: ns, body: configMap('other', {}) }),
    );
    assert.equal(e.code, 400);
    assert.equal(e.status.reason, 'BadRequest');
  });
});
