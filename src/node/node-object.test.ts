import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionsChanged, microTime, nodeConditions, nodeLease, nodeStatus, type HostFacts } from './node-object.js';
import { osImage } from './host-facts.js';

const host: HostFacts = {
  nodeName: 'node1',
  nodeIp: '10.250.0.11',
  cpus: 2,
  memoryKi: 1024,
  maxPods: 110,
  kernelVersion: '6.1',
  osImage: 'Debian',
  machineId: 'm',
  bootId: 'b',
  architecture: 'amd64',
  agentVersion: '0.1.0',
};

test('Ready follows the not-ready reason and keeps transition times while unchanged', () => {
  const t0 = '2026-01-01T00:00:00Z';
  const t1 = '2026-01-01T00:00:10Z';
  const cases: {
    name: string;
    prevReady?: 'True' | 'False';
    notReady?: string;
    want: string;
    wantTransition: string;
  }[] = [
    { name: 'first report, ready', notReady: undefined, want: 'True', wantTransition: t1 },
    {
      name: 'first report, network not ready',
      notReady: 'network plugin not ready',
      want: 'False',
      wantTransition: t1,
    },
    { name: 'still ready', prevReady: 'True', want: 'True', wantTransition: t0 },
    { name: 'becomes ready', prevReady: 'False', want: 'True', wantTransition: t1 },
    { name: 'becomes not ready', prevReady: 'True', notReady: 'x', want: 'False', wantTransition: t1 },
  ];
  for (const c of cases) {
    const prev = c.prevReady ? nodeConditions(undefined, c.prevReady === 'True' ? undefined : 'x', t0) : undefined;
    const ready = nodeConditions(prev, c.notReady, t1).find((x) => x.type === 'Ready')!;
    assert.equal(ready.status, c.want, c.name);
    assert.equal(ready.lastTransitionTime, c.wantTransition, c.name);
    assert.equal(ready.lastHeartbeatTime, t1, c.name);
    if (c.notReady) assert.equal(ready.message, c.notReady, c.name);
  }
});

test('a heartbeat alone is not a change; a status flip is', () => {
  const a = nodeConditions(undefined, undefined, '2026-01-01T00:00:00Z');
  const b = nodeConditions(a, undefined, '2026-01-01T00:01:00Z');
  const c = nodeConditions(a, 'down', '2026-01-01T00:01:00Z');
  assert.equal(conditionsChanged(a, b), false);
  assert.equal(conditionsChanged(a, c), true);
  assert.equal(conditionsChanged(undefined, a), true);
});

test('node status carries addresses, capacity and node info', () => {
  const s = nodeStatus(host, undefined, undefined, '2026-01-01T00:00:00Z') as Record<string, any>;
  assert.deepEqual(s.addresses, [
    { type: 'InternalIP', address: '10.250.0.11' },
    { type: 'Hostname', address: 'node1' },
  ]);
  assert.equal(s.capacity.pods, '110');
  assert.equal(s.capacity.memory, '1024Ki');
  assert.equal(s.nodeInfo.architecture, 'amd64');
  assert.match(s.nodeInfo.containerRuntimeVersion, /^podnet:\/\//);
});

test('lease: MicroTime renewTime, owner is the node', () => {
  assert.equal(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), '2026-01-02T03:04:05.678000Z');
  const l = nodeLease('node1', 'uid-1', 0) as Record<string, any>;
  assert.equal(l.metadata.namespace, 'kube-node-lease');
  assert.equal(l.spec.holderIdentity, 'node1');
  assert.equal(l.spec.leaseDurationSeconds, 40);
  assert.deepEqual(l.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'node1', uid: 'uid-1' }]);
  assert.equal((nodeLease('node1', undefined, 0) as Record<string, any>).metadata.ownerReferences, undefined);
});

test('os image from os-release', () => {
  assert.equal(
    osImage('NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'),
    'Debian GNU/Linux 12 (bookworm)',
  );
  assert.equal(osImage(''), 'Linux');
});
