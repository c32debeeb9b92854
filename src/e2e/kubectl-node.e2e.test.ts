/**
 * A Node written by hand (no node agent) through kubectl create -f, then
 * listed and described. Its own cluster, so no Pod elsewhere in the suite
 * can be scheduled onto it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, kubectlBinaries, parseTable, uniqueName } from './harness.js';
import { nodeYaml } from './manifests.js';
import { kubectl, needs } from '../testing/requirements.js';

let cluster: Cluster;
before(async () => {
  cluster = await Cluster.start();
});
after(async () => {
  await cluster?.close();
});

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

for (const bin of kubectlBinaries()) {
  const v = bin.version;
  const tag = `n${v.replace(/\D/g, '')}`;
  const k = () => cluster.kubectl(bin);

  describe(`integration: kubectl ${v} nodes`, { skip: needs(kubectl) }, () => {
    test(`integration: create -f makes a Node that get and describe show (kubectl ${v})`, async () => {
      const name = uniqueName(`node-${tag}`);
      const file = cluster.writeFile(`${name}.yaml`, nodeYaml(name));
      assert.equal(await k().ok(['create', '-f', file]), `node/${name} created\n`);

      const rows = parseTable(await k().ok(['get', 'node', name]));
      assert.deepEqual(Object.keys(rows[0]!), ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
      assert.equal(rows[0]!['NAME'], name);
      assert.equal(rows[0]!['ROLES'], '<none>');

      const wide = parseTable(await k().ok(['get', 'node', name, '-o', 'wide']));
      assert.deepEqual(Object.keys(wide[0]!), [
        'NAME',
        'STATUS',
        'ROLES',
        'AGE',
        'VERSION',
        'INTERNAL-IP',
        'EXTERNAL-IP',
        'OS-IMAGE',
        'KERNEL-VERSION',
        'CONTAINER-RUNTIME',
      ]);

      const out = await k().ok(['describe', 'node', name]);
      const lines = out.split('\n');
      for (const p of [
        new RegExp(`^Name:\\s+${esc(name)}$`),
        /^Roles:\s+<none>$/,
        new RegExp(`kubernetes\\.io/hostname=${esc(name)}$`),
        /e2e\.podnet\.io\/hand-made=true$/,
        /^CreationTimestamp:\s+\S/,
        /^Unschedulable:\s+false$/,
        /^Non-terminated Pods:\s+\(0 in total\)$/,
      ]) {
        assert.ok(
          lines.some((l) => p.test(l)),
          `no line matches ${p}\n--- output ---\n${out}`,
        );
      }
    });

    test(`integration: a Node is cluster-scoped: get node -n other still finds it (kubectl ${v})`, async () => {
      const name = uniqueName(`node-${tag}`);
      assert.equal(await k().ok(['create', '-f', '-'], { input: nodeYaml(name) }), `node/${name} created\n`);
      const rows = parseTable(await k().ok(['get', 'nodes', '-n', 'kube-system']));
      assert.ok(rows.some((r) => r['NAME'] === name));
      assert.equal(await k().ok(['delete', 'node', name]), `node "${name}" deleted\n`);
    });
  });
}
