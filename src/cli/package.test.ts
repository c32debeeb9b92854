/** What `npm pack` ships: the built CLI, the native sources, what the README refers to; no tests or source maps. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('npm pack: no tests or source maps; the license, docs, examples and scripts the README names', () => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
  const unwanted = files.filter((f) => /\.test\.js$|\.map$|^dist\/(e2e|bench|testing)\/|\/testing\/|\.ts$/.test(f));
  assert.deepEqual(unwanted, []);
  for (const f of [
    'LICENSE',
    'README.md',
    'bin/podnet',
    'dist/cli/main.js',
    'dist/cli/node.js',
    'binding.gyp',
    'src/native/module.c',
    'scripts/native-optional',
    'scripts/install-deps',
    'examples/pod_nginx.yml',
    'docs/ARCHITECTURE.md',
    'src/dns/README.md',
    'src/images/README.md',
    'tour',
  ])
    assert.ok(files.includes(f), `${f} is not in the package`);
  const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { os: string[]; license: string };
  assert.deepEqual(pkg.os, ['linux']);
  assert.equal(pkg.license, 'Apache-2.0');
  assert.match(readFileSync(`${root}/LICENSE`, 'utf8'), /Apache License\s+Version 2\.0, January 2004/);
});
