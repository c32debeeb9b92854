import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drainBudgetMs, drainDecision, type DrainConsumer, type DrainSlice } from './endpoint-drain-decision.js';

const NOW = Date.parse('2026-01-01T00:00:30Z');
const slice = (rv: string, ready: boolean, name = 'default/web-abc'): DrainSlice => ({
  name,
  resourceVersion: rv,
  ready,
});
const consumer = (
  name: string,
  applied: string | undefined,
  renewTime = '2026-01-01T00:00:20.000000Z',
): DrainConsumer => ({
  name,
  applied,
  renewTime,
  leaseDurationSeconds: 40,
});

test('drainDecision', () => {
  const cases: { name: string; slices: DrainSlice[]; consumers: DrainConsumer[]; done: boolean; reason?: RegExp }[] = [
    { name: 'no slice lists the pod', slices: [], consumers: [consumer('kube-node-lease/n1', '1')], done: true },
    {
      name: 'the slice still lists it ready: the controller has not seen the deletion',
      slices: [slice('10', true)],
      consumers: [consumer('kube-node-lease/n1', '99')],
      done: false,
      reason: /EndpointSlice default\/web-abc still lists the pod as ready/,
    },
    {
      name: 'every consumer applied the revision',
      slices: [slice('10', false)],
      consumers: [consumer('kube-node-lease/n1', '10'), consumer('kube-system/dns-1', '12')],
      done: true,
    },
    {
      name: 'one consumer behind',
      slices: [slice('10', false)],
      consumers: [consumer('kube-node-lease/n2', '9'), consumer('kube-node-lease/n1', '10')],
      done: false,
      reason: /^kube-node-lease\/n2 not yet at EndpointSlice revision 10$/,
    },
    {
      name: 'revisions compare as numbers, not strings',
      slices: [slice('100', false)],
      consumers: [consumer('kube-node-lease/n1', '99')],
      done: false,
    },
    {
      name: 'the newest of several slices counts',
      slices: [slice('10', false, 'a/x'), slice('20', false, 'b/y')],
      consumers: [consumer('kube-node-lease/n1', '15')],
      done: false,
      reason: /revision 20/,
    },
    {
      name: 'a consumer whose Lease expired is not waited for',
      slices: [slice('10', false)],
      consumers: [consumer('kube-node-lease/n1', '1', '2025-12-31T23:59:00.000000Z')],
      done: true,
    },
    {
      name: 'a live consumer that never published is waited for',
      slices: [slice('10', false)],
      consumers: [consumer('kube-system/dns-1', undefined)],
      done: false,
    },
    {
      name: 'a Lease never renewed is not live',
      slices: [slice('10', false)],
      consumers: [{ name: 'x/y', applied: '1', renewTime: undefined, leaseDurationSeconds: 40 }],
      done: true,
    },
  ];
  for (const c of cases) {
    const d = drainDecision(c.slices, c.consumers, NOW);
    assert.equal(d.done, c.done, c.name);
    if (c.reason) assert.match(d.done ? '' : d.reason, c.reason, c.name);
  }
});

test('drainBudgetMs: half the grace period, at most 10 s, none without grace', () => {
  assert.deepEqual([0, 1, 4, 30, 600].map(drainBudgetMs), [0, 500, 2000, 10_000, 10_000]);
});
