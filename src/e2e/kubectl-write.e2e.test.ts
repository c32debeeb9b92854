/**
 * The real kubectl changing objects: label, annotate, patch of every type,
 * server-side apply with its conflicts, replace with a stale object, edit,
 * server dry run, delete, and a namespace's whole life.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, kubectlBinaries, uniqueName } from './harness.js';
import { configMapYaml, serviceYaml, namespaceYaml } from './manifests.js';
import { kubectl, needs } from '../testing/requirements.js';

let cluster: Cluster;
before(async () => {
  cluster = await Cluster.start();
});
after(async () => {
  await cluster?.close();
});

/** kubectl's advice after a server-side apply conflict (apply.go), printed under the server's message. */
const SSA_CONFLICT_ADVICE = `Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts
`;

for (const bin of kubectlBinaries()) {
  const v = bin.version;
  const tag = `w${v.replace(/\D/g, '')}`;
  const k = () => cluster.kubectl(bin);

  async function service(
    prefix: string,
    labels?: Record<string, string>,
  ): Promise<{ name: string; ip: string; file: string }> {
    const name = uniqueName(`${prefix}-${tag}`);
    const file = cluster.writeFile(`${name}.yaml`, serviceYaml(name, { labels }));
    assert.equal(await k().ok(['create', '-f', file]), `service/${name} created\n`);
    const ip = (await k().getJson(['service', name])).spec.clusterIP as string;
    return { name, ip, file };
  }

  describe(`integration: kubectl ${v} label, annotate and patch`, { skip: needs(kubectl) }, () => {
    test(`integration: label adds, refuses to overwrite, overwrites, removes (kubectl ${v})`, async () => {
      const { name } = await service('label');
      assert.equal(await k().ok(['label', 'svc', name, 'env=prod']), `service/${name} labeled\n`);
      assert.equal(await k().ok(['get', 'svc', name, '-o', 'jsonpath={.metadata.labels.env}']), 'prod');
      const refused = await k().fails(['label', 'svc', name, 'env=dev']);
      assert.equal(refused.stderr, `error: 'env' already has a value (prod), and --overwrite is false\n`);
      assert.equal(await k().ok(['label', 'svc', name, 'env=dev', '--overwrite']), `service/${name} labeled\n`);
      assert.equal(await k().ok(['get', 'svc', name, '-o', 'jsonpath={.metadata.labels.env}']), 'dev');
      assert.equal(await k().ok(['label', 'svc', name, 'env-']), `service/${name} unlabeled\n`);
      const svc = await k().getJson(['svc', name]);
      assert.equal(svc.metadata.labels?.env, undefined);
    });

    test(`integration: annotate adds and removes an annotation (kubectl ${v})`, async () => {
      const { name } = await service('annot');
      // kubectl 1.27 itself prints "annotate" (a client-side wording later fixed); the server has no say in it.
      const annotated = v === '1.27' ? 'annotate' : 'annotated';
      assert.equal(
        await k().ok(['annotate', 'svc', name, 'example.com/owner=team-a']),
        `service/${name} ${annotated}\n`,
      );
      assert.equal(
        await k().ok(['get', 'svc', name, '-o', 'jsonpath={.metadata.annotations.example\\.com/owner}']),
        'team-a',
      );
      assert.equal(await k().ok(['annotate', 'svc', name, 'example.com/owner-']), `service/${name} ${annotated}\n`);
      const svc = await k().getJson(['svc', name]);
      assert.equal(svc.metadata.annotations?.['example.com/owner'], undefined);
    });

    test(`integration: patch (strategic, the default) merges list items by their key (kubectl ${v})`, async () => {
      const { name, ip } = await service('smp');
      const patch =
        '{"metadata":{"labels":{"patched":"smp"}},"spec":{"ports":[{"name":"http","port":80,"targetPort":80},{"name":"https","port":443,"targetPort":8443}]}}';
      assert.equal(await k().ok(['patch', 'svc', name, '-p', patch]), `service/${name} patched\n`);
      const svc = await k().getJson(['svc', name]);
      assert.equal(svc.metadata.labels.patched, 'smp');
      assert.deepEqual(svc.spec.ports, [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 80 },
        { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 },
      ]);
      assert.equal(svc.spec.clusterIP, ip, 'patch must not change the clusterIP');
      assert.equal(await k().ok(['patch', 'svc', name, '-p', patch]), `service/${name} patched (no change)\n`);
    });

    test(`integration: patch --type=merge replaces lists and null deletes (kubectl ${v})`, async () => {
      const { name, ip } = await service('merge', { drop: 'me', keep: 'me' });
      const patch = '{"metadata":{"labels":{"drop":null}},"spec":{"ports":[{"port":9090,"targetPort":9091}]}}';
      assert.equal(await k().ok(['patch', 'svc', name, '--type=merge', '-p', patch]), `service/${name} patched\n`);
      const svc = await k().getJson(['svc', name]);
      assert.deepEqual(svc.metadata.labels, { keep: 'me' });
      assert.deepEqual(svc.spec.ports, [{ port: 9090, protocol: 'TCP', targetPort: 9091 }]);
      assert.equal(svc.spec.clusterIP, ip);
    });

    test(`integration: patch --type=json applies the operations in order (kubectl ${v})`, async () => {
      const { name, ip } = await service('json');
      const patch = JSON.stringify([
        { op: 'add', path: '/metadata/labels', value: { a: '1' } },
        { op: 'add', path: '/metadata/labels/b', value: '2' },
        { op: 'replace', path: '/spec/ports/0/port', value: 81 },
        { op: 'remove', path: '/metadata/labels/a' },
      ]);
      assert.equal(await k().ok(['patch', 'svc', name, '--type=json', '-p', patch]), `service/${name} patched\n`);
      const svc = await k().getJson(['svc', name]);
      assert.deepEqual(svc.metadata.labels, { b: '2' });
      assert.equal(svc.spec.ports[0].port, 81);
      assert.equal(svc.spec.clusterIP, ip);
    });
  });

  describe(`integration: kubectl ${v} server-side apply`, { skip: needs(kubectl) }, () => {
    test(`integration: apply --server-side twice, then a conflict with another manager, then --force-conflicts (kubectl ${v})`, async () => {
      const name = uniqueName(`ssa-${tag}`);
      const file = cluster.writeFile(`${name}.yaml`, serviceYaml(name, { labels: { app: name, owner: 'team-a' } }));
      assert.equal(await k().ok(['apply', '--server-side', '-f', file]), `service/${name} serverside-applied\n`);
      const ip = (await k().getJson(['svc', name])).spec.clusterIP;
      assert.equal(await k().ok(['apply', '--server-side', '-f', file]), `service/${name} serverside-applied\n`);
      const managers = (await k().getJson(['svc', name, '--show-managed-fields'])).metadata.managedFields.map(
        (m: any) => `${m.manager}/${m.operation}`,
      );
      assert.ok(managers.includes('kubectl/Apply'), `managedFields: ${managers.join(', ')}`);

      const other = cluster.writeFile(
        `${name}-other.yaml`,
        serviceYaml(name, { labels: { app: name, owner: 'team-b' } }),
      );
      const conflict = await k().fails(['apply', '--server-side', '--field-manager=other', '-f', other]);
      assert.equal(conflict.code, 1);
      assert.equal(conflict.stdout, '');
      assert.equal(
        conflict.stderr,
        `error: Apply failed with 1 conflict: conflict with "kubectl": .metadata.labels.owner\n${SSA_CONFLICT_ADVICE}`,
      );
      assert.equal(await k().ok(['get', 'svc', name, '-o', 'jsonpath={.metadata.labels.owner}']), 'team-a');

      assert.equal(
        await k().ok(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', other]),
        `service/${name} serverside-applied\n`,
      );
      const svc = await k().getJson(['svc', name]);
      assert.equal(svc.metadata.labels.owner, 'team-b');
      assert.equal(svc.spec.clusterIP, ip, 'server-side apply must not change the clusterIP');
    });
  });

  describe(`integration: kubectl ${v} replace, edit, dry run, delete`, { skip: needs(kubectl) }, () => {
    test(`integration: replace with a stale object is a Conflict (kubectl ${v})`, async () => {
      const { name } = await service('stale');
      const stale = cluster.writeFile(`${name}-stale.yaml`, await k().ok(['get', 'svc', name, '-o', 'yaml']));
      assert.equal(await k().ok(['label', 'svc', name, 'bump=1']), `service/${name} labeled\n`);
      const r = await k().fails(['replace', '-f', stale]);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        `Error from server (Conflict): error when replacing "${stale}": Operation cannot be fulfilled on services "${name}": the object has been modified; please apply your changes to the latest version and try again\n`,
      );
      // A fresh copy replaces fine.
      const fresh = cluster.writeFile(`${name}-fresh.yaml`, await k().ok(['get', 'svc', name, '-o', 'yaml']));
      assert.equal(await k().ok(['replace', '-f', fresh]), `service/${name} replaced\n`);
    });

    test(`integration: edit through KUBE_EDITOR saves the edited object (kubectl ${v})`, async () => {
      const { name, ip } = await service('edit', { edit: 'before' });
      const editor = cluster.writeFile(
        `editor-${name}.sh`,
        `#!/bin/sh\nexec sed -i 's/edit: before/edit: after/' "$1"\n`,
        0o755,
      );
      const out = await k().ok(['edit', 'svc', name], { env: { KUBE_EDITOR: editor } });
      assert.equal(out, `service/${name} edited\n`);
      const svc = await k().getJson(['svc', name]);
      assert.equal(svc.metadata.labels.edit, 'after');
      assert.equal(svc.spec.clusterIP, ip);
    });

    test(`integration: create --dry-run=server answers created but stores nothing (kubectl ${v})`, async () => {
      const name = uniqueName(`dry-${tag}`);
      const file = cluster.writeFile(`${name}.yaml`, serviceYaml(name));
      assert.equal(
        await k().ok(['create', '--dry-run=server', '-f', file]),
        `service/${name} created (server dry run)\n`,
      );
      const yamlOut = await k().ok(['create', '--dry-run=server', '-f', file, '-o', 'jsonpath={.metadata.name}']);
      assert.equal(yamlOut, name);
      const r = await k().fails(['get', 'svc', name]);
      assert.equal(r.stderr, `Error from server (NotFound): services "${name}" not found\n`);
    });

    test(`integration: delete waits, prints deleted, and the Service is gone (kubectl ${v})`, async () => {
      const { name } = await service('del');
      assert.equal(await k().ok(['delete', 'svc', name]), `service "${name}" deleted\n`);
      const r = await k().fails(['get', 'svc', name]);
      assert.equal(r.stderr, `Error from server (NotFound): services "${name}" not found\n`);
      const again = await k().fails(['delete', 'svc', name]);
      assert.equal(again.stderr, `Error from server (NotFound): services "${name}" not found\n`);
    });

    test(`integration: create namespace (imperative, sent as protobuf by kubectl) works (kubectl ${v})`, async () => {
      const ns = uniqueName(`imp-${tag}`);
      assert.equal(await k().ok(['create', 'namespace', ns]), `namespace/${ns} created\n`);
      assert.equal(await k().ok(['get', 'namespace', ns, '-o', 'jsonpath={.status.phase}']), 'Active');
      assert.equal(await k().ok(['delete', 'namespace', ns]), `namespace "${ns}" deleted\n`);
    });

    test(`integration: deleting a namespace deletes everything in it (kubectl ${v})`, async () => {
      const ns = uniqueName(`life-${tag}`);
      assert.equal(await k().ok(['create', '-f', '-'], { input: namespaceYaml(ns) }), `namespace/${ns} created\n`);
      const svc = uniqueName(`in-${tag}`);
      const cm = uniqueName(`cm-${tag}`);
      cluster.writeFile(`${svc}.yaml`, serviceYaml(svc, { namespace: ns }));
      cluster.writeFile(`${cm}.yaml`, configMapYaml(cm, ns));
      assert.equal(
        await k().ok(['create', '-f', `${svc}.yaml`, '-f', `${cm}.yaml`]),
        `service/${svc} created\nconfigmap/${cm} created\n`,
      );

      assert.equal(await k().ok(['delete', 'namespace', ns]), `namespace "${ns}" deleted\n`);
      const gone = await k().fails(['get', 'namespace', ns]);
      assert.equal(gone.stderr, `Error from server (NotFound): namespaces "${ns}" not found\n`);

      // The same name again starts empty: nothing of the old namespace survived.
      assert.equal(await k().ok(['create', '-f', '-'], { input: namespaceYaml(ns) }), `namespace/${ns} created\n`);
      const list = await k().run(['get', 'services', '-n', ns]);
      assert.equal(list.code, 0);
      assert.equal(list.stdout, '');
      assert.equal(list.stderr, `No resources found in ${ns} namespace.\n`);
      const oldCm = await k().fails(['get', 'configmap', cm, '-n', ns]);
      assert.equal(oldCm.stderr, `Error from server (NotFound): configmaps "${cm}" not found\n`);
      assert.equal(await k().ok(['delete', 'namespace', ns]), `namespace "${ns}" deleted\n`);
    });
  });
}
