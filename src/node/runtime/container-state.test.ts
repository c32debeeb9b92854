import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decideContainerState, parseExitRecord, type ContainerFiles } from './container-state.js';

const meta = { name: 'web', attempt: 1, argv: ['/bin/x'], startedAt: '2024-01-01T00:00:00.000Z' };
const proc = { pid: 100, startTime: '5' };
const shim = { pid: 99, startTime: '4' };
const files = (f: Partial<ContainerFiles>): ContainerFiles => ({ meta, procAlive: false, shimAlive: false, ...f });

describe('decideContainerState', () => {
  const table: [string, ContainerFiles, ReturnType<typeof decideContainerState>][] = [
    [
      'running',
      files({ proc, shim, procAlive: true, shimAlive: true }),
      { name: 'web', attempt: 1, state: 'running', pid: 100, startedAt: meta.startedAt },
    ],
    [
      'exit 0 → Completed',
      files({ proc, shim, exit: { text: '0\n', at: 'T1' } }),
      {
        name: 'web',
        attempt: 1,
        state: 'exited',
        startedAt: meta.startedAt,
        finishedAt: 'T1',
        exitCode: 0,
        reason: 'Completed',
      },
    ],
    [
      'exit 137 → Error',
      files({ proc, shim, exit: { text: '137', at: 'T1' } }),
      {
        name: 'web',
        attempt: 1,
        state: 'exited',
        startedAt: meta.startedAt,
        finishedAt: 'T1',
        exitCode: 137,
        reason: 'Error',
      },
    ],
    [
      'exit wins over a live pid (reused pid)',
      files({ proc, procAlive: true, exit: { text: '1', at: 'T1' } }),
      {
        name: 'web',
        attempt: 1,
        state: 'exited',
        startedAt: meta.startedAt,
        finishedAt: 'T1',
        exitCode: 1,
        reason: 'Error',
      },
    ],
    [
      'just exited, shim about to record',
      files({ proc, shim, shimAlive: true }),
      { name: 'web', attempt: 1, state: 'running', pid: 100, startedAt: meta.startedAt },
    ],
    [
      'shim not yet recorded the pid',
      files({ shim, shimAlive: true }),
      { name: 'web', attempt: 1, state: 'running', pid: 99, startedAt: meta.startedAt },
    ],
    ['everything gone, nothing recorded', files({ proc, shim }), { lost: true }],
  ];
  for (const [name, f, want] of table) test(name, () => assert.deepEqual(decideContainerState(f), want));
});

describe('parseExitRecord', () => {
  const table: [string, ReturnType<typeof parseExitRecord>][] = [
    ['0', { exitCode: 0, reason: 'Completed' }],
    ['3\n', { exitCode: 3, reason: 'Error' }],
    ['128 StartError', { exitCode: 128, reason: 'StartError' }],
    ['137 ContainerStatusUnknown', { exitCode: 137, reason: 'ContainerStatusUnknown' }],
    ['', undefined],
    ['abc', undefined],
  ];
  for (const [text, want] of table) test(JSON.stringify(text), () => assert.deepEqual(parseExitRecord(text), want));
});
