import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { waitForFiles } from './file-wait.js';

describe('waitForFiles', () => {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'podnet-file-wait-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const never = (): Promise<boolean> => Promise.resolve(false);

  const cases: { name: string; act: (d: string) => void; gaveUp?: () => Promise<boolean>; want: boolean }[] = [
    { name: 'a file already there', act: (d) => writeFileSync(join(d, 'pid'), '1'), want: true },
    {
      name: 'a file renamed into place later (tmp + rename, as the shim writes)',
      act: (d) =>
        void setTimeout(() => {
          writeFileSync(join(d, 'exit.tmp'), '0');
          renameSync(join(d, 'exit.tmp'), join(d, 'exit'));
        }, 30),
      want: true,
    },
    { name: 'the writer gave up', act: () => undefined, gaveUp: () => Promise.resolve(true), want: true },
    { name: 'nothing happens: times out', act: () => undefined, want: false },
    { name: 'another file only', act: (d) => writeFileSync(join(d, 'log'), 'x'), want: false },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      c.act(dir);
      const got = await waitForFiles(dir, ['pid', 'exit'], { gaveUp: c.gaveUp ?? never, timeoutMs: 300, everyMs: 20 });
      assert.equal(got, c.want);
    });
  }

  it('a directory that does not exist still polls and times out', async () => {
    assert.equal(await waitForFiles(join(dir, 'missing'), ['pid'], { gaveUp: never, timeoutMs: 100 }), false);
  });
});
