import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planProcesses, recordMatches, type Observed, type ProcessRecord } from './process-table.js';
import { parseCmdline, parseStat } from './procfs.js';

const rec = (name: string, argv: string[]): ProcessRecord => ({ name, pid: 100, startTime: '555', argv, marker: '/s' });

test('planProcesses: keep, start, restart', () => {
  const desired = [
    { name: 'apiserver', argv: ['node', 'main.js', 'apiserver', '--state', '/s'], marker: '/s', log: '/s/logs/a' },
    { name: 'node1', argv: ['nsenter', 'x', '--state', '/s/nodes/node1'], marker: '/s/nodes/node1', log: '/s/logs/n1' },
    { name: 'node2', argv: ['nsenter', 'y'], marker: '/s/nodes/node2', log: '/s/logs/n2' },
    { name: 'node3', argv: ['nsenter', 'z'], marker: '/s/nodes/node3', log: '/s/logs/n3' },
  ];
  const observed = new Map<string, Observed>([
    ['apiserver', { record: rec('apiserver', desired[0]!.argv), alive: true }],
    ['node1', { record: rec('node1', desired[1]!.argv), alive: false }],
    ['node2', { record: rec('node2', ['nsenter', 'old']), alive: true }],
  ]);
  assert.deepEqual(
    planProcesses(desired, observed).map((a) => [a.name, a.action]),
    [
      ['apiserver', 'keep'],
      ['node1', 'start'],
      ['node2', 'restart'],
      ['node3', 'start'],
    ],
  );
});

test('recordMatches needs the same start time and the marker in the command line', () => {
  const r = rec('node1', []);
  const table: [{ startTime: string; argv: string[] } | undefined, boolean][] = [
    [{ startTime: '555', argv: ['node', 'main.js', 'node', '--state', '/s/nodes/node1'] }, true],
    [{ startTime: '556', argv: ['node', '--state', '/s'] }, false],
    [{ startTime: '555', argv: ['sleep', '100'] }, false],
    [undefined, false],
  ];
  for (const [live, want] of table) assert.equal(recordMatches(r, live), want, JSON.stringify(live));
});

test('parseStat copes with spaces and parentheses in comm', () => {
  const fields = (comm: string) =>
    `4242 (${comm}) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 50 18446744073709551615`;
  for (const comm of ['node', 'a b', 'x) S 9 9 (y']) {
    assert.deepEqual(
      parseStat(fields(comm)),
      { pid: 4242, state: 'S', ppid: 1, pgid: 4242, startTime: '987654' },
      comm,
    );
  }
  assert.equal(parseStat('garbage'), undefined);
  assert.deepEqual(parseCmdline('node\0main.js\0--state\0/s\0'), ['node', 'main.js', '--state', '/s']);
  assert.deepEqual(parseCmdline('a\0\0b\0'), ['a', '', 'b']);
});
