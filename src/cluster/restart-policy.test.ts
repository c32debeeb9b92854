import assert from 'node:assert/strict';
import { test } from 'node:test';
import { childArgs, describeExit, mentionsRestart, nextRestartDelay, restartNotice } from './restart-policy.js';

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

test('the restart notice is what mentionsRestart finds', () => {
  const line = restartNotice('node', 2, null, 1000);
  assert.equal(line, 'node exited with status 2; starting it again in 1 s');
  assert.equal(mentionsRestart(`2026-12-08T03:00:00Z WARN supervise node: ${line}\n`), true);
  assert.equal(mentionsRestart('2026-12-08T03:00:00Z INFO supervise node: started node\n'), false);
});
