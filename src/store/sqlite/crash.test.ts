import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { crashValue } from './crash-writer.js';
import { SqliteStore } from './sqlite-store.js';

const WRITER = fileURLToPath(new URL('./crash-writer.js', import.meta.url));
/** Kill once this many writes were acknowledged; more are in flight by then. */
const KILL_AFTER = 3000;

test('every acknowledged write survives SIGKILL of the writing process', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-crash-'));
  const path = join(dir, 'state.db');
  const child = spawn(process.execPath, [WRITER, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const acked: string[] = [];
    let stderr = '';
    let partial = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('close', (_code, signal) => resolve(signal)),
    );
    child.stdout.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() ?? '';
      acked.push(...lines);
      if (acked.length >= KILL_AFTER && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    const signal = await exited;
    assert.equal(signal, 'SIGKILL', `the writer ended before it was killed: ${stderr}`);
    assert.ok(acked.length >= KILL_AFTER, `only ${acked.length} writes were acknowledged`);

    const store = SqliteStore.open(path);
    try {
      const missing: string[] = [];
      for (const key of acked) {
        const kv = await store.get(key);
        if (kv?.value !== crashValue(key)) missing.push(key);
      }
      assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged writes were lost`);
      // Revisions stay dense and ordered after recovery: one per surviving write.
      const all = await store.list('/crash/');
      assert.ok(all.items.length >= acked.length);
      assert.equal(await store.currentRevision(), all.items.length);
      const next = await store.create('/after/crash', 'x');
      assert.equal(next.modRevision, all.items.length + 1);
    } finally {
      await store.close();
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
