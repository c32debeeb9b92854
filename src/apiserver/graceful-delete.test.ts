/**
 * Graceful deletion through a real in-process API server: updates to a
 * terminating object (a node agent's status during a pod's grace period)
 * keep it; it goes when the grace period is cut to 0, or when an update
 * removes its last finalizer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import { testApiServer } from '../testing/apiserver.js';

const pods = findResource('', 'v1', 'pods')!;
const configMaps = findResource('', 'v1', 'configmaps')!;

const gone = (p: Promise<unknown>) =>
  p.then(
    () => false,
    (e: unknown) => {
      if (e instanceof ApiError && e.code === 404) return true;
      throw e;
    },
  );

test("a status update during a pod's grace period keeps the pod; grace 0 deletes it; removing the last finalizer deletes", async (t) => {
  const { client } = await testApiServer(t);

  await client.create(pods, 'default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] },
  });
  await client.delete(pods, 'default', 'p');
  const terminating = await client.get(pods, 'default', 'p');
  assert.ok(terminating.metadata.deletionTimestamp, 'a pod bound to a node is deleted gracefully');
  await client.patch(pods, 'default', 'p', 'merge', { status: { phase: 'Running' } }, { subresource: 'status' });
  assert.equal(
    await gone(client.get(pods, 'default', 'p')),
    false,
    "the agent's status update must not delete the terminating pod",
  );
  await client.delete(pods, 'default', 'p', { gracePeriodSeconds: 0 });
  assert.equal(await gone(client.get(pods, 'default', 'p')), true);

  await client.create(configMaps, 'default', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cm', finalizers: ['example.com/hold'] },
  });
  await client.delete(configMaps, 'default', 'cm');
  await client.patch(configMaps, 'default', 'cm', 'merge', { data: { a: 'b' } });
  assert.equal(await gone(client.get(configMaps, 'default', 'cm')), false, 'still held by its finalizer');
  await client.patch(configMaps, 'default', 'cm', 'merge', { metadata: { finalizers: null } });
  assert.equal(
    await gone(client.get(configMaps, 'default', 'cm')),
    true,
    'the update that removed the last finalizer deletes it',
  );
});

test('a delete that removes a pod answers with the Pod, as kube does; other kinds answer with a Status', async (t) => {
  const { client } = await testApiServer(t, { controllers: false });
  await client.create(pods, 'default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'unbound' },
    spec: { containers: [{ name: 'c', image: 'x' }] },
  });
  const podReply = await client.delete(pods, 'default', 'unbound');
  assert.equal(podReply.kind, 'Pod');
  assert.equal((podReply as { metadata: { name: string } }).metadata.name, 'unbound');
  await client.create(configMaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
  const cmReply = await client.delete(configMaps, 'default', 'cm');
  assert.deepEqual([cmReply.kind, (cmReply as { status?: string }).status], ['Status', 'Success']);
});
