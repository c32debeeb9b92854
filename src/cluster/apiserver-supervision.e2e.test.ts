/**
 * `podnet apiserver --supervise` (what `podnet up` runs): the server runs as
 * a child with the V8 heap limit, comes back after it is killed (as the
 * kernel's OOM killer or a crash would end it), and SIGTERM to the
 * supervisor stops both. One server on loopback, no root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '../e2e/harness.js';
import { built, needs } from '../testing/requirements.js';

const podnet = fileURLToPath(new URL('../../bin/podnet', import.meta.url));

/** A loopback port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** The pids of PID's children (Linux /proc). */
function childrenOf(pid: number): number[] {
  const path = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split(/\s+/).filter(Boolean).map(Number);
}

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

test(
  'apiserver --supervise: heap limit, restart after SIGKILL, SIGTERM stops all',
  { skip: needs(built), timeout: 120_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'podnet-supervise-'));
    const port = await freePort();
    const output: string[] = [];
    const sup = spawn(
      process.execPath,
      [
        podnet,
        'apiserver',
        '--supervise',
        '--max-heap',
        '256',
        '--insecure-http',
        '--state',
        dir,
        '--listen',
        `127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    sup.stdout.on('data', (b: Buffer) => output.push(b.toString()));
    sup.stderr.on('data', (b: Buffer) => output.push(b.toString()));
    const exited = new Promise<number | null>((resolve) => sup.on('exit', (code) => resolve(code)));
    t.after(async () => {
      if (sup.exitCode === null) {
        for (const c of childrenOf(sup.pid!)) process.kill(c, 'SIGKILL');
        sup.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    });
    const ready = async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined);
    const why = () => output.join('');

    await eventually('the supervised server is ready', ready, 60_000).catch((e: Error) =>
      assert.fail(`${e.message}\n${why()}`),
    );
    const [first] = childrenOf(sup.pid!);
    assert.ok(first, `the supervisor has a child\n${why()}`);
    const argv = cmdline(first);
    assert.ok(argv.includes('--max-old-space-size=256'), argv.join(' '));
    assert.ok(!argv.includes('--supervise'), argv.join(' '));

    process.kill(first, 'SIGKILL');
    const second = await eventually('a new server process', async () => {
      const [c] = childrenOf(sup.pid!);
      return c !== undefined && c !== first ? c : undefined;
    });
    await eventually('the restarted server is ready', ready, 60_000);
    assert.match(why(), /apiserver was killed by SIGKILL \(out of memory\?\); starting it again in 1 s/);

    sup.kill('SIGTERM');
    assert.equal(await exited, 0, why());
    assert.ok(
      !existsSync(`/proc/${second}/cmdline`) || cmdline(second).length <= 1,
      'the server stopped with its supervisor',
    );
  },
);

test(
  'apiserver --supervise: the server stops when its supervisor is killed with -9',
  { skip: needs(built), timeout: 120_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'podnet-supervise-'));
    const port = await freePort();
    const sup = spawn(
      process.execPath,
      [podnet, 'apiserver', '--supervise', '--insecure-http', '--state', dir, '--listen', `127.0.0.1:${port}`],
      { stdio: 'ignore' },
    );
    const started: number[] = [sup.pid!];
    t.after(() => {
      for (const pid of started) {
        try {
          if (pid) process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      rmSync(dir, { recursive: true, force: true });
    });
    await eventually(
      'the supervised server is ready',
      async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined),
      60_000,
    );
    const server = childrenOf(sup.pid!)[0];
    assert.ok(server, 'the supervisor has a child');
    started.push(server);
    assert.ok(cmdline(server).includes(`--max-old-space-size=1024`), 'the default heap limit');
    sup.kill('SIGKILL');
    await eventually(
      'the orphaned server stopped',
      async () => (existsSync(`/proc/${server}`) ? undefined : true),
      30_000,
    );
  },
);
