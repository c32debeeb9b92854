import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheFileName, CniResultCache, type CachedAttachment } from './cache.js';

test('cache: put, get, delete, and a corrupt entry reads as none', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podnet-cnicache-'));
  try {
    const cache = new CniResultCache(join(dir, 'results'));
    const att = { containerId: 'abc', ifName: 'eth0' };
    assert.equal(await cache.get('podnet', att), undefined);
    const entry: CachedAttachment = {
      kind: 'cniCacheV1',
      containerId: 'abc',
      ifName: 'eth0',
      networkName: 'podnet',
      config: { cniVersion: '1.0.0', name: 'podnet', plugins: [{ type: 'bridge' }] },
      cniArgs: { K8S_POD_NAME: 'p' },
      capabilityArgs: {},
      result: { cniVersion: '1.0.0', ips: [{ address: '10.0.0.2/24' }] },
    };
    await cache.put(entry);
    assert.deepEqual(await readdir(join(dir, 'results')), [cacheFileName('podnet', 'abc', 'eth0')]);
    assert.deepEqual(await cache.get('podnet', att), entry);
    assert.equal(await cache.get('other', att), undefined);
    await writeFile(join(dir, 'results', cacheFileName('podnet', 'abc', 'eth0')), '{not json');
    assert.equal(await cache.get('podnet', att), undefined);
    await cache.delete('podnet', att);
    await cache.delete('podnet', att); // idempotent
    assert.deepEqual(await readdir(join(dir, 'results')), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
