/**
 * Creates check their namespace against a watch-fed cache: once the cache
 * has seen a namespace, a create in it reads nothing but its own key; an
 * unknown namespace is still 404, and a namespace this server just
 * deleted refuses new content at once (403 NamespaceTerminating), before
 * the watch reports the deletion.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { ApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import type { KeyValue } from '../store/store.js';
import { testApiServer } from '../testing/apiserver.js';

const configMaps = findResource('', 'v1', 'configmaps')!;
const namespaces = findResource('', 'v1', 'namespaces')!;

test('creates check their namespace in the cache; unknown is 404, just deleted is 403', async (t) => {
  const { server, client } = await testApiServer(t, { controllers: false });
  const ns = `nscache-${process.pid}`;
  const reads: string[] = [];
  const store = server.store;
  const get = store.get.bind(store);
  store.get = (key: string): Promise<KeyValue | undefined> => {
    reads.push(key);
    return get(key);
  };
  t.after(() => {
    store.get = get;
  });
  const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });

  await client.create(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  // Until the watch has delivered the namespace a create reads it; afterwards it does not.
  let cachedAfter = -1;
  for (let i = 0; i < 200 && cachedAfter < 0; i++) {
    reads.length = 0;
    await client.create(configMaps, ns, cm(`cm-${i}`));
    if (!reads.includes(`/registry/namespaces/${ns}`)) cachedAfter = i;
    else await sleep(10);
  }
  assert.ok(cachedAfter >= 0, 'a create stopped reading its namespace once the watch had seen it');

  await assert.rejects(
    client.create(configMaps, `${ns}-missing`, cm('x')),
    (e: unknown) => e instanceof ApiError && e.code === 404,
  );

  // Without controllers the namespace stays terminating (its finalizer is the namespace controller's).
  await client.delete(namespaces, undefined, ns);
  await assert.rejects(
    client.create(configMaps, ns, cm('after-delete')),
    (e: unknown) => e instanceof ApiError && e.code === 403 && /being terminated/.test(e.message),
  );
});
