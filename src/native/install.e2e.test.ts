/**
 * The native module is optional at install: where it cannot be compiled
 * (here: a C compiler that always fails), package.json's install script
 * still succeeds and says what runs instead; the loader then reports no
 * module and every user falls back (src/native/native.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('npm install succeeds without a working C compiler and explains the fallbacks', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-noncc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { install: string } };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'p', version: '0.0.0', scripts: pkg.scripts }));
  cpSync(join(root, 'binding.gyp'), join(dir, 'binding.gyp'));
  cpSync(join(root, 'src/native'), join(dir, 'src/native'), { recursive: true });
  cpSync(join(root, 'scripts/native-optional'), join(dir, 'scripts/native-optional'));
  const r = spawnSync('npm', ['run', 'install', '--foreground-scripts'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, CC: 'false', CXX: 'false', npm_config_offline: 'true' },
  });
  const out = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, out);
  assert.match(out, /the optional native module \(src\/native\) did not build; podnet works without it/);
  assert.match(out, /"podnet doctor" says which paths run native code/);
  assert.equal(existsSync(join(dir, 'build/Release/podnet_native.node')), false);
});
