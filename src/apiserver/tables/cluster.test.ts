import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configMapPrinter } from './configmaps.js';
import { eventPrinter } from './events.js';
import { leasePrinter } from './leases.js';
import { namespacePrinter } from './namespaces.js';
import { nodePrinter } from './nodes.js';
import { secretPrinter } from './secrets.js';
import { serviceAccountPrinter } from './serviceaccounts.js';
import { ago, kobj, now } from './testdata.js';

const nodeInfo = {
  kubeletVersion: 'v1.32.0+podnet',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  kernelVersion: '6.1.0-18-amd64',
  containerRuntimeVersion: 'podnet://0.1.0',
};
const addresses = [
  { type: 'InternalIP', address: '10.0.0.11' },
  { type: 'Hostname', address: 'node-1' },
];
const node = (labels: Record<string, string>, spec: Record<string, unknown>, status: Record<string, unknown>) =>
  kobj('v1', 'Node', 'node-1', { spec, status }, 2 * 86400 + 3 * 3600, { namespace: undefined, labels });

describe('node printer', () => {
  const cases: [string, ReturnType<typeof node>, unknown[]][] = [
    [
      'ready control plane',
      node(
        { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'node-1' },
        {},
        {
          conditions: [
            { type: 'MemoryPressure', status: 'False' },
            { type: 'Ready', status: 'True' },
          ],
          addresses,
          nodeInfo,
        },
      ),
      [
        'node-1',
        'Ready',
        'control-plane',
        '2d3h',
        'v1.32.0+podnet',
        '10.0.0.11',
        '<none>',
        'Debian GNU/Linux 12 (bookworm)',
        '6.1.0-18-amd64',
        'podnet://0.1.0',
      ],
    ],
    [
      'cordoned',
      node({}, { unschedulable: true }, { conditions: [{ type: 'Ready', status: 'True' }], addresses, nodeInfo }),
      [
        'node-1',
        'Ready,SchedulingDisabled',
        '<none>',
        '2d3h',
        'v1.32.0+podnet',
        '10.0.0.11',
        '<none>',
        'Debian GNU/Linux 12 (bookworm)',
        '6.1.0-18-amd64',
        'podnet://0.1.0',
      ],
    ],
    [
      'not ready (Unknown status counts as not ready), two roles sorted',
      node(
        { 'node-role.kubernetes.io/worker': '', 'kubernetes.io/role': 'edge' },
        {},
        {
          conditions: [{ type: 'Ready', status: 'Unknown' }],
          addresses: [...addresses, { type: 'ExternalIP', address: '203.0.113.5' }],
          nodeInfo,
        },
      ),
      [
        'node-1',
        'NotReady',
        'edge,worker',
        '2d3h',
        'v1.32.0+podnet',
        '10.0.0.11',
        '203.0.113.5',
        'Debian GNU/Linux 12 (bookworm)',
        '6.1.0-18-amd64',
        'podnet://0.1.0',
      ],
    ],
    [
      'just registered: no conditions, no info',
      node({}, {}, {}),
      ['node-1', 'Unknown', '<none>', '2d3h', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
    ],
  ];
  for (const [name, n, cells] of cases) test(name, () => assert.deepEqual(nodePrinter.print(n, now).cells, cells));
});

describe('event printer', () => {
  const base = {
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-0', fieldPath: 'spec.containers{app}' },
    reason: 'BackOff',
    type: 'Warning',
    message: 'Back-off restarting failed container app in pod web-0_default(uid)\n',
    source: { component: 'kubelet', host: 'node-1' },
  };
  const cases: [string, Record<string, unknown>, unknown[]][] = [
    [
      'core/v1 event with count',
      { ...base, firstTimestamp: ago(600), lastTimestamp: ago(30), count: 7 },
      [
        '30s',
        'Warning',
        'BackOff',
        'pod/web-0',
        'spec.containers{app}',
        'kubelet, node-1',
        'Back-off restarting failed container app in pod web-0_default(uid)',
        '10m',
        7,
        'x',
      ],
    ],
    [
      'events.k8s.io style: eventTime, series, reporting fields',
      {
        involvedObject: { kind: 'Node', name: 'node-1' },
        reason: 'NodeReady',
        type: 'Normal',
        message: 'Node node-1 status is now: NodeReady',
        eventTime: '2024-06-01T11:40:00.000000Z',
        series: { count: 3, lastObservedTime: '2024-06-01T11:59:00.000000Z' },
        reportingComponent: 'podnet-node',
        reportingInstance: 'node-1',
      },
      [
        '60s',
        'Normal',
        'NodeReady',
        'node/node-1',
        '',
        'podnet-node, node-1',
        'Node node-1 status is now: NodeReady',
        '20m',
        3,
        'x',
      ],
    ],
    [
      'singleton without count or last timestamp',
      {
        ...base,
        source: { component: 'scheduler' },
        firstTimestamp: ago(45),
        involvedObject: { kind: 'Pod', name: 'web-1' },
      },
      [
        '45s',
        'Warning',
        'BackOff',
        'pod/web-1',
        '',
        'scheduler',
        'Back-off restarting failed container app in pod web-0_default(uid)',
        '45s',
        1,
        'x',
      ],
    ],
    [
      'no timestamps at all, object without name',
      { reason: 'Starting', type: 'Normal', involvedObject: { kind: 'Node' }, message: 'x' },
      ['<unknown>', 'Normal', 'Starting', 'node', '', '', 'x', '<unknown>', 1, 'x'],
    ],
  ];
  for (const [name, fields, cells] of cases)
    test(name, () => assert.deepEqual(eventPrinter.print(kobj('v1', 'Event', 'x', fields), now).cells, cells));

  test('columns: Last Seen first, Name last and wide', () => {
    assert.deepEqual(
      eventPrinter.columns.map((c) => `${c.name}:${c.priority}`),
      [
        'Last Seen:0',
        'Type:0',
        'Reason:0',
        'Object:0',
        'Subobject:1',
        'Source:1',
        'Message:0',
        'First Seen:1',
        'Count:1',
        'Name:1',
      ],
    );
    assert.equal(eventPrinter.columns[9]!.format, 'name');
  });
});

describe('small printers', () => {
  const cases: [string, () => unknown[], unknown[]][] = [
    [
      'namespace active',
      () =>
        namespacePrinter.print(kobj('v1', 'Namespace', 'shop', { status: { phase: 'Active' } }, 86400 * 40), now).cells,
      ['shop', 'Active', '40d'],
    ],
    [
      'namespace terminating',
      () => namespacePrinter.print(kobj('v1', 'Namespace', 'old', { status: { phase: 'Terminating' } }, 30), now).cells,
      ['old', 'Terminating', '30s'],
    ],
    [
      'configmap counts data and binaryData',
      () =>
        configMapPrinter.print(
          kobj('v1', 'ConfigMap', 'cfg', { data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }),
          now,
        ).cells,
      ['cfg', 3, '5m'],
    ],
    [
      'empty configmap',
      () => configMapPrinter.print(kobj('v1', 'ConfigMap', 'kube-root-ca.crt'), now).cells,
      ['kube-root-ca.crt', 0, '5m'],
    ],
    [
      'secret',
      () =>
        secretPrinter.print(
          kobj('v1', 'Secret', 'tls', { type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } }),
          now,
        ).cells,
      ['tls', 'kubernetes.io/tls', 2, '5m'],
    ],
    [
      'serviceaccount',
      () =>
        serviceAccountPrinter.print(
          kobj('v1', 'ServiceAccount', 'default', { secrets: [{ name: 'default-token' }] }),
          now,
        ).cells,
      ['default', 1, '5m'],
    ],
    [
      'serviceaccount without secrets',
      () => serviceAccountPrinter.print(kobj('v1', 'ServiceAccount', 'default'), now).cells,
      ['default', 0, '5m'],
    ],
    [
      'lease held',
      () =>
        leasePrinter.print(
          kobj(
            'coordination.k8s.io/v1',
            'Lease',
            'node-1',
            { spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 } },
            3600,
          ),
          now,
        ).cells,
      ['node-1', 'node-1', '60m'],
    ],
    [
      'lease free',
      () => leasePrinter.print(kobj('coordination.k8s.io/v1', 'Lease', 'lock', { spec: {} }), now).cells,
      ['lock', '', '5m'],
    ],
  ];
  for (const [name, run, cells] of cases) test(name, () => assert.deepEqual(run(), cells));
});
