import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostStat, parsePerCpuStat } from './cpu-usage.js';

test('host busy time leaves out idle and iowait', () => {
  // user nice system idle iowait irq softirq steal guest guest_nice
  const stat = 'cpu  1000 100 400 9000 500 10 20 70 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n';
  assert.equal(parseHostStat(stat), 16);
});

test('per-CPU busy time by CPU number, the total line left out', () => {
  const stat =
    'cpu  1000 100 400 9000 500 10 20 70 0 0\ncpu0 100 0 0 50 50 0 0 0 0 0\ncpu1 200 0 100 0 0 0 0 0 0 0\nintr 5\n';
  assert.deepEqual(parsePerCpuStat(stat), [1, 3]);
});
