import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatCpuSeconds } from './proc-cpu.js';

test('CPU seconds from /proc/PID/stat: own and reaped children, user and system', () => {
  const cases: [string, string, number][] = [
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
    ['node', '640 (node) S 1 640 640 0 -1 4194560 9000 0 0 0 250 50 0 0 20 0 11 0', 3],
    ['socat with forks reaped', '24019 (socat) S 1 1 1 0 -1 4194560 1 2 0 0 10 20 300 470 20 0', 8],
    ['a name with spaces and parentheses', '7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 1 2 3 4 20 0', 0.1],
  ];
  for (const [name, stat, want] of cases) assert.equal(parseStatCpuSeconds(stat), want, name);
  assert.equal(parseStatCpuSeconds(cases[1]![1], false), 0.3, 'own time only');
  assert.throws(() => parseStatCpuSeconds('1 (x) S'), /unreadable/);
});
