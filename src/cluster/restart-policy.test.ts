import assert from 'node:assert/strict';
import { test } from 'node:test';
import { childArgs, describeExit, nextRestartDelay } from './restart-policy.js';

test('restart delay: 1 s, doubling to 30 s, back to 1 s after a healthy run', () => {
  const cases: [previous: number, ranFor: number, want: number][] = [
    [0, 10, 1000],
    [1000, 500, 2000],
    [2000, 500, 4000],
    [16_000, 500, 30_000],
    [30_000, 500, 30_000],
    [30_000, 60_000, 1000],
    [0, 120_000, 1000],
  ];
  for (const [previous, ranFor, want] of cases)
    assert.equal(nextRestartDelay(previous, ranFor), want, `${previous}/${ranFor}`);
});

test('childArgs drops only the supervisor flags', () => {
  const cases: [args: string[], want: string[]][] = [
    [
      ['--state', '/d', '--supervise', '--max-heap', '512'],
      ['--state', '/d'],
    ],
    [
      ['--max-heap=256', '--listen', '1.2.3.4:6443', '--supervise=true'],
      ['--listen', '1.2.3.4:6443'],
    ],
    [
      ['--state', '/d'],
      ['--state', '/d'],
    ],
  ];
  for (const [args, want] of cases) assert.deepEqual(childArgs(args), want, args.join(' '));
});

test('describeExit', () => {
  assert.equal(describeExit(1, null), 'exited with status 1');
  assert.equal(describeExit(null, 'SIGKILL'), 'was killed by SIGKILL (out of memory?)');
  assert.equal(describeExit(null, 'SIGSEGV'), 'was killed by SIGSEGV');
});
