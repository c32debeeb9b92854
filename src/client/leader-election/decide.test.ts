import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decide, type LeaseRecord, type Observation } from './decide.js';

const other: LeaseRecord = { holderIdentity: 'b', leaseDurationSeconds: 15, renewTime: 't1' };

test('leader election steps', () => {
  const cases: Array<{
    name: string;
    current?: LeaseRecord;
    observed?: Observation;
    now: number;
    want: ReturnType<typeof decide>['kind'];
    expiresInMs?: number;
  }> = [
    { name: 'no lease: create it', now: 0, want: 'create' },
    { name: 'ours: renew', current: { holderIdentity: 'a', renewTime: 't0' }, now: 0, want: 'renew' },
    { name: 'released (no holder): acquire', current: { holderIdentity: '' }, now: 0, want: 'acquire' },
    {
      name: 'first sight of a held lease: wait a full duration',
      current: other,
      now: 1000,
      want: 'wait',
      expiresInMs: 15_000,
    },
    {
      name: 'unchanged since seen, within the duration: wait the rest',
      current: other,
      observed: { record: other, atMs: 0 },
      now: 10_000,
      want: 'wait',
      expiresInMs: 5_000,
    },
    {
      name: 'unchanged for the whole duration: the holder is gone, acquire',
      current: other,
      observed: { record: other, atMs: 0 },
      now: 15_000,
      want: 'acquire',
    },
    {
      name: 'renewed since seen: the clock restarts',
      current: { ...other, renewTime: 't2' },
      observed: { record: other, atMs: 0 },
      now: 20_000,
      want: 'wait',
      expiresInMs: 15_000,
    },
    {
      name: 'a new holder since seen: the clock restarts',
      current: { ...other, holderIdentity: 'c' },
      observed: { record: other, atMs: 0 },
      now: 20_000,
      want: 'wait',
      expiresInMs: 15_000,
    },
    {
      name: 'the default duration when the lease has none',
      current: { holderIdentity: 'b', renewTime: 't1' },
      observed: { record: { holderIdentity: 'b', renewTime: 't1' }, atMs: 0 },
      now: 9_000,
      want: 'acquire',
    },
  ];
  for (const c of cases) {
    const step = decide('a', c.current, c.observed, c.now, 8);
    assert.equal(step.kind, c.want, c.name);
    if (step.kind === 'wait') assert.equal(step.expiresInMs, c.expiresInMs, c.name);
  }
});
