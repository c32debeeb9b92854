/**
 * The shim script itself, run with plain sh (no namespaces needed): it must
 * record pid + start time, the exit status (128+N on signals), output in log
 * (appended), and a StartError for a missing workingDir.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExitRecord } from './container-state.js';
import { waitFor } from './proc.js';
import { SHIM_SCRIPT } from './shim.js';

async function runShim(
  workingDir: string,
  argv: string[],
  earlierLog?: string,
): Promise<{ dir: string; done: Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'podnet-shim-'));
  // Written before the shim starts: writing it after raced the shim's own output.
  if (earlierLog !== undefined) await writeFile(join(dir, 'log'), earlierLog);
  const child = spawn(
    '/bin/sh',
    ['-c', SHIM_SCRIPT, 'shim', dir, workingDir, '/usr/bin/env', '-i', '--', 'X=1', ...argv],
    { stdio: 'ignore' },
  );
  return { dir, done: new Promise((r) => child.on('close', () => r())) };
}

describe('shim script', () => {
  test('exit status, pid record and appended log', async () => {
    const { dir, done } = await runShim('', ['/bin/sh', '-c', 'echo "out $X"; echo err >&2; exit 3'], 'earlier\n');
    try {
      await done;
      assert.deepEqual(parseExitRecord(await readFile(join(dir, 'exit'), 'utf8')), { exitCode: 3, reason: 'Error' });
      assert.match(await readFile(join(dir, 'pid'), 'utf8'), /^\d+ \d+\n$/);
      const log = await readFile(join(dir, 'log'), 'utf8');
      assert.ok(log.startsWith('earlier\n') && log.includes('out 1') && log.includes('err'), log);
      assert.equal(existsSync(join(dir, 'exit.tmp')), false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('killed by a signal: 128+N, and the container leads its own process group', async () => {
    const { dir, done } = await runShim('/tmp', ['/bin/sleep', '100']);
    try {
      assert.ok(await waitFor(() => existsSync(join(dir, 'pid')), 5000));
      const pid = Number((await readFile(join(dir, 'pid'), 'utf8')).split(' ')[0]);
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      assert.equal(pgid, pid);
      assert.equal(await readlink(`/proc/${pid}/cwd`), '/tmp', 'workingDir applies to the container');
      process.kill(-pid, 'SIGKILL');
      await done;
      assert.deepEqual(parseExitRecord(await readFile(join(dir, 'exit'), 'utf8')), { exitCode: 137, reason: 'Error' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('missing workingDir is a StartError', async () => {
    const { dir, done } = await runShim('/nonexistent-podnet-dir', ['/bin/true']);
    try {
      await done;
      assert.deepEqual(parseExitRecord(await readFile(join(dir, 'exit'), 'utf8')), {
        exitCode: 128,
        reason: 'StartError',
      });
      assert.equal(existsSync(join(dir, 'pid')), false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
