/**
 * ClusterIPs as a kubectl user sees them: allocated from 10.96.0.0/12 on
 * create, never changed by apply/patch/label/replace, unique, a requested
 * address honoured, `None` makes a headless Service.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, kubectlBinaries, parseTable, uniqueName } from './harness.js';
import { inServiceCidr, multiDoc, serviceYaml } from './manifests.js';
import { kubectl, needs } from '../testing/requirements.js';

let cluster: Cluster;
before(async () => {
  cluster = await Cluster.start();
});
after(async () => {
  await cluster?.close();
});

for (const [index, bin] of kubectlBinaries().entries()) {
  const v = bin.version;
  const tag = `c${v.replace(/\D/g, '')}`;
  const k = () => cluster.kubectl(bin);
  const clusterIP = async (name: string) => (await k().getJson(['svc', name])).spec.clusterIP as string;

  describe(`integration: kubectl ${v} ClusterIP allocation`, { skip: needs(kubectl) }, () => {
    test(`integration: the allocated clusterIP survives apply, patch, label and replace (kubectl ${v})`, async () => {
      const name = uniqueName(`keep-${tag}`);
      const file = cluster.writeFile(`${name}.yaml`, serviceYaml(name, { labels: { rev: '1' } }));
      assert.equal(await k().ok(['apply', '-f', file]), `service/${name} created\n`);
      const ip = await clusterIP(name);
      assert.ok(inServiceCidr(ip), `${ip} is in 10.96.0.0/12`);
      assert.notEqual(ip, '10.96.0.1', 'the kubernetes Service owns 10.96.0.1');

      cluster.writeFile(`${name}.yaml`, serviceYaml(name, { labels: { rev: '2' }, port: 8080 }));
      assert.equal(await k().ok(['apply', '-f', file]), `service/${name} configured\n`);
      assert.equal(await clusterIP(name), ip, 'after apply');
      assert.equal(
        await k().ok(['patch', 'svc', name, '-p', '{"metadata":{"labels":{"rev":"3"}}}']),
        `service/${name} patched\n`,
      );
      assert.equal(
        await k().ok(['patch', 'svc', name, '--type=merge', '-p', '{"spec":{"sessionAffinity":"ClientIP"}}']),
        `service/${name} patched\n`,
      );
      assert.equal(
        await k().ok([
          'patch',
          'svc',
          name,
          '--type=json',
          '-p',
          '[{"op":"replace","path":"/spec/ports/0/port","value":8081}]',
        ]),
        `service/${name} patched\n`,
      );
      assert.equal(await clusterIP(name), ip, 'after patches');
      assert.equal(await k().ok(['label', 'svc', name, 'extra=yes']), `service/${name} labeled\n`);
      const current = cluster.writeFile(`${name}-current.yaml`, await k().ok(['get', 'svc', name, '-o', 'yaml']));
      assert.equal(await k().ok(['replace', '-f', current]), `service/${name} replaced\n`);
      assert.equal(await clusterIP(name), ip, 'after label and replace');
      const svc = await k().getJson(['svc', name]);
      assert.deepEqual(svc.spec.clusterIPs, [ip]);
      assert.equal(svc.spec.ports[0].port, 8081);
      assert.equal(svc.spec.sessionAffinity, 'ClientIP');
    });

    test(`integration: Services created together get distinct clusterIPs (kubectl ${v})`, async () => {
      const names = Array.from({ length: 10 }, () => uniqueName(`uniq-${tag}`));
      const out = await k().ok(['create', '-f', '-'], { input: multiDoc(...names.map((n) => serviceYaml(n))) });
      assert.equal(out, names.map((n) => `service/${n} created\n`).join(''));
      const rows = parseTable(await k().ok(['get', 'svc', ...names]));
      assert.equal(rows.length, names.length);
      const ips = rows.map((r) => r['CLUSTER-IP']!);
      assert.equal(new Set(ips).size, names.length, `duplicate clusterIPs: ${ips.join(' ')}`);
      for (const ip of ips) {
        assert.ok(inServiceCidr(ip), `${ip} is in 10.96.0.0/12`);
        assert.notEqual(ip, '10.96.0.1');
      }
    });

    test(`integration: a requested clusterIP is honoured (kubectl ${v})`, async () => {
      const ip = `10.96.123.${10 + index}`;
      const name = uniqueName(`want-${tag}`);
      assert.equal(
        await k().ok(['create', '-f', '-'], { input: serviceYaml(name, { clusterIP: ip }) }),
        `service/${name} created\n`,
      );
      const svc = await k().getJson(['svc', name]);
      assert.equal(svc.spec.clusterIP, ip);
      assert.deepEqual(svc.spec.clusterIPs, [ip]);
      // Deleting releases it: the same address can be requested again.
      assert.equal(await k().ok(['delete', 'svc', name]), `service "${name}" deleted\n`);
      const again = uniqueName(`want-${tag}`);
      assert.equal(
        await k().ok(['create', '-f', '-'], { input: serviceYaml(again, { clusterIP: ip }) }),
        `service/${again} created\n`,
      );
      assert.equal(await clusterIP(again), ip);
    });

    test(`integration: clusterIP None makes a headless Service (kubectl ${v})`, async () => {
      const name = uniqueName(`headless-${tag}`);
      assert.equal(
        await k().ok(['create', '-f', '-'], { input: serviceYaml(name, { clusterIP: 'None' }) }),
        `service/${name} created\n`,
      );
      const rows = parseTable(await k().ok(['get', 'svc', name]));
      assert.equal(rows[0]!['CLUSTER-IP'], 'None');
      const svc = await k().getJson(['svc', name]);
      assert.deepEqual(svc.spec.clusterIPs, ['None']);
    });
  });
}
