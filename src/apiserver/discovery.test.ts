import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  discoveryContentType,
  negotiateDiscovery,
  serveDiscovery,
  storageVersionHash,
  versionInfo,
} from './discovery.js';

// Accept headers exactly as client-go's discovery client builds them.
const v2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const v2beta1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
const kubectl127 = `${v2beta1},application/json`;
const kubectl132 = `${v2},${v2beta1},application/json`;
const kubectlNoPeer = `${v2};profile=nopeer,${kubectl132}`;

/** client-go's ContentTypeIsGVK: base type application/json and g/v/as params, any order, extra params ignored. */
function contentTypeIsGVK(contentType: string, g: string, v: string, as: string): boolean {
  const [base, ...rest] = contentType.split(';').map((s) => s.trim());
  const params = Object.fromEntries(rest.map((p) => p.split('=') as [string, string]));
  return base === 'application/json' && params['g'] === g && params['v'] === v && params['as'] === as;
}

describe('negotiateDiscovery', () => {
  const cases: [string, string | undefined, string][] = [
    ['no Accept', undefined, 'legacy'],
    ['plain json', 'application/json', 'legacy'],
    ['*/*', '*/*', 'legacy'],
    ['kubectl 1.27', kubectl127, 'v2beta1'],
    ['kubectl 1.32/1.33', kubectl132, 'v2'],
    ['client with nopeer profile', kubectlNoPeer, 'v2'],
    [
      'params in another order with spaces',
      'application/json; as=APIGroupDiscoveryList; v=v2; g=apidiscovery.k8s.io',
      'v2',
    ],
    ['json first wins over aggregated', `application/json,${v2}`, 'legacy'],
    ['q prefers the later clause', `${v2};q=0.5,${v2beta1}`, 'v2beta1'],
    [
      'unknown discovery version skipped',
      'application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json',
      'legacy',
    ],
    [
      'protobuf aggregated skipped, json v2 taken',
      `application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,${v2}`,
      'v2',
    ],
    ['Table request on discovery is legacy', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json', 'legacy'],
  ];
  for (const [name, accept, want] of cases) {
    test(name, () => assert.equal(negotiateDiscovery(accept), want));
  }
});

describe('aggregated handshake as client-go sees it', () => {
  for (const [client, accept, version] of [
    ['1.27', kubectl127, 'v2beta1'],
    ['1.32', kubectl132, 'v2'],
    ['nopeer', kubectlNoPeer, 'v2'],
  ] as const) {
    test(`kubectl ${client} on /apis gets ${version} with a matching Content-Type`, () => {
      const res = serveDiscovery({ legacy: false }, accept, '127.0.0.1:6443')!;
      assert.ok(
        contentTypeIsGVK(res.contentType, 'apidiscovery.k8s.io', version, 'APIGroupDiscoveryList'),
        res.contentType,
      );
      assert.equal((res.body as { apiVersion: string }).apiVersion, `apidiscovery.k8s.io/${version}`);
      assert.equal(res.headers['Vary'], 'Accept');
    });
  }

  test('1.27 is never sent v2 (it would parse it as legacy APIVersions)', () => {
    const res = serveDiscovery({ legacy: true }, kubectl127, '127.0.0.1:6443')!;
    assert.ok(!contentTypeIsGVK(res.contentType, 'apidiscovery.k8s.io', 'v2', 'APIGroupDiscoveryList'));
  });

  test('legacy Accept gets plain JSON APIVersions on /api', () => {
    const res = serveDiscovery({ legacy: true }, 'application/json', '10.0.0.1:6443')!;
    assert.equal(res.contentType, 'application/json');
    assert.deepEqual(res.body, {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:6443' }],
    });
  });

  test('content types', () => {
    assert.equal(discoveryContentType('v2'), v2);
    assert.equal(discoveryContentType('v2beta1'), v2beta1);
  });
});

describe('aggregated documents', () => {
  interface Sub {
    subresource: string;
    responseKind: { group: string; version: string; kind: string };
    verbs: string[];
  }
  interface Res {
    resource: string;
    responseKind: object;
    scope: string;
    singularResource: string;
    verbs: string[];
    shortNames?: string[];
    categories?: string[];
    subresources?: Sub[];
  }
  interface Doc {
    items: { metadata: { name?: string }; versions: { version: string; freshness: string; resources: Res[] }[] }[];
  }

  test('/api holds only the core group, with pods and their subresources', () => {
    const doc = aggregatedDiscovery('core', 'v2') as Doc;
    assert.equal(doc.items.length, 1);
    assert.equal(doc.items[0]!.metadata.name, undefined);
    const v1 = doc.items[0]!.versions[0]!;
    assert.equal(v1.version, 'v1');
    assert.equal(v1.freshness, 'Current');
    const pods = v1.resources.find((r) => r.resource === 'pods')!;
    assert.deepEqual(pods.responseKind, { group: '', version: 'v1', kind: 'Pod' });
    assert.equal(pods.scope, 'Namespaced');
    assert.equal(pods.singularResource, 'pod');
    assert.deepEqual(pods.shortNames, ['po']);
    assert.deepEqual(pods.categories, ['all']);
    assert.deepEqual(
      pods.subresources!.map((s) => s.subresource),
      ['attach', 'binding', 'exec', 'log', 'portforward', 'status'],
    );
    const exec = pods.subresources!.find((s) => s.subresource === 'exec')!;
    assert.deepEqual(exec, {
      subresource: 'exec',
      responseKind: { group: '', version: 'v1', kind: 'PodExecOptions' },
      verbs: ['create', 'get'],
    });
    const nodes = v1.resources.find((r) => r.resource === 'nodes')!;
    assert.equal(nodes.scope, 'Cluster');
  });

  test('/apis lists each named group once and no core group', () => {
    const doc = aggregatedDiscovery('groups', 'v2beta1') as Doc & { apiVersion: string };
    assert.equal(doc.apiVersion, 'apidiscovery.k8s.io/v2beta1');
    assert.deepEqual(
      doc.items.map((i) => i.metadata.name),
      [
        'discovery.k8s.io',
        'networking.k8s.io',
        'coordination.k8s.io',
        'apps',
        'rbac.authorization.k8s.io',
        'authorization.k8s.io',
        'authentication.k8s.io',
      ],
    );
    const net = doc.items[1]!.versions[0]!.resources.map((r) => r.resource);
    assert.deepEqual(net, ['ingressclasses', 'ingresses', 'networkpolicies']);
  });
});

describe('legacy documents', () => {
  interface Entry {
    name: string;
    singularName: string;
    namespaced: boolean;
    kind: string;
    verbs: string[];
    shortNames?: string[];
    categories?: string[];
    storageVersionHash?: string;
  }

  test('/api/v1 lists resources and subresources sorted by name, like kube-apiserver', () => {
    const list = apiResourceList('', 'v1') as {
      kind: string;
      apiVersion?: string;
      groupVersion: string;
      resources: Entry[];
    };
    assert.equal(list.kind, 'APIResourceList');
    assert.equal(list.apiVersion, undefined);
    assert.equal(list.groupVersion, 'v1');
    const names = list.resources.map((r) => r.name);
    assert.deepEqual(names, [...names].sort());
    for (const n of [
      'pods',
      'pods/status',
      'pods/log',
      'pods/exec',
      'pods/attach',
      'pods/portforward',
      'pods/binding',
      'namespaces/finalize',
      'services/status',
    ]) {
      assert.ok(names.includes(n), `missing ${n}`);
    }
    const pods = list.resources.find((r) => r.name === 'pods')!;
    assert.deepEqual(pods, {
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['po'],
      categories: ['all'],
      storageVersionHash: 'xPOwRZ+Yhw8=',
    });
    const log = list.resources.find((r) => r.name === 'pods/log')!;
    assert.deepEqual(log, { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
  });

  test('named group resource list carries apiVersion and groupVersion', () => {
    const list = apiResourceList('networking.k8s.io', 'v1') as {
      apiVersion: string;
      groupVersion: string;
      resources: Entry[];
    };
    assert.equal(list.apiVersion, 'v1');
    assert.equal(list.groupVersion, 'networking.k8s.io/v1');
    assert.deepEqual(
      list.resources.map((r) => r.name),
      ['ingressclasses', 'ingresses', 'ingresses/status', 'networkpolicies'],
    );
  });

  test('apps/v1: workloads, their short names, and scale answering in autoscaling/v1', () => {
    const list = apiResourceList('apps', 'v1') as { groupVersion: string; resources: Entry[] };
    assert.equal(list.groupVersion, 'apps/v1');
    const names = list.resources.map((r) => r.name);
    for (const n of ['deployments', 'deployments/scale', 'deployments/status', 'replicasets/scale', 'daemonsets'])
      assert.ok(names.includes(n), n);
    assert.ok(!names.includes('daemonsets/scale'));
    assert.deepEqual(
      list.resources.find((r) => r.name === 'deployments/scale'),
      {
        name: 'deployments/scale',
        singularName: '',
        namespaced: true,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'patch', 'update'],
      },
    );
    assert.deepEqual(list.resources.find((r) => r.name === 'statefulsets')?.shortNames, ['sts']);
    const agg = aggregatedDiscovery('groups', 'v2') as {
      items: { metadata: { name: string }; versions: { resources: Record<string, unknown>[] }[] }[];
    };
    const apps = agg.items.find((g) => g.metadata.name === 'apps')!;
    const deploy = apps.versions[0]!.resources.find((r) => r['resource'] === 'deployments')!;
    assert.deepEqual(deploy['subresources'], [
      {
        subresource: 'scale',
        responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
        verbs: ['get', 'patch', 'update'],
      },
      {
        subresource: 'status',
        responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' },
        verbs: ['get', 'patch', 'update'],
      },
    ]);
  });

  test('unknown group or version is undefined (404)', () => {
    assert.equal(apiResourceList('batch', 'v1'), undefined);
    assert.equal(apiResourceList('', 'v2'), undefined);
    assert.equal(apiGroup('batch'), undefined);
    assert.equal(apiGroup(''), undefined);
    assert.equal(serveDiscovery({ legacy: false, group: 'batch' }, undefined, 'x:1'), undefined);
    assert.equal(serveDiscovery({ legacy: false, group: 'batch', version: 'v1' }, undefined, 'x:1'), undefined);
  });

  test('/apis and /apis/<g>', () => {
    const list = apiGroupList() as { kind: string; groups: { name: string; preferredVersion: object }[] };
    assert.equal(list.kind, 'APIGroupList');
    assert.deepEqual(
      list.groups.map((g) => g.name),
      [
        'discovery.k8s.io',
        'networking.k8s.io',
        'coordination.k8s.io',
        'apps',
        'rbac.authorization.k8s.io',
        'authorization.k8s.io',
        'authentication.k8s.io',
      ],
    );
    assert.deepEqual(apiGroup('coordination.k8s.io'), {
      kind: 'APIGroup',
      apiVersion: 'v1',
      name: 'coordination.k8s.io',
      versions: [{ groupVersion: 'coordination.k8s.io/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'coordination.k8s.io/v1', version: 'v1' },
    });
    assert.deepEqual(apiVersions('h:1'), serveDiscovery({ legacy: true }, undefined, 'h:1')!.body);
  });

  test('non-root paths ignore aggregated Accept and answer JSON', () => {
    const res = serveDiscovery({ legacy: true, group: '', version: 'v1' }, kubectl132, 'h:1')!;
    assert.equal(res.contentType, 'application/json');
    assert.equal((res.body as { kind: string }).kind, 'APIResourceList');
  });
});

describe('storageVersionHash', () => {
  // Values a real cluster publishes in /api/v1 and /apis/<g>/<v>.
  const cases: [string, string, string, string][] = [
    ['', 'v1', 'Pod', 'xPOwRZ+Yhw8='],
    ['', 'v1', 'Service', '0/CO1lhkEBI='],
    ['', 'v1', 'Namespace', 'Q3oi5N2YM8M='],
    ['', 'v1', 'Node', 'XwShjMxG9Fs='],
  ];
  for (const [g, v, k, want] of cases) test(`${g}/${v}/${k}`, () => assert.equal(storageVersionHash(g, v, k), want));
});

describe('/version', () => {
  test('reports 1.32 with a semver gitVersion kubectl can parse', () => {
    const info = versionInfo() as { major: string; minor: string; gitVersion: string; platform: string };
    assert.equal(info.major, '1');
    assert.equal(info.minor, '32');
    assert.match(info.gitVersion, /^v1\.32\.\d+(\+[0-9A-Za-z.-]+)?$/);
    assert.match(info.platform, /^[a-z0-9]+\/[a-z0-9]+$/);
  });
});
