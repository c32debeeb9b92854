import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { kubeconfigName, kubeconfigYaml } from '../apiserver/state/kubeconfig.js';
import {
  defaultKubeconfigTarget,
  mergeEntries,
  mergeKubeconfig,
  removeEntries,
  unmergeKubeconfig,
} from './kubeconfig-merge.js';

const cluster = (name: string, server: string) =>
  parse(kubeconfigYaml({ server, token: `tok-${name}`, name })) as Parameters<typeof mergeEntries>[1];

test('entries are named podnet-<name>, or podnet without a name', () => {
  assert.equal(kubeconfigName('dev'), 'podnet-dev');
  assert.equal(kubeconfigName(undefined), 'podnet');
  const c = cluster('podnet-dev', 'https://10.250.1.1:6443');
  assert.deepEqual(
    [c.clusters?.[0]?.name, c.users?.[0]?.name, c.contexts?.[0]?.name, c['current-context']],
    ['podnet-dev', 'podnet-dev', 'podnet-dev', 'podnet-dev'],
  );
});

test('merge replaces same-named entries, keeps the others and makes the context current; remove undoes it', () => {
  const other = {
    clusters: [{ name: 'prod', cluster: { server: 'https://prod' } }],
    users: [{ name: 'me', user: { token: 'x' } }],
    contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'me' } }],
    'current-context': 'prod',
  };
  const a1 = mergeEntries(other, cluster('podnet-a', 'https://a:1'), 'podnet-a');
  const a2 = mergeEntries(a1, cluster('podnet-a', 'https://a:2'), 'podnet-a');
  const both = mergeEntries(a2, cluster('podnet-b', 'https://b'), 'podnet-b');
  assert.deepEqual(
    both.contexts?.map((c) => c.name),
    ['prod', 'podnet-a', 'podnet-b'],
  );
  assert.deepEqual(
    both.clusters?.map((c) => (c.cluster as { server: string }).server),
    ['https://prod', 'https://a:2', 'https://b'],
    'a rerun replaces the entry (a new port), it does not add one',
  );
  assert.equal(both['current-context'], 'podnet-b');
  const noB = removeEntries(both, 'podnet-b');
  assert.equal(noB['current-context'], '', 'the current context went with it');
  assert.deepEqual(removeEntries(noB, 'podnet-a').contexts, other.contexts);
  assert.deepEqual(removeEntries(both, 'podnet-a')['current-context'], 'podnet-b');
});

test('files: created 0600 where missing, taken out again; the target follows $KUBECONFIG', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-kcmerge-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const source = join(dir, 'cluster-kubeconfig');
  writeFileSync(source, kubeconfigYaml({ server: 'https://a', token: 't', name: 'podnet-a' }));
  const target = join(dir, 'home', '.kube', 'config');
  mergeKubeconfig(target, source, 'podnet-a');
  assert.equal(statSync(target).mode & 0o777, 0o600);
  assert.match(readFileSync(target, 'utf8'), /current-context: podnet-a/);
  assert.equal(unmergeKubeconfig(target, 'podnet-a'), true);
  assert.equal(unmergeKubeconfig(target, 'podnet-a'), false, 'nothing left to take out');
  assert.equal(unmergeKubeconfig(join(dir, 'absent'), 'podnet-a'), false);
  assert.throws(() => mergeKubeconfig(target, source, 'podnet-b'), /has no cluster "podnet-b"/);
  assert.equal(defaultKubeconfigTarget({ KUBECONFIG: `:${dir}/one:${dir}/two` }), `${dir}/one`);
  assert.match(defaultKubeconfigTarget({}), /\/\.kube\/config$/);
});
