import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findResource } from '../api/resources.js';
import { KubeClient } from './client.js';
import { mayFailOver, serverList } from './failover.js';
import { FakeApiServer } from './testing/fake-apiserver.js';

const err = (code?: string) => Object.assign(new Error('x'), code ? { code } : {});

test('mayFailOver: anything that never reached a server; after that only reads', () => {
  const table: [string, Error | undefined, boolean][] = [
    ['POST', err('ECONNREFUSED'), true],
    ['PATCH', err('EHOSTUNREACH'), true],
    ['DELETE', err('ENETUNREACH'), true],
    ['POST', err('ECONNRESET'), false], // the server may have committed it
    ['PUT', err('EPIPE'), false],
    ['POST', err(), false], // our own request timeout
    ['GET', err('ECONNRESET'), true],
    ['GET', err(), true],
    ['HEAD', undefined, true],
  ];
  for (const [method, cause, want] of table)
    assert.equal(mayFailOver(method, cause), want, `${method} ${(cause as { code?: string })?.code ?? 'no code'}`);
});

test('serverList: the configured server first, each once, no trailing slash', () => {
  assert.deepEqual(serverList('https://a:6443/'), ['https://a:6443']);
  assert.deepEqual(serverList('https://b:6444', ['https://a:6443/', 'https://b:6444', 'https://c:6445']), [
    'https://b:6444',
    'https://a:6443',
    'https://c:6445',
  ]);
});

test('a client given several servers moves on from one that is gone, and stays on the one that answers', async (t) => {
  const pods = findResource('', 'v1', 'pods')!;
  const gone = await FakeApiServer.start();
  const live = await FakeApiServer.start();
  const client = new KubeClient({ server: gone.url, servers: [gone.url, live.url] });
  t.after(async () => {
    client.close();
    await live.close();
  });
  await gone.close();
  live.put('v1', 'pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'default' } });
  const list = await client.list(pods, 'default');
  assert.deepEqual(
    list.items.map((p) => p.metadata.name),
    ['a'],
  );
  assert.equal(client.activeServer, live.url);
  // A write whose connection was refused never reached a server: it goes to the next one too.
  const other = new KubeClient({ server: gone.url, servers: [live.url] });
  t.after(() => other.close());
  await other.create(pods, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'default' } });
  assert.ok(live.getObject('v1', 'pods', 'default', 'b'));
  assert.equal(other.activeServer, live.url);
});

test('a client with one server reports it unreachable as before', async () => {
  const gone = await FakeApiServer.start();
  await gone.close();
  const client = new KubeClient({ server: gone.url });
  await assert.rejects(client.raw('GET', '/version'), /cannot reach the API server at http:\/\/127\.0\.0\.1:\d+: /);
  client.close();
});
