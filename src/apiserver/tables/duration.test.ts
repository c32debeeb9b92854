import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, since } from './duration.js';
import { ago, now } from './testdata.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

// Expected strings follow apimachinery's duration.HumanDuration.
const cases: [number, string][] = [
  [-5 * s, '<invalid>'],
  [-2 * s, '<invalid>'],
  [-1.5 * s, '0s'],
  [0, '0s'],
  [999, '0s'],
  [5 * s, '5s'],
  [119 * s, '119s'],
  [2 * m, '2m'],
  [3 * m + 2 * s, '3m2s'],
  [9 * m + 59 * s, '9m59s'],
  [10 * m + 30 * s, '10m'],
  [179 * m, '179m'],
  [3 * h, '3h'],
  [3 * h + 4 * m, '3h4m'],
  [7 * h + 59 * m, '7h59m'],
  [8 * h + 30 * m, '8h'],
  [47 * h, '47h'],
  [2 * d, '2d'],
  [2 * d + 3 * h, '2d3h'],
  [7 * d + 23 * h, '7d23h'],
  [8 * d, '8d'],
  [729 * d, '729d'],
  [730 * d, '2y'],
  [750 * d, '2y20d'],
  [365 * 8 * d, '8y'],
  [365 * 12 * d + 100 * d, '12y'],
];

for (const [ms, want] of cases) {
  test(`humanDuration(${ms}ms) = ${want}`, () => assert.equal(humanDuration(ms), want));
}

test('since: unset or garbage timestamps are <unknown>', () => {
  assert.equal(since(undefined, now), '<unknown>');
  assert.equal(since('', now), '<unknown>');
  assert.equal(since('yesterday-ish', now), '<unknown>');
  assert.equal(since(ago(185), now), '3m5s');
});
