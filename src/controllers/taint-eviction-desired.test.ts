import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evictionTime } from './taint-eviction-desired.js';
import type { Taint, Toleration } from './types.js';

const t0 = Date.parse('2024-05-01T10:00:00Z');
const unreachable: Taint = {
  key: 'node.kubernetes.io/unreachable',
  effect: 'NoExecute',
  timeAdded: '2024-05-01T10:00:00Z',
};
const custom: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoExecute', timeAdded: '2024-05-01T10:00:10Z' };
const noSchedule: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' };
const tolerate = (key: string | undefined, seconds?: number, effect = 'NoExecute'): Toleration => ({
  ...(key ? { key } : {}),
  operator: 'Exists',
  effect,
  ...(seconds === undefined ? {} : { tolerationSeconds: seconds }),
});

test("a pod's eviction from a node with NoExecute taints follows kube's taint manager", () => {
  const now = t0 + 5_000;
  const seen = () => now;
  const cases: [string, Taint[], Toleration[], { at: number } | undefined][] = [
    ['no NoExecute taint: never', [noSchedule], [], undefined],
    ['not tolerated: now', [unreachable], [], { at: now }],
    ['tolerated for ever: never', [unreachable], [tolerate('node.kubernetes.io/unreachable')], undefined],
    [
      'tolerated 300 s: 300 s after the taint',
      [unreachable],
      [tolerate('node.kubernetes.io/unreachable', 300)],
      { at: t0 + 300_000 },
    ],
    [
      'tolerationSeconds 0: now, not before the taint',
      [unreachable],
      [tolerate('node.kubernetes.io/unreachable', 0)],
      { at: t0 },
    ],
    ['negative counts as 0', [unreachable], [tolerate('node.kubernetes.io/unreachable', -5)], { at: t0 }],
    [
      'one of two taints not tolerated: now',
      [unreachable, custom],
      [tolerate('node.kubernetes.io/unreachable', 300)],
      { at: now },
    ],
    [
      'two taints: the shortest toleration, from the newest taint',
      [unreachable, custom],
      [tolerate('node.kubernetes.io/unreachable', 300), tolerate('dedicated', 60)],
      { at: t0 + 10_000 + 60_000 },
    ],
    [
      'an empty key with Exists tolerates everything, for ever',
      [unreachable, custom],
      [tolerate(undefined)],
      undefined,
    ],
    [
      'a NoSchedule toleration does not count',
      [unreachable],
      [tolerate('node.kubernetes.io/unreachable', 300, 'NoSchedule')],
      { at: now },
    ],
    [
      'the first tolerating toleration is the one used (kube)',
      [unreachable],
      [tolerate('node.kubernetes.io/unreachable'), tolerate('node.kubernetes.io/unreachable', 5)],
      undefined,
    ],
  ];
  for (const [name, taints, tolerations, want] of cases)
    assert.deepEqual(evictionTime(taints, tolerations, now, seen), want, name);
  const { timeAdded: _t, ...noTime } = unreachable;
  assert.deepEqual(
    evictionTime([noTime], [tolerate('node.kubernetes.io/unreachable', 30)], now, () => t0 + 1_000),
    { at: t0 + 31_000 },
    'a taint without timeAdded counts from when it was first seen',
  );
});
