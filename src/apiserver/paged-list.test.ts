/**
 * Paged lists through a real in-process API server: following `continue`
 * returns every object once, in order, as of the first page's revision;
 * remainingItemCount counts down to the last page; and only the first page
 * counts the rest in the store (the count walks every key after the page,
 * so counting on every page made paging through N objects O(N²)).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findResource } from '../api/resources.js';
import { KubeClient } from '../client/client.js';
import type { ListOptions, Store } from '../store/store.js';
import { startApiServer } from './server.js';

const configMaps = findResource('', 'v1', 'configmaps')!;

test('paging 25 ConfigMaps by 10: every one once, remainingItemCount 15, 5, then none; the rest counted once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-paged-'));
  /* eslint-disable prefer-const -- the after hook reads these even when the start failed; as consts it would hit the TDZ */
  let server: Awaited<ReturnType<typeof startApiServer>> | undefined;
  let client: KubeClient | undefined;
  /* eslint-enable prefer-const */
  // One hook, in order: the server goes before its state directory, also when the start failed.
  t.after(async () => {
    client?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  server = await startApiServer({ stateDir: dir, host: '127.0.0.1', port: 0, controllers: false });
  client = KubeClient.fromKubeconfig(server.kubeconfigPath);
  // Which paged reads of ConfigMaps asked the store to count what is left.
  const counted: boolean[] = [];
  const store: Store = server.store;
  const listBytes = store.listBytes.bind(store);
  store.listBytes = (prefix: string, o: ListOptions = {}) => {
    if (prefix.includes('configmaps') && o.limit) counted.push(!o.skipRemaining);
    return listBytes(prefix, o);
  };

  const names = Array.from({ length: 25 }, (_, i) => `cm-${String(i).padStart(2, '0')}`);
  for (const name of names)
    await client.create(configMaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });

  const seen: string[] = [];
  const remaining: (number | undefined)[] = [];
  let token: string | undefined;
  let first = true;
  do {
    const page = await client.list(configMaps, 'default', { limit: 10, ...(token ? { continue: token } : {}) });
    seen.push(...page.items.map((o) => o.metadata.name!));
    remaining.push(page.metadata.remainingItemCount);
    token = page.metadata.continue || undefined;
    // Created after the first page: a consistent paged list does not show it.
    if (first)
      await client.create(configMaps, 'default', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'cm-late' },
      });
    first = false;
  } while (token);

  assert.deepEqual(seen, names);
  assert.deepEqual(remaining, [15, 5, undefined]);
  assert.deepEqual(counted, [true, false, false], 'only the first page asks the store to count');
});
