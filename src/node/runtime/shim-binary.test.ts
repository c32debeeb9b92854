/**
 * podnet-shim run, without namespaces: it must record pid + start time, the
 * exit status (128+N on signals), output as CRI records (appended), a
 * StartError for a missing workingDir, and relay its stdin fifo, pty and ctl
 * lines.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRecords } from '../streaming/cri-log.js';
import { parseExitRecord } from './container-state.js';
import { waitFor } from './proc.js';
import { envArgv, shimBinary } from './shim.js';

async function runShim(
  flags: string[],
  argv: string[],
  earlierLog?: string,
): Promise<{ dir: string; done: Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'podnet-shim-'));
  // Written before the shim starts: writing it after raced the shim's own output.
  if (earlierLog !== undefined) await writeFile(join(dir, 'log'), earlierLog);
  const child = spawn(shimBinary(), ['run', dir, ...flags, '--', ...envArgv({ X: '1' }, argv)], { stdio: 'ignore' });
  return { dir, done: new Promise((r) => child.on('close', () => r())) };
}

const texts = async (dir: string) =>
  parseRecords(await readFile(join(dir, 'log'))).records.map(
    (r) => `${r.stream} ${r.partial ? 'P' : 'F'} ${r.text.toString()}`,
  );

describe('podnet-shim run', () => {
  test('exit status, pid record and appended CRI records', async () => {
    const { dir, done } = await runShim(
      [],
      ['/bin/sh', '-c', 'echo "out $X"; echo err >&2; printf part; sleep 0.1; echo ial; exit 3'],
      'earlier\n',
    );
    try {
      await done;
      assert.deepEqual(parseExitRecord(await readFile(join(dir, 'exit'), 'utf8')), { exitCode: 3, reason: 'Error' });
      assert.match(await readFile(join(dir, 'pid'), 'utf8'), /^\d+ \d+\n$/);
      const log = await readFile(join(dir, 'log'), 'utf8');
      assert.ok(log.startsWith('earlier\n'), log);
      assert.match(log.split('\n')[1]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F out 1$/);
      const records = (await texts(dir)).slice(1);
      assert.deepEqual(
        records.filter((r) => r.startsWith('stdout')),
        ['stdout F out 1', 'stdout P part', 'stdout F ial'],
      );
      assert.deepEqual(
        records.filter((r) => r.startsWith('stderr')),
        ['stderr F err'],
      );
      assert.equal(existsSync(join(dir, 'exit.tmp')), false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('killed by a signal: 128+N, and the container leads its own process group', async () => {
    const { dir, done } = await runShim(['-w', '/tmp'], ['/bin/sleep', '100']);
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
    const { dir, done } = await runShim(['-w', '/nonexistent-podnet-dir'], ['/bin/true']);
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

  test('stdin: the fifo stays open across writers until close-stdin', async () => {
    const { dir, done } = await runShim(['-i'], ['/bin/sh', '-c', 'cat; echo eof']);
    try {
      assert.ok(await waitFor(() => existsSync(join(dir, 'pid')), 5000));
      await appendFile(join(dir, 'stdin'), 'one\n'); // a writer comes and goes: no EOF for the container
      await appendFile(join(dir, 'stdin'), 'two\n');
      await appendFile(join(dir, 'ctl'), 'close-stdin\n');
      await done;
      assert.deepEqual(await texts(dir), ['stdout F one', 'stdout F two', 'stdout F eof']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('tty: a terminal of the size the ctl fifo sets', async () => {
    const { dir, done } = await runShim(['-i', '-t'], ['/bin/sh', '-c', 'read x; stty size; exit 4']);
    try {
      assert.ok(await waitFor(() => existsSync(join(dir, 'pid')), 5000));
      await appendFile(join(dir, 'ctl'), 'resize 33 101\n');
      await new Promise((r) => setTimeout(r, 100));
      await appendFile(join(dir, 'stdin'), 'go\n');
      await done;
      assert.deepEqual(parseExitRecord(await readFile(join(dir, 'exit'), 'utf8')), { exitCode: 4, reason: 'Error' });
      assert.ok((await texts(dir)).includes('stdout F 33 101\r'), (await texts(dir)).join('|'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
