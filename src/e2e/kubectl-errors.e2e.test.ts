/**
 * Mistakes a user makes, and the exact words a real cluster answers with
 * (checked against kube-apiserver and kubectl sources): validation, strict
 * field validation, names, duplicates. Nothing wrong is ever stored.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, kubectlBinaries, uniqueName } from './harness.js';
import { serviceYaml } from './manifests.js';
import { kubectl, needs } from '../testing/requirements.js';

let cluster: Cluster;
before(async () => {
  cluster = await Cluster.start();
});
after(async () => {
  await cluster?.close();
});

/** apimachinery's RegexError text for a DNS-1035 label (validation.IsDNS1035Label). */
const DNS1035_MSG = `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`;

for (const [index, bin] of kubectlBinaries().entries()) {
  const v = bin.version;
  const tag = `e${v.replace(/\D/g, '')}`;
  const k = () => cluster.kubectl(bin);

  async function assertNotStored(name: string): Promise<void> {
    const r = await k().fails(['get', 'svc', name]);
    assert.equal(r.stderr, `Error from server (NotFound): services "${name}" not found\n`);
  }

  describe(`integration: kubectl ${v} errors`, { skip: needs(kubectl) }, () => {
    test(`integration: a Service with port 70000 is invalid and not stored (kubectl ${v})`, async () => {
      const name = uniqueName(`port-${tag}`);
      const file = cluster.writeFile(`${name}.yaml`, serviceYaml(name, { port: 70000, targetPort: 80 }));
      const r = await k().fails(['create', '-f', file]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr,
        `The Service "${name}" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n`,
      );
      await assertNotStored(name);
    });

    test(`integration: an unknown field fails strict validation, naming the field (kubectl ${v})`, async () => {
      const name = uniqueName(`unk-${tag}`);
      const file = cluster.writeFile(`${name}.yaml`, serviceYaml(name, { extraSpec: '  bogusField: 1\n' }));
      const r = await k().fails(['create', '-f', file]);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        `Error from server (BadRequest): error when creating "${file}": Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.bogusField"\n`,
      );
      await assertNotStored(name);
      // --validate=false sends the object without strict checking: the unknown field is dropped.
      assert.equal(await k().ok(['create', '--validate=false', '-f', file]), `service/${name} created\n`);
      const svc = await k().getJson(['svc', name]);
      assert.equal(svc.spec.bogusField, undefined);
    });

    test(`integration: an invalid name is rejected with the DNS-1035 rule (kubectl ${v})`, async () => {
      const name = `Bad_Name-${tag}`;
      const r = await k().fails(['create', '-f', '-'], { input: serviceYaml(name) });
      assert.equal(
        r.stderr,
        `The Service "${name}" is invalid: metadata.name: Invalid value: "${name}": ${DNS1035_MSG}\n`,
      );
    });

    test(`integration: creating the same Service twice is AlreadyExists (kubectl ${v})`, async () => {
      const name = uniqueName(`dup-${tag}`);
      const file = cluster.writeFile(`${name}.yaml`, serviceYaml(name));
      assert.equal(await k().ok(['create', '-f', file]), `service/${name} created\n`);
      const r = await k().fails(['create', '-f', file]);
      assert.equal(
        r.stderr,
        `Error from server (AlreadyExists): error when creating "${file}": services "${name}" already exists\n`,
      );
    });

    test(`integration: a requested ClusterIP already in use is refused (kubectl ${v})`, async () => {
      const ip = `10.96.77.${10 + index}`;
      const first = uniqueName(`ipa-${tag}`);
      assert.equal(
        await k().ok(['create', '-f', '-'], { input: serviceYaml(first, { clusterIP: ip }) }),
        `service/${first} created\n`,
      );
      const second = uniqueName(`ipb-${tag}`);
      const r = await k().fails(['create', '-f', '-'], { input: serviceYaml(second, { clusterIP: ip }) });
      assert.equal(
        r.stderr,
        `The Service "${second}" is invalid: spec.clusterIPs: Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: provided IP is already allocated\n`,
      );
      await assertNotStored(second);
    });

    test(`integration: a ClusterIP outside the service CIDR is refused (kubectl ${v})`, async () => {
      const name = uniqueName(`ipout-${tag}`);
      const r = await k().fails(['create', '-f', '-'], { input: serviceYaml(name, { clusterIP: '192.168.0.10' }) });
      // ipallocator.ErrNotInRange; older releases printed it without "the (IP)".
      assert.match(
        r.stderr,
        new RegExp(
          `^The Service "${name}" is invalid: spec\\.clusterIPs: Invalid value: \\[\\]string\\{"192\\.168\\.0\\.10"\\}: failed to allocate IP 192\\.168\\.0\\.10: (the )?provided IP (\\(192\\.168\\.0\\.10\\) )?is not in the valid range\\. The range of valid IPs is 10\\.96\\.0\\.0/12\\n$`,
        ),
      );
      await assertNotStored(name);
    });

    test(`integration: get of a missing object is NotFound, exit 1 (kubectl ${v})`, async () => {
      const name = uniqueName(`missing-${tag}`);
      const r = await k().fails(['get', 'svc', name]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `Error from server (NotFound): services "${name}" not found\n`);
      const ok = await k().run(['get', 'svc', name, '--ignore-not-found']);
      assert.equal(ok.code, 0);
      assert.equal(ok.stdout + ok.stderr, '');
    });

    test(`integration: an unknown resource type is reported by kubectl (kubectl ${v})`, async () => {
      const r = await k().fails(['get', 'frobnicators']);
      assert.equal(r.stderr, `error: the server doesn't have a resource type "frobnicators"\n`);
    });
  });
}
