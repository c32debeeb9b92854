import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  controllerRevisionPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  replicaSetPrinter,
  statefulSetPrinter,
} from './workloads.js';
import { kobj, now } from './testdata.js';

const template = {
  metadata: { labels: { app: 'web' } },
  spec: {
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    containers: [
      { name: 'web', image: 'nginx' },
      { name: 'side', image: 'podnet/agnhost' },
    ],
  },
};
const selector = {
  matchLabels: { app: 'web' },
  matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }],
};

describe('apps/v1 printers', () => {
  test('deployment: ready/desired, up-to-date, available, wide containers, images, selector', () => {
    const d = kobj('apps/v1', 'Deployment', 'web', {
      spec: { replicas: 3, selector, template },
      status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    });
    assert.deepEqual(deploymentPrinter.print(d, now).cells, [
      'web',
      '2/3',
      3,
      2,
      '5m',
      'web,side',
      'nginx,podnet/agnhost',
      'app=web,tier in (a,b)',
    ]);
    assert.deepEqual(
      deploymentPrinter.columns.map((c) => `${c.name}:${c.priority}`),
      ['Name:0', 'Ready:0', 'Up-to-date:0', 'Available:0', 'Age:0', 'Containers:1', 'Images:1', 'Selector:1'],
    );
  });
  test('deployment without status', () => {
    const d = kobj('apps/v1', 'Deployment', 'web', { spec: { replicas: 1, selector, template }, status: {} });
    assert.deepEqual(deploymentPrinter.print(d, now).cells.slice(0, 4), ['web', '0/1', 0, 0]);
  });
  test('replicaset: desired, current, ready', () => {
    const rs = kobj('apps/v1', 'ReplicaSet', 'web-5d8f', {
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template },
      status: { replicas: 2, readyReplicas: 1 },
    });
    assert.deepEqual(replicaSetPrinter.print(rs, now).cells, [
      'web-5d8f',
      2,
      2,
      1,
      '5m',
      'web,side',
      'nginx,podnet/agnhost',
      'app=web',
    ]);
  });
  test('daemonset: the five counters and the node selector', () => {
    const ds = kobj('apps/v1', 'DaemonSet', 'agent', {
      spec: { selector: { matchLabels: { app: 'web' } }, template },
      status: {
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        numberReady: 2,
        updatedNumberScheduled: 3,
        numberAvailable: 2,
      },
    });
    assert.deepEqual(daemonSetPrinter.print(ds, now).cells, [
      'agent',
      3,
      3,
      2,
      3,
      2,
      'kubernetes.io/os=linux',
      '5m',
      'web,side',
      'nginx,podnet/agnhost',
      'app=web',
    ]);
  });
  test('statefulset: ready/desired', () => {
    const sts = kobj('apps/v1', 'StatefulSet', 'db', { spec: { replicas: 3, template }, status: { readyReplicas: 3 } });
    assert.deepEqual(statefulSetPrinter.print(sts, now).cells, ['db', '3/3', '5m', 'web,side', 'nginx,podnet/agnhost']);
  });
  test('controllerrevision: its controller and revision', () => {
    const cr = kobj('apps/v1', 'ControllerRevision', 'agent-7f9c', { revision: 2 }, 300, {
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u', controller: true }],
    });
    assert.deepEqual(controllerRevisionPrinter.print(cr, now).cells, ['agent-7f9c', 'daemonset.apps/agent', 2, '5m']);
  });
});
