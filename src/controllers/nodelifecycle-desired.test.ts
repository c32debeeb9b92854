import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isStale,
  lastHeartbeat,
  podNotReadyConditions,
  readinessTaints,
  unknownConditions,
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

test("a node's taints follow its Ready condition, keep their timeAdded, and leave other taints alone", () => {
  const other = { key: 'a', effect: 'NoSchedule' };
  const unreachable = (effect: string, timeAdded = 'T') => ({
    key: 'node.kubernetes.io/unreachable',
    effect,
    timeAdded,
  });
  const notReady = (effect: string, timeAdded = 'T') => ({ key: 'node.kubernetes.io/not-ready', effect, timeAdded });
  const cases: [string, Parameters<typeof node>[1], ReturnType<typeof readinessTaints>][] = [
    [
      'Unknown: unreachable, both effects',
      { ready: 'Unknown', taints: [other] },
      [other, unreachable('NoSchedule'), unreachable('NoExecute')],
    ],
    ['False: not-ready, both effects', { ready: 'False' }, [notReady('NoSchedule'), notReady('NoExecute')]],
    [
      'True: none',
      { ready: 'True', taints: [other, unreachable('NoSchedule', 'S'), unreachable('NoExecute', 'S')] },
      [other],
    ],
    ['not reported yet: none, nothing to change', { ready: null }, undefined],
    [
      'already right: unchanged',
      { ready: 'Unknown', taints: [unreachable('NoExecute', 'S'), unreachable('NoSchedule', 'S')] },
      undefined,
    ],
    [
      'one effect missing: added, the other keeps its time',
      { ready: 'Unknown', taints: [unreachable('NoSchedule', 'S')] },
      [unreachable('NoSchedule', 'S'), unreachable('NoExecute')],
    ],
    [
      'Unknown after False: not-ready goes, unreachable comes',
      { ready: 'Unknown', taints: [notReady('NoSchedule', 'S'), notReady('NoExecute', 'S')] },
      [unreachable('NoSchedule'), unreachable('NoExecute')],
    ],
    ['True with no taints: nothing', { ready: 'True' }, undefined],
  ];
  for (const [name, o, want] of cases) assert.deepEqual(readinessTaints(node('n1', o), 'T'), want, name);
});

test('pods on the node lose Ready; a pod already not ready is left alone', () => {
  assert.deepEqual(podNotReadyConditions(pod('a'), 'T'), [{ type: 'Ready', status: 'False', lastTransitionTime: 'T' }]);
  assert.equal(podNotReadyConditions(pod('a', { ready: false }), 'T'), undefined);
});
