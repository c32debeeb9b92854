import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roundRatios, rotatingRounds } from './rounds.js';

test('each round starts with the next path; results are kept per path', async () => {
  const order: string[] = [];
  const warm: string[] = [];
  const out = await rotatingRounds(['a', 'b', 'c'], 4, (p, r) => Promise.resolve(order.push(p) && `${p}${r}`), {
    warmUp: (p) => Promise.resolve(warm.push(p)),
  });
  assert.deepEqual(warm, ['a', 'b', 'c']);
  assert.deepEqual(order.join(''), 'abc' + 'bca' + 'cab' + 'abc');
  assert.deepEqual(out, [
    ['a0', 'a1', 'a2', 'a3'],
    ['b0', 'b1', 'b2', 'b3'],
    ['c0', 'c1', 'c2', 'c3'],
  ]);
});

test('roundRatios divides round by round', () => {
  assert.deepEqual(roundRatios([2, 9], [4, 3]), [0.5, 3]);
});
