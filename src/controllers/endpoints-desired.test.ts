import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { desiredEndpoints, truncate, type EndpointSubset } from './endpoints-desired.js';
import { pod, service } from './testdata.js';

describe('desiredEndpoints', () => {
  test('ready pods in addresses, not ready in notReadyAddresses, one subset per port list', () => {
    const svc = service('web', { ports: [{ name: 'http', port: 80, targetPort: 'web' }] });
    const ep = desiredEndpoints(svc, [
      pod('b', { ip: '10.0.0.12', node: 'n1', ports: [{ name: 'web', containerPort: 8080 }] }),
      pod('a', { ip: '10.0.0.2', node: 'n1', ports: [{ name: 'web', containerPort: 8080 }] }),
      pod('c', { ip: '10.0.0.3', ready: false, ports: [{ name: 'web', containerPort: 8080 }] }),
      pod('d', { ip: '10.0.0.4', ports: [{ name: 'web', containerPort: 9000 }] }),
      pod('e', { ip: '10.0.0.5' }), // no port named "web": not listed
    ])!;
    assert.deepEqual(ep.metadata, {
      name: 'web',
      namespace: 'default',
      labels: { 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' },
    });
    assert.deepEqual(ep.subsets, [
      {
        addresses: [
          { ip: '10.0.0.2', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } },
          {
            ip: '10.0.0.12',
            nodeName: 'n1',
            targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' },
          },
        ],
        notReadyAddresses: [
          { ip: '10.0.0.3', targetRef: { kind: 'Pod', namespace: 'default', name: 'c', uid: 'uid-c' } },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
      {
        addresses: [{ ip: '10.0.0.4', targetRef: { kind: 'Pod', namespace: 'default', name: 'd', uid: 'uid-d' } }],
        ports: [{ name: 'http', port: 9000, protocol: 'TCP' }],
      },
    ]);
  });

  test('terminating pods are left out unless the service publishes not-ready addresses', () => {
    const pods = [pod('a', { ip: '10.0.0.2', deleting: true })];
    assert.deepEqual(desiredEndpoints(service('web'), pods)!.subsets, []);
    assert.equal(
      desiredEndpoints(service('web', { publishNotReady: true }), pods)!.subsets![0]!.addresses![0]!.ip,
      '10.0.0.2',
    );
  });

  test('an unnamed port has no name; a headless service without ports lists addresses with no ports', () => {
    const unnamed = desiredEndpoints(service('web', { ports: [{ port: 80, targetPort: 8080 }] }), [
      pod('a', { ip: '10.0.0.2' }),
    ])!;
    assert.deepEqual(unnamed.subsets![0]!.ports, [{ port: 8080, protocol: 'TCP' }]);
    const headless = desiredEndpoints(service('h', { ports: [], clusterIP: 'None' }), [pod('a', { ip: '10.0.0.2' })])!;
    assert.deepEqual(headless.subsets, [
      { addresses: [{ ip: '10.0.0.2', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } }] },
    ]);
    assert.equal(headless.metadata.labels!['service.kubernetes.io/headless'], '');
  });

  test('no selector: the controller leaves the Endpoints alone', () => {
    assert.equal(desiredEndpoints(service('web', { selector: null }), [pod('a', { ip: '10.0.0.2' })]), undefined);
  });

  test('more than 1000 addresses: truncated and annotated', () => {
    const pods = Array.from({ length: 1100 }, (_, i) =>
      pod(`p${i}`, { ip: `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`, ready: i % 2 === 0 }),
    );
    const ep = desiredEndpoints(service('web'), pods)!;
    const s = ep.subsets![0]!;
    assert.equal(s.addresses!.length, 550, 'every ready address is kept');
    assert.equal(s.notReadyAddresses!.length, 450);
    assert.equal(ep.metadata.annotations!['endpoints.kubernetes.io/over-capacity'], 'truncated');
  });
});

describe('truncate', () => {
  const addrs = (n: number, p: string) => Array.from({ length: n }, (_, i) => ({ ip: `${p}.${i}` }));
  const cases: { name: string; subsets: EndpointSubset[]; max: number; want: [number, number][] }[] = [
    { name: 'under capacity: unchanged', subsets: [{ addresses: addrs(3, '1') }], max: 5, want: [[3, 0]] },
    {
      name: 'too many ready: not-ready dropped, ready cut proportionally',
      subsets: [{ addresses: addrs(8, '1'), notReadyAddresses: addrs(2, '2') }, { addresses: addrs(4, '3') }],
      max: 6,
      want: [
        [4, 0],
        [2, 0],
      ],
    },
    {
      name: 'room for some not-ready',
      subsets: [{ addresses: addrs(2, '1'), notReadyAddresses: addrs(4, '2') }, { notReadyAddresses: addrs(4, '3') }],
      max: 6,
      want: [
        [2, 2],
        [0, 2],
      ],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = truncate(c.subsets, c.max).map((s) => [s.addresses?.length ?? 0, s.notReadyAddresses?.length ?? 0]);
      assert.deepEqual(got, c.want);
    });
  }
});
