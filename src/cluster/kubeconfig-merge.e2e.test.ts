/**
 * The real kubectl reads a kubeconfig that two podnet clusters were merged
 * into next to a context of the user's own: three contexts, the last merged
 * one current, each pointing at its own server; taking one out leaves the
 * others untouched. (`podnet up --merge-kubeconfig` on a live cluster is
 * in src/e2e/up.e2e.test.ts.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { kubeconfigYaml } from '../apiserver/state/kubeconfig.js';
import { kubectl, needs } from '../testing/requirements.js';
import { mergeKubeconfig, unmergeKubeconfig } from './kubeconfig-merge.js';

test("kubectl sees merged podnet contexts beside the user's own", { skip: needs(kubectl) }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-kc-e2e-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = join(dir, 'config');
  const k = (...args: string[]) => {
    const r = spawnSync('kubectl', args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: target } });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  k('config', 'set-cluster', 'prod', '--server=https://prod.example:6443');
  k('config', 'set-credentials', 'me', '--token=abc');
  k('config', 'set-context', 'prod', '--cluster=prod', '--user=me');
  k('config', 'use-context', 'prod');
  for (const [name, server] of [
    ['podnet-a', 'https://10.250.1.1:6443'],
    ['podnet-b', 'https://10.250.2.1:6443'],
  ] as const) {
    const source = join(dir, name);
    writeFileSync(source, kubeconfigYaml({ server, token: `t-${name}`, name }));
    mergeKubeconfig(target, source, name);
  }
  assert.deepEqual(k('config', 'get-contexts', '-o', 'name').split('\n').sort(), ['podnet-a', 'podnet-b', 'prod']);
  assert.equal(k('config', 'current-context'), 'podnet-b');
  assert.equal(
    k('config', 'view', '--minify', '--context', 'podnet-a', '-o', 'jsonpath={.clusters[0].cluster.server}'),
    'https://10.250.1.1:6443',
  );
  unmergeKubeconfig(target, 'podnet-b');
  assert.deepEqual(k('config', 'get-contexts', '-o', 'name').split('\n').sort(), ['podnet-a', 'prod']);
  assert.equal(
    k('config', 'view', '--raw', '--minify', '--context', 'prod', '-o', 'jsonpath={.users[0].user.token}'),
    'abc',
  );
});
