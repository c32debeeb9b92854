import { test } from 'node:test';
import assert from 'node:assert/strict';
import { identify, isAlive, parseProcStat } from './proc.js';

test('parseProcStat copes with spaces and parentheses in comm', () => {
  const rest = 'S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 987654 20 21';
  assert.deepEqual(parseProcStat(`42 (sleep) ${rest}`), { state: 'S', startTime: '987654' });
  assert.deepEqual(parseProcStat(`42 (a) b (c) ${rest}`), { state: 'S', startTime: '987654' });
  assert.equal(parseProcStat('garbage'), undefined);
  assert.equal(parseProcStat('42 (x) S 1'), undefined);
});

test('identity: this process is alive, a different start time is not', async () => {
  const me = await identify(process.pid);
  assert.ok(me);
  assert.equal(await isAlive(me), true);
  assert.equal(await isAlive({ pid: process.pid, startTime: '1' }), false);
  assert.equal(await isAlive({ pid: 1, startTime: me.startTime }), false, 'pid 1 is never ours');
  assert.equal(await isAlive(undefined), false);
});
