import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isStale,
  lastHeartbeat,
  podNotReadyConditions,
  unknownConditions,
  withUnreachableTaint,
} from './nodelifecycle-desired.js';
import { node, pod } from './testdata.js';

const t0 = Date.parse('2024-05-01T10:00:00Z');

test('heartbeat is the newer of lease renewal and first sighting; stale after the grace period', () => {
  const cases: [string | undefined, number, number, boolean][] = [
    ['2024-05-01T10:00:00Z', t0 - 3_600_000, t0 + 40_000, false],
    ['2024-05-01T10:00:00Z', t0 - 3_600_000, t0 + 41_000, true],
    [undefined, t0, t0 + 30_000, false],
    ['2024-05-01T09:00:00Z', t0, t0 + 30_000, false], // controller restarted: full grace from first sighting
  ];
  for (const [renew, seen, now, want] of cases)
    assert.equal(isStale(lastHeartbeat(renew, seen), now, 40), want, `${renew} ${now - t0}`);
});

test('a silent node gets Ready=Unknown with kube reason and message; already Unknown means no change', () => {
  const n = node('n1');
  n.status!.conditions!.push({ type: 'MemoryPressure', status: 'False' });
  const conds = unknownConditions(n, 'T')!;
  assert.deepEqual(
    conds.map((c) => [c.type, c.status, c.reason, c.message]),
    [
      ['Ready', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'],
      ['MemoryPressure', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'],
    ],
  );
  assert.equal(unknownConditions(node('n1', { ready: 'Unknown' }), 'T'), undefined);
  assert.equal(unknownConditions(node('n1', { ready: null }), 'T')![0]!.reason, 'NodeStatusNeverUpdated');
});

test('the unreachable taint is added once and removed without touching others', () => {
  const n = node('n1', { taints: [{ key: 'a', effect: 'NoSchedule' }] });
  const added = withUnreachableTaint(n, true, 'T');
  assert.deepEqual(added, [
    { key: 'a', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: 'T' },
  ]);
  n.spec!.taints = added;
  assert.deepEqual(withUnreachableTaint(n, true, 'U').length, 2);
  assert.deepEqual(withUnreachableTaint(n, false, 'U'), [{ key: 'a', effect: 'NoSchedule' }]);
});

test('pods on the node lose Ready; a pod already not ready is left alone', () => {
  assert.deepEqual(podNotReadyConditions(pod('a'), 'T'), [{ type: 'Ready', status: 'False', lastTransitionTime: 'T' }]);
  assert.equal(podNotReadyConditions(pod('a', { ready: false }), 'T'), undefined);
});
