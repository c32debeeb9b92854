import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rotateAllLogs, rotationRenames } from './log-rotation.js';

describe('log rotation', () => {
  test('rename plan', () => {
    assert.deepEqual(rotationRenames('/l', 0), { moves: [] });
    assert.deepEqual(rotationRenames('/l', 1), { drop: '/l.1', moves: [] });
    assert.deepEqual(rotationRenames('/l', 3), {
      drop: '/l.3',
      moves: [
        ['/l.2', '/l.3'],
        ['/l.1', '/l.2'],
      ],
    });
  });

  test('copytruncate keeps an O_APPEND writer writing at the new end', async () => {
    const root = await mkdtemp(join(tmpdir(), 'podnet-logs-'));
    try {
      const dir = join(root, 'u1', 'containers', 'web', '0');
      await mkdir(dir, { recursive: true });
      const log = join(dir, 'log');
      const fd = openSync(log, 'a');
      writeSync(fd, 'x'.repeat(100) + '\n');
      await writeFile(`${log}.1`, 'older\n');
      assert.deepEqual(await rotateAllLogs(root, 1000, 2), []);
      assert.deepEqual(await rotateAllLogs(root, 50, 2), [log]);
      writeSync(fd, 'after\n');
      closeSync(fd);
      assert.equal(await readFile(log, 'utf8'), 'after\n');
      assert.equal(await readFile(`${log}.1`, 'utf8'), 'x'.repeat(100) + '\n');
      assert.equal(await readFile(`${log}.2`, 'utf8'), 'older\n');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
