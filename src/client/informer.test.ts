import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.js';
import { findResource } from '../api/resources.js';
import { KubeClient } from './client.js';
import { Informer } from './informer.js';
import { FakeApiServer } from './testing/fake-apiserver.js';

const pods = findResource('', 'v1', 'pods')!;
const pod = (name: string, node = '', extra: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { nodeName: node },
  ...extra,
});

/** Waits until cond() holds, polling; fails with what was last seen. */
async function eventually(cond: () => boolean, what: () => unknown): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`condition not met; last seen: ${JSON.stringify(what())}`);
}

describe('Informer', () => {
  let server: FakeApiServer;
  let client: KubeClient;
  let informer: Informer;
  let log: string[];
  beforeEach(async () => {
    server = await FakeApiServer.start();
    client = new KubeClient({ server: server.url });
    log = [];
    informer = new Informer(client, pods, {
      indexers: { node: (p) => [String((p.spec as { nodeName?: string }).nodeName ?? '')] },
      minBackoffMs: 5,
      maxBackoffMs: 20,
    });
    informer.addHandlers({
      onAdd: (o) => log.push(`add ${o.metadata.name}`),
      onUpdate: (a, b) =>
        log.push(`update ${a.metadata.name} ${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`),
      onDelete: (o) => log.push(`delete ${o.metadata.name}`),
    });
  });
  afterEach(async () => {
    await informer.stop();
    client.close();
    await server.close();
  });

  test('lists, syncs, then follows the watch; the node index tracks changes', async () => {
    server.put('v1', 'pods', pod('a', 'n1'));
    informer.start();
    await informer.waitForSync();
    assert.ok(informer.hasSynced());
    assert.deepEqual(log, ['add a']);
    await eventually(
      () => server.openWatches === 1,
      () => server.openWatches,
    );
    server.put('v1', 'pods', pod('b', 'n1'));
    server.put('v1', 'pods', pod('a', 'n2'));
    await eventually(
      () => log.length === 3,
      () => log,
    );
    assert.deepEqual(
      informer.byIndex('node', 'n1').map((p) => p.metadata.name),
      ['b'],
    );
    assert.deepEqual(
      informer.byIndex('node', 'n2').map((p) => p.metadata.name),
      ['a'],
    );
    server.remove('v1', 'pods', 'default', 'b');
    await eventually(
      () => log.at(-1) === 'delete b',
      () => log,
    );
    assert.equal(informer.getByName('default', 'b'), undefined);
    assert.deepEqual(informer.byIndex('node', 'n1'), []);
  });

  test('after 410 Expired it relists and reports the deletion it missed', async () => {
    server.put('v1', 'pods', pod('a'));
    server.put('v1', 'pods', pod('b'));
    informer.start();
    await informer.waitForSync();
    await eventually(
      () => server.openWatches === 1,
      () => server.openWatches,
    );
    server.dropWatches();
    // while disconnected: b is deleted, c added, and history is compacted
    server.remove('v1', 'pods', 'default', 'b');
    server.put('v1', 'pods', pod('c'));
    server.compact();
    await eventually(
      () => log.includes('delete b') && log.includes('add c'),
      () => log,
    );
    assert.deepEqual(informer.keys().sort(), ['default/a', 'default/c']);
    assert.ok(!log.some((l) => l.startsWith('update a')), 'unchanged objects are not reported again');
  });

  test('after a dropped connection it resumes from the last version without repeating events', async () => {
    informer.start();
    await informer.waitForSync();
    await eventually(
      () => server.openWatches === 1,
      () => server.openWatches,
    );
    server.put('v1', 'pods', pod('a'));
    await eventually(
      () => log.length === 1,
      () => log,
    );
    server.dropWatches();
    server.put('v1', 'pods', pod('b'));
    await eventually(
      () => log.length === 2,
      () => log,
    );
    assert.deepEqual(log, ['add a', 'add b']);
    const watches = server.requests.filter((r) => r.path.includes('watch=true'));
    assert.ok(watches.length >= 2);
    assert.match(watches.at(-1)!.path, /allowWatchBookmarks=true/);
  });

  test('a server error on list is retried with backoff', async () => {
    server.failNext.push(500, 500);
    server.put('v1', 'pods', pod('a'));
    informer.start();
    await informer.waitForSync();
    assert.deepEqual(log, ['add a']);
  });
});

test('transform: listed and watched objects are cached and handed out transformed', async () => {
  const server = await FakeApiServer.start();
  const client = new KubeClient({ server: server.url });
  // Keep only the name, namespace, uid and resourceVersion, plus a marker.
  const slim = (o: KObject): KObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      labels: { slim: 'yes' },
    },
  });
  const informer = new Informer(client, pods, { transform: slim, pageSize: 100, minBackoffMs: 5, maxBackoffMs: 20 });
  const seen: KObject[] = [];
  informer.addHandlers({ onAdd: (o) => seen.push(o), onUpdate: (_a, b) => seen.push(b) });
  try {
    server.put('v1', 'pods', pod('listed', 'n1'));
    informer.start();
    await informer.waitForSync();
    server.put('v1', 'pods', pod('watched', 'n2'));
    await eventually(
      () => seen.length === 2,
      () => seen,
    );
    for (const o of [...seen, ...informer.list()]) {
      assert.equal(o.metadata.labels?.slim, 'yes', o.metadata.name);
      assert.equal((o as { spec?: unknown }).spec, undefined, 'fields the transform drops are gone');
    }
    assert.deepEqual(
      informer
        .list()
        .map((o) => o.metadata.name)
        .sort(),
      ['listed', 'watched'],
    );
  } finally {
    await informer.stop();
    client.close();
    await server.close();
  }
});
