import assert from 'node:assert/strict';
import { test } from 'node:test';
import { age, newestFirst, nodeStatus, podReady, podRestarts, podStatus } from './format.js';
import type { EventObject, PodObject } from './objects.js';

test('age as kubectl prints it', () => {
  const now = Date.parse('2026-01-02T00:00:00Z');
  const cases: [string | undefined, string][] = [
    [undefined, ''],
    ['2026-01-01T23:59:15Z', '45s'],
    ['2026-01-01T23:50:00Z', '10m'],
    ['2026-01-01T21:00:00Z', '3h'],
    ['2025-12-28T00:00:00Z', '5d'],
    ['2026-01-03T00:00:00Z', '0s'],
  ];
  for (const [ts, want] of cases) assert.equal(age(ts, now), want, String(ts));
});

test('pod status, ready and restarts columns', () => {
  const pod = (status: PodObject['status'], extra: Partial<PodObject['metadata']> = {}): PodObject => ({
    metadata: { name: 'p', ...extra },
    spec: { containers: [{ name: 'a' }, { name: 'b' }] },
    ...(status ? { status } : {}),
  });
  const cases: [PodObject, string, string, number][] = [
    [pod(undefined), 'Pending', '0/2', 0],
    [
      pod({
        phase: 'Running',
        containerStatuses: [
          { name: 'a', ready: true, restartCount: 1 },
          { name: 'b', ready: true, restartCount: 2 },
        ],
      }),
      'Running',
      '2/2',
      3,
    ],
    [
      pod({ phase: 'Running', containerStatuses: [{ name: 'a', state: { waiting: { reason: 'CrashLoopBackOff' } } }] }),
      'CrashLoopBackOff',
      '0/2',
      0,
    ],
    [pod({ phase: 'Running' }, { deletionTimestamp: '2026-01-01T00:00:00Z' }), 'Terminating', '0/2', 0],
    [
      pod({
        phase: 'Failed',
        containerStatuses: [{ name: 'a', state: { terminated: { reason: 'Error', exitCode: 1 } } }],
      }),
      'Error',
      '0/2',
      0,
    ],
  ];
  for (const [p, status, ready, restarts] of cases) {
    assert.equal(podStatus(p), status);
    assert.equal(podReady(p), ready);
    assert.equal(podRestarts(p), restarts);
  }
});

test('node status and event order', () => {
  assert.equal(
    nodeStatus({ metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }),
    'Ready',
  );
  assert.equal(
    nodeStatus({
      metadata: { name: 'n' },
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    }),
    'NotReady,SchedulingDisabled',
  );
  const ev = (name: string, lastTimestamp: string): EventObject => ({ metadata: { name }, lastTimestamp });
  const sorted = [ev('old', '2026-01-01T00:00:00Z'), ev('new', '2026-01-01T01:00:00Z')].sort(newestFirst);
  assert.deepEqual(
    sorted.map((e) => e.metadata.name),
    ['new', 'old'],
  );
});
