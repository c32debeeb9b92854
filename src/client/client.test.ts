import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import type { KObject, WatchEvent } from '../api/meta.js';
import { KubeClient } from './client.js';
import { loadKubeconfig } from './kubeconfig.js';
import { resourcePath } from './resource-path.js';
import { FakeApiServer } from './testing/fake-apiserver.js';

const pods = findResource('', 'v1', 'pods')!;
const nodes = findResource('', 'v1', 'nodes')!;
const slices = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
const pod = (name: string, labels: Record<string, string> = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels },
});

describe('resourcePath', () => {
  const cases: [string, string][] = [
    [resourcePath(pods, 'default', 'web'), '/api/v1/namespaces/default/pods/web'],
    [resourcePath(pods, 'default', 'web', 'binding'), '/api/v1/namespaces/default/pods/web/binding'],
    [resourcePath(pods), '/api/v1/pods'],
    [resourcePath(nodes, undefined, 'n1', 'status'), '/api/v1/nodes/n1/status'],
    [resourcePath(slices, 'kube-system'), '/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices'],
    [
      resourcePath({ group: 'apps', version: 'v1', resource: 'deployments', namespaced: true }, 'a b', 'x'),
      '/apis/apps/v1/namespaces/a%20b/deployments/x',
    ],
  ];
  for (const [got, want] of cases) test(want, () => assert.equal(got, want));
});

describe('KubeClient against a fake API server', () => {
  let server: FakeApiServer;
  let client: KubeClient;
  before(async () => {
    server = await FakeApiServer.start();
    client = new KubeClient({ server: server.url, token: 'secret-token' });
  });
  after(async () => {
    client.close();
    await server.close();
  });

  test('create, get, list by label, update with a stale version fails with the Status message', async () => {
    const created = await client.create(pods, 'default', pod('a', { app: 'web' }));
    assert.equal(created.metadata.name, 'a');
    await client.create(pods, 'default', pod('b', { app: 'db' }));
    const got = await client.get(pods, 'default', 'a');
    assert.equal(got.metadata.uid, created.metadata.uid);
    const list = await client.list(pods, 'default', { labelSelector: 'app=web' });
    assert.deepEqual(
      list.items.map((p) => p.metadata.name),
      ['a'],
    );
    await client.update(pods, 'default', { ...got, spec: { x: 1 } });
    await assert.rejects(client.update(pods, 'default', got), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 409);
      assert.equal(e.reason, 'Conflict');
      assert.match(e.message, /the object has been modified/);
      return true;
    });
    const last = server.requests.at(-1)!;
    assert.equal(last.method, 'PUT');
    assert.equal(last.path, '/api/v1/namespaces/default/pods/a');
  });

  test('a missing object is a 404 ApiError with the server message', async () => {
    await assert.rejects(
      client.get(pods, 'default', 'nope'),
      (e: unknown) => e instanceof ApiError && e.code === 404 && e.message === 'pods "nope" not found',
    );
  });

  test('patch sends the content type of its kind and apply sends fieldManager and force', async () => {
    await client.patch(pods, 'default', 'a', 'merge', { metadata: { labels: { tier: 'x' } } });
    assert.equal(server.requests.at(-1)!.contentType, 'application/merge-patch+json');
    assert.equal((await client.get(pods, 'default', 'a')).metadata.labels?.tier, 'x');
    await client.patch(
      pods,
      'default',
      'a',
      'apply',
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' } },
      { fieldManager: 'me', force: true },
    );
    const r = server.requests.at(-1)!;
    assert.equal(r.contentType, 'application/apply-patch+yaml');
    assert.equal(r.path, '/api/v1/namespaces/default/pods/a?fieldManager=me&force=true');
    await client.patch(pods, 'default', 'a', 'strategic', {}, { subresource: 'status' });
    assert.equal(server.requests.at(-1)!.path, '/api/v1/namespaces/default/pods/a/status');
    assert.equal(server.requests.at(-1)!.contentType, 'application/strategic-merge-patch+json');
  });

  test('delete sends DeleteOptions', async () => {
    await client.delete(pods, 'default', 'b', {
      gracePeriodSeconds: 0,
      propagationPolicy: 'Background',
      preconditions: { uid: 'u1' },
    });
    const r = server.requests.at(-1)!;
    assert.equal(r.method, 'DELETE');
    assert.deepEqual(r.body, {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      propagationPolicy: 'Background',
      preconditions: { uid: 'u1' },
    });
    assert.equal(server.getObject('v1', 'pods', 'default', 'b'), undefined);
  });

  test('watch streams events from a resourceVersion and surfaces ERROR with its Status', async () => {
    const rv = (await client.list(pods, 'default')).metadata.resourceVersion!;
    const stream = await client.watch(pods, 'default', { resourceVersion: rv, allowWatchBookmarks: true });
    server.put('v1', 'pods', pod('c'));
    server.remove('v1', 'pods', 'default', 'c');
    server.bookmark();
    const seen: WatchEvent[] = [];
    for await (const ev of stream) {
      seen.push(ev);
      if (seen.length === 3) break;
    }
    stream.close();
    assert.deepEqual(
      seen.map((e) => `${e.type} ${e.object.metadata.name ?? ''}`),
      ['ADDED c', 'DELETED c', 'BOOKMARK '],
    );

    server.compact();
    const old = await client.watch(pods, 'default', { resourceVersion: rv });
    const events: WatchEvent[] = [];
    for await (const ev of old) events.push(ev);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, 'ERROR');
    assert.equal((events[0]!.object as unknown as { code: number }).code, 410);
  });

  test('the bearer token is sent', async () => {
    const seen: string[] = [];
    const { createServer } = await import('node:http');
    const s = createServer((req, res) => {
      seen.push(String(req.headers.authorization));
      res.end('{"kind":"NodeList","apiVersion":"v1","metadata":{},"items":[]}');
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const c = new KubeClient({ server: `http://127.0.0.1:${(s.address() as { port: number }).port}`, token: 't0k' });
    await c.list(nodes);
    c.close();
    s.close();
    assert.deepEqual(seen, ['Bearer t0k']);
  });
});

test('loadKubeconfig reads server, inline CA and token of the current context', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-kubeconfig-'));
  try {
    const path = join(dir, 'config');
    writeFileSync(join(dir, 'token'), 'from-file\n');
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: b',
        'clusters:',
        `- name: c1\n  cluster:\n    server: https://10.0.0.1:6443/\n    certificate-authority-data: ${Buffer.from('PEM!').toString('base64')}`,
        'users:',
        '- name: u1\n  user:\n    token: abc',
        '- name: u2\n  user:\n    tokenFile: token',
        'contexts:',
        '- name: a\n  context:\n    cluster: c1\n    user: u1',
        '- name: b\n  context:\n    cluster: c1\n    user: u2',
      ].join('\n'),
    );
    assert.deepEqual(loadKubeconfig(path), { server: 'https://10.0.0.1:6443', caCertPem: 'PEM!', token: 'from-file' });
    assert.deepEqual(loadKubeconfig(path, 'a'), { server: 'https://10.0.0.1:6443', caCertPem: 'PEM!', token: 'abc' });
    assert.throws(() => loadKubeconfig(path, 'zzz'), /context "zzz" not found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
