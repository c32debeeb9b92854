/**
 * The real kubectl against `podnet apiserver`: creating from files and
 * reading back in every output format a user reaches for, watching, and
 * describing. Expected texts are what a real cluster prints.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { Cluster, eventually, kubectlBinaries, parseTable, uniqueName } from './harness.js';
import { inServiceCidr, multiDoc, podYaml, serviceYaml, namespaceYaml } from './manifests.js';
import { kubectl, needs } from '../testing/requirements.js';

let cluster: Cluster;
before(async () => {
  cluster = await Cluster.start();
});
after(async () => {
  await cluster?.close();
});

/** Assert each regexp matches some line of `text` (describe output). */
function assertLines(text: string, patterns: RegExp[]): void {
  const lines = text.split('\n');
  for (const p of patterns) {
    assert.ok(
      lines.some((l) => p.test(l)),
      `no line matches ${p}\n--- output ---\n${text}`,
    );
  }
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

for (const bin of kubectlBinaries()) {
  const v = bin.version;
  const tag = `r${v.replace(/\D/g, '')}`;
  const k = () => cluster.kubectl(bin);

  /** Create a Service from a manifest file and return its name and ClusterIP. */
  async function service(prefix: string, labels?: Record<string, string>): Promise<{ name: string; ip: string }> {
    const name = uniqueName(`${prefix}-${tag}`);
    const file = cluster.writeFile(`${name}.yaml`, serviceYaml(name, { labels }));
    assert.equal(await k().ok(['create', '-f', file]), `service/${name} created\n`);
    const ip = (await k().getJson(['service', name])).spec.clusterIP as string;
    return { name, ip };
  }

  describe(`integration: kubectl ${v} create, apply and get`, { skip: needs(kubectl) }, () => {
    test(`integration: create -f with a Service and a Pod prints both and stores both (kubectl ${v})`, async () => {
      const name = uniqueName(`web-${tag}`);
      const file = cluster.writeFile(`${name}.yaml`, multiDoc(serviceYaml(name), podYaml(name)));
      const out = await k().ok(['create', '-f', file]);
      assert.equal(out, `service/${name} created\npod/${name} created\n`);

      const pods = parseTable(await k().ok(['get', 'pod', name]));
      assert.deepEqual(Object.keys(pods[0]!), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
      assert.equal(pods.length, 1);
      assert.equal(pods[0]!['NAME'], name);
      assert.equal(pods[0]!['READY'], '0/1');
      assert.equal(pods[0]!['STATUS'], 'Pending');
      assert.equal(pods[0]!['RESTARTS'], '0');

      const wide = parseTable(await k().ok(['get', 'pod', name, '-o', 'wide']));
      assert.deepEqual(Object.keys(wide[0]!), [
        'NAME',
        'READY',
        'STATUS',
        'RESTARTS',
        'AGE',
        'IP',
        'NODE',
        'NOMINATED NODE',
        'READINESS GATES',
      ]);
      assert.equal(wide[0]!['IP'], '<none>');
      assert.equal(wide[0]!['NOMINATED NODE'], '<none>');
      assert.equal(wide[0]!['READINESS GATES'], '<none>');

      const svc = await k().getJson(['service', name]);
      assert.equal(svc.metadata.name, name);
      assert.ok(inServiceCidr(svc.spec.clusterIP), `clusterIP ${svc.spec.clusterIP} is not in 10.96.0.0/12`);
    });

    test(`integration: apply -f twice prints created, then unchanged; a change prints configured (kubectl ${v})`, async () => {
      const name = uniqueName(`app-${tag}`);
      const file = cluster.writeFile(`${name}.yaml`, serviceYaml(name, { labels: { tier: 'web' } }));
      assert.equal(await k().ok(['apply', '-f', file]), `service/${name} created\n`);
      const ip = (await k().getJson(['service', name])).spec.clusterIP;
      assert.equal(await k().ok(['apply', '-f', file]), `service/${name} unchanged\n`);
      cluster.writeFile(`${name}.yaml`, serviceYaml(name, { labels: { tier: 'api' } }));
      assert.equal(await k().ok(['apply', '-f', file]), `service/${name} configured\n`);
      const svc = await k().getJson(['service', name]);
      assert.equal(svc.metadata.labels.tier, 'api');
      assert.equal(svc.spec.clusterIP, ip, 'apply must not change the allocated clusterIP');
      const last = JSON.parse(svc.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
      assert.equal(last.metadata.labels.tier, 'api');
    });

    test(`integration: get prints the Service table with its ClusterIP (kubectl ${v})`, async () => {
      const { name, ip } = await service('plain');
      const out = await k().ok(['get', 'svc', name]);
      const rows = parseTable(out);
      assert.deepEqual(Object.keys(rows[0]!), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!['NAME'], name);
      assert.equal(rows[0]!['TYPE'], 'ClusterIP');
      assert.equal(rows[0]!['CLUSTER-IP'], ip);
      assert.equal(rows[0]!['EXTERNAL-IP'], '<none>');
      assert.equal(rows[0]!['PORT(S)'], '80/TCP');
      assert.match(rows[0]!['AGE']!, /^\d+s$/);
    });

    test(`integration: get -o wide adds the SELECTOR column (kubectl ${v})`, async () => {
      const { name, ip } = await service('wide');
      const rows = parseTable(await k().ok(['get', 'svc', name, '-o', 'wide']));
      assert.deepEqual(Object.keys(rows[0]!), [
        'NAME',
        'TYPE',
        'CLUSTER-IP',
        'EXTERNAL-IP',
        'PORT(S)',
        'AGE',
        'SELECTOR',
      ]);
      assert.equal(rows[0]!['CLUSTER-IP'], ip);
      assert.equal(rows[0]!['SELECTOR'], `app=${name}`);
    });

    test(`integration: get -o yaml and -o json show the same defaulted object (kubectl ${v})`, async () => {
      const { name, ip } = await service('yaml');
      const fromYaml = parseYaml(await k().ok(['get', 'svc', name, '-o', 'yaml']));
      const fromJson = JSON.parse(await k().ok(['get', 'svc', name, '-o', 'json']));
      assert.deepEqual(fromYaml, fromJson);
      assert.equal(fromJson.apiVersion, 'v1');
      assert.equal(fromJson.kind, 'Service');
      assert.equal(fromJson.metadata.name, name);
      assert.equal(fromJson.metadata.namespace, 'default');
      assert.match(fromJson.metadata.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.match(fromJson.metadata.resourceVersion, /^\d+$/);
      assert.match(fromJson.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(fromJson.spec.type, 'ClusterIP');
      assert.equal(fromJson.spec.clusterIP, ip);
      assert.deepEqual(fromJson.spec.clusterIPs, [ip]);
      assert.deepEqual(fromJson.spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
      assert.equal(fromJson.spec.sessionAffinity, 'None');
      assert.deepEqual(fromJson.spec.ipFamilies, ['IPv4']);
      assert.equal(fromJson.spec.ipFamilyPolicy, 'SingleStack');
      assert.equal(fromJson.spec.internalTrafficPolicy, 'Cluster');
    });

    test(`integration: get -o jsonpath prints exactly the field (kubectl ${v})`, async () => {
      const { name, ip } = await service('jp');
      assert.equal(await k().ok(['get', 'svc', name, '-o', 'jsonpath={.spec.clusterIP}']), ip);
      assert.equal(await k().ok(['get', 'svc', name, '-o', 'jsonpath={.metadata.name}{"\\n"}']), `${name}\n`);
      assert.equal(
        await k().ok(['get', 'svc', name, '-o', 'jsonpath={.spec.ports[0].port}/{.spec.ports[0].protocol}']),
        '80/TCP',
      );
    });

    test(`integration: get list -o json is a List holding the items (kubectl ${v})`, async () => {
      const { name } = await service('list');
      const list = JSON.parse(await k().ok(['get', 'svc', '-o', 'json']));
      assert.equal(list.kind, 'List');
      assert.equal(list.apiVersion, 'v1');
      const names = list.items.map((i: any) => i.metadata.name);
      assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`);
      assert.ok(names.includes('kubernetes'));
    });

    test(`integration: get -A lists every namespace with a NAMESPACE column (kubectl ${v})`, async () => {
      const ns = uniqueName(`ns-${tag}`);
      assert.equal(await k().ok(['create', '-f', '-'], { input: namespaceYaml(ns) }), `namespace/${ns} created\n`);
      const name = uniqueName(`all-${tag}`);
      const file = cluster.writeFile(`${name}.yaml`, serviceYaml(name, { namespace: ns }));
      assert.equal(await k().ok(['create', '-f', file]), `service/${name} created\n`);
      const rows = parseTable(await k().ok(['get', 'svc', '-A']));
      assert.deepEqual(Object.keys(rows[0]!), [
        'NAMESPACE',
        'NAME',
        'TYPE',
        'CLUSTER-IP',
        'EXTERNAL-IP',
        'PORT(S)',
        'AGE',
      ]);
      const kube = rows.find((r) => r['NAME'] === 'kubernetes');
      assert.ok(kube, 'the kubernetes Service is listed');
      assert.equal(kube['NAMESPACE'], 'default');
      assert.equal(kube['CLUSTER-IP'], '10.96.0.1');
      assert.equal(kube['PORT(S)'], '443/TCP');
      const mine = rows.find((r) => r['NAME'] === name);
      assert.ok(mine, `${name} is listed`);
      assert.equal(mine['NAMESPACE'], ns);
    });

    test(`integration: get --show-labels adds a LABELS column, sorted key=value pairs (kubectl ${v})`, async () => {
      const { name } = await service('lbl', { tier: 'web', app: 'shop' });
      const rows = parseTable(await k().ok(['get', 'svc', name, '--show-labels']));
      assert.deepEqual(Object.keys(rows[0]!), [
        'NAME',
        'TYPE',
        'CLUSTER-IP',
        'EXTERNAL-IP',
        'PORT(S)',
        'AGE',
        'LABELS',
      ]);
      assert.equal(rows[0]!['LABELS'], 'app=shop,tier=web');
      const selected = parseTable(await k().ok(['get', 'svc', '-l', 'tier=web,app=shop']));
      assert.ok(
        selected.some((r) => r['NAME'] === name),
        'the label selector finds the Service',
      );
    });

    test(`integration: get svc -w prints a new row when a Service is created (kubectl ${v})`, async () => {
      const w = k().spawn(['get', 'svc', '-w']);
      try {
        await w.waitFor(
          'the header and the kubernetes row',
          (ls) => /^NAME\s+TYPE\s+CLUSTER-IP/.test(ls[0] ?? '') && ls.some((l) => l.startsWith('kubernetes ')),
        );
        const { name, ip } = await service('watched');
        const lines = await w.waitFor(`a row for ${name}`, (ls) => ls.some((l) => l.startsWith(`${name} `)));
        const row = lines.find((l) => l.startsWith(`${name} `))!;
        assert.match(row, new RegExp(`^${esc(name)}\\s+ClusterIP\\s+${esc(ip)}\\s+<none>\\s+80/TCP\\s+\\d+s$`));
        assert.equal(w.stderr, '');
      } finally {
        await w.stop();
      }
    });

    test(`integration: get svc NAME -w prints a new row when that Service changes (kubectl ${v})`, async () => {
      const { name } = await service('watch1');
      const w = k().spawn(['get', 'svc', name, '-w']);
      try {
        await w.waitFor('the first row', (ls) => ls.some((l) => l.startsWith(`${name} `) && l.includes('80/TCP')));
        assert.equal(
          await k().ok([
            'patch',
            'svc',
            name,
            '--type=merge',
            '-p',
            '{"spec":{"ports":[{"port":8080,"targetPort":8080}]}}',
          ]),
          `service/${name} patched\n`,
        );
        const lines = await w.waitFor('a row with the new port', (ls) =>
          ls.some((l) => l.startsWith(`${name} `) && l.includes('8080/TCP')),
        );
        assert.equal(lines.filter((l) => l.startsWith(`${name} `)).length, 2, lines.join('\n'));
        assert.equal(w.stderr, '');
      } finally {
        await w.stop();
      }
    });
  });

  describe(`integration: kubectl ${v} describe`, { skip: needs(kubectl) }, () => {
    test(`integration: describe service shows its type, IP and ports (kubectl ${v})`, async () => {
      const { name, ip } = await service('desc');
      const out = await k().ok(['describe', 'service', name]);
      assertLines(out, [
        new RegExp(`^Name:\\s+${esc(name)}$`),
        /^Namespace:\s+default$/,
        /^Labels:\s+<none>$/,
        new RegExp(`^Selector:\\s+app=${esc(name)}$`),
        /^Type:\s+ClusterIP$/,
        new RegExp(`^IP:\\s+${esc(ip)}$`),
        new RegExp(`^IPs:\\s+${esc(ip)}$`),
        /^Port:\s+<unset>\s+80\/TCP$/,
        /^TargetPort:\s+80\/TCP$/,
        /^Session Affinity:\s+None$/,
        /^Events:\s+<none>$/,
      ]);
    });

    test(`integration: describe pod shows its status and containers (kubectl ${v})`, async () => {
      const name = uniqueName(`dpod-${tag}`);
      const file = cluster.writeFile(`${name}.yaml`, podYaml(name));
      assert.equal(await k().ok(['create', '-f', file]), `pod/${name} created\n`);
      const out = await k().ok(['describe', 'pod', name]);
      assertLines(out, [
        new RegExp(`^Name:\\s+${esc(name)}$`),
        /^Namespace:\s+default$/,
        new RegExp(`^Labels:\\s+app=${esc(name)}$`),
        /^Status:\s+Pending$/,
        /^Containers:$/,
        /^ {2}app:$/,
        /^ {4}Image:\s+registry\.k8s\.io\/pause:3\.9$/,
        /^QoS Class:\s+BestEffort$/,
      ]);
    });

    test(`integration: describe namespace shows it Active with its name label (kubectl ${v})`, async () => {
      const ns = uniqueName(`dns-${tag}`);
      assert.equal(await k().ok(['create', '-f', '-'], { input: namespaceYaml(ns) }), `namespace/${ns} created\n`);
      const out = await k().ok(['describe', 'namespace', ns]);
      assertLines(out, [
        new RegExp(`^Name:\\s+${esc(ns)}$`),
        new RegExp(`^Labels:\\s+kubernetes\\.io/metadata\\.name=${esc(ns)}$`),
        /^Status:\s+Active$/,
      ]);
    });

    test(`integration: the EndpointSlice controller makes a slice that get and describe show (kubectl ${v})`, async () => {
      const { name } = await service('eps');
      const slice = await eventually(`an EndpointSlice for ${name}`, async () => {
        const out = await k().ok([
          'get',
          'endpointslices',
          '-l',
          `kubernetes.io/service-name=${name}`,
          '-o',
          'jsonpath={.items[*].metadata.name}',
        ]);
        return out.trim() ? out.trim().split(' ')[0] : undefined;
      });
      assert.ok(slice.startsWith(`${name}-`), `slice ${slice} is named after its Service`);
      const rows = parseTable(await k().ok(['get', 'endpointslices', slice]));
      assert.deepEqual(Object.keys(rows[0]!), ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
      assert.equal(rows[0]!['ADDRESSTYPE'], 'IPv4');
      const out = await k().ok(['describe', 'endpointslice', slice]);
      assertLines(out, [
        new RegExp(`^Name:\\s+${esc(slice)}$`),
        /^Namespace:\s+default$/,
        new RegExp(`^\\s*(Labels:\\s+)?kubernetes\\.io/service-name=${esc(name)}$`),
        /^AddressType:\s+IPv4$/,
      ]);
    });
  });
}
