import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, medianInterval, percentile, summarize } from './stats.js';

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
  for (const [samples, p, want] of cases)
    assert.equal(percentile(samples, p), want, `p${p} of ${samples.length} samples`);
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

test('median of the finite samples, the middle two averaged', () => {
  const cases: Array<[number[], number]> = [
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[7], 7],
    [[5, NaN, 1, Infinity, 3], 3],
  ];
  for (const [samples, want] of cases) assert.equal(median(samples), want, samples.join(','));
  assert.ok(Number.isNaN(median([])) && Number.isNaN(median([NaN])));
});

test('medianInterval takes the binomial order statistics around the median', () => {
  const ranks = (n: number) => Array.from({ length: n }, (_, i) => n - i); // descending: the input order must not matter
  const cases: Array<[number[], number, [number, number]]> = [
    [ranks(30), 0.95, [10, 21]], // P(B(30) <= 9) = 0.021, P(<= 10) = 0.049
    [ranks(20), 0.95, [6, 15]], // P(B(20) <= 5) = 0.021, P(<= 6) = 0.058
    [ranks(6), 0.95, [1, 6]], // 1 / 64 in each tail: the extremes are a 97 % interval
    [ranks(30), 0.5, [13, 18]], // P(B(30) <= 12) = 0.181, P(<= 13) = 0.292
    [[0.97, 0.97, 0.97, 0.97, 0.97, 0.97, 0.97], 0.95, [0.97, 0.97]],
  ];
  for (const [samples, level, want] of cases)
    assert.deepEqual(medianInterval(samples, level), want, `${samples.length} samples at ${level}`);
  for (const n of [0, 1, 5])
    assert.ok(medianInterval(ranks(n)).every(Number.isNaN), `${n} samples are too few for 95 %`);
});
