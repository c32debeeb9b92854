import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGoals, ratioText, type ModeSummary } from './report.js';

const rate = (
  services: number,
  from: 'pod' | 'node',
  ratio: number,
  ratioInterval: [number, number],
): ModeSummary['connRate'][number] => ({
  services,
  from,
  rounds: 30,
  directPerSec: 14000,
  clusterIpPerSec: 14000 * ratio,
  floorPerSec: 13500,
  ratio,
  ratioInterval,
  floorRatio: 0.96,
  floorRatioInterval: [0.95, 0.97],
  errors: 0,
});

test('the connection-rate goal is met only when the whole interval clears 0.95, at the largest size', () => {
  const cases: Array<[string, [number, [number, number]], boolean]> = [
    ['interval above the goal', [0.969, [0.958, 0.979]], true],
    ['interval starting at the goal', [0.96, [0.95, 0.97]], true],
    ['median above, interval reaching below', [0.955, [0.94, 0.97]], false],
    ['all below', [0.93, [0.92, 0.94]], false],
    ['too few rounds for an interval', [0.99, [NaN, NaN]], false],
  ];
  for (const [name, [ratio, interval], met] of cases) {
    const m: ModeSummary = {
      mode: 'nftables',
      latency: [],
      fullSync: [],
      connRate: [rate(10, 'pod', 0.5, [0.4, 0.6]), rate(10_000, 'pod', ratio, interval)],
    };
    const goals = checkGoals([m], 10_000).filter((g) => g.goal.startsWith('ClusterIP connection rate'));
    assert.equal(goals.length, 1, `${name}: only the largest size is a goal`);
    assert.equal(goals[0]!.met, met, name);
  }
});

test('ratioText shows the median and its interval', () => {
  assert.equal(ratioText(0.9694, [0.958, 0.9791]), '0.969x (0.958–0.979)');
  assert.equal(ratioText(1, [NaN, NaN]), '1.000x (too few rounds for an interval)');
});
