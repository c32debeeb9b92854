import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentile, summarize } from './stats.js';

test('percentile uses the nearest rank', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  const cases: Array<[number[], number, number]> = [
    [hundred, 50, 50],
    [hundred, 99, 99],
    [hundred, 100, 100],
    [hundred, 0, 1],
    [[7], 99, 7],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4], 51, 3],
  ];
  for (const [samples, p, want] of cases) assert.equal(percentile(samples, p), want, `p${p} of ${samples.length} samples`);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('summarize sorts numerically without changing its input', () => {
  const input = [10, 9, 100, 1, 2];
  const s = summarize(input);
  assert.deepEqual(input, [10, 9, 100, 1, 2]);
  assert.equal(s.n, 5);
  assert.equal(s.p50, 9);
  assert.equal(s.max, 100);
  assert.equal(s.mean, 24.4);
});
