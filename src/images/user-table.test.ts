/** The user-editable table: format, errors naming file:line:col, and live reloads through loadImageTable. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadImageTable } from './index.js';
import { tempDir } from './testing/run-image.js';
import { parseUserTable } from './user-table.js';

const FILE = '/etc/podnet/images.yaml';

test('a table parses into entries; empty files and empty lists are empty tables', () => {
  const r = parseUserTable(
    'images:\n  - image: example.com/app:1.*\n    entrypoint: [/opt/app/bin/app]\n    cmd: [--port, 8080]\n',
    FILE,
  );
  assert.ok(r.ok);
  assert.equal(r.entries.length, 1);
  assert.deepEqual(
    [r.entries[0]!.entrypoint, r.entries[0]!.cmd, r.entries[0]!.source],
    [['/opt/app/bin/app'], ['--port', '8080'], `${FILE}:2:5`],
  );
  for (const empty of ['', '# nothing yet\n', 'images:\n', 'images: []\n']) {
    const e = parseUserTable(empty, FILE);
    assert.ok(e.ok && e.entries.length === 0, JSON.stringify(empty));
  }
  const json = parseUserTable('{"images": [{"image": "example.com/j", "entrypoint": ["/bin/true"]}]}', FILE);
  assert.ok(json.ok && json.entries.length === 1, 'JSON is YAML too');
});

test('mistakes are reported with file, line and column, and what to write instead', () => {
  const cases: [string, RegExp][] = [
    ['images:\n  - image: app\n    entrypoint: [/bin/app\n', /^\/etc\/podnet\/images\.yaml:\d+:\d+: invalid YAML/],
    [
      'images:\n  - image: app\n    command: [/bin/app]\n',
      /images\.yaml:3:5: unknown key "command": .*use "entrypoint"/,
    ],
    ['images:\n  - image: app\n    args: [x]\n', /images\.yaml:3:5: unknown key "args": .*use "cmd"/],
    ['images:\n  - image: App\n    entrypoint: [/bin/app]\n', /images\.yaml:2:12: .*repository name must be lowercase/],
    ['images:\n  - image: app\n', /images\.yaml:2:5: image "app" needs "entrypoint" and\/or "cmd"/],
    [
      'images:\n  - image: app\n    entrypoint: /bin/app\n',
      /images\.yaml:3:17: "entrypoint" must be a list of strings/,
    ],
    [
      'images:\n  - image: app\n    entrypoint: [/bin/app]\n    workingDir: srv\n',
      /images\.yaml:4:17: "workingDir" must be an absolute path/,
    ],
    [
      'images:\n  - image: app\n    builtin: redis\n',
      /images\.yaml:3:14: unknown builtin "redis"; built-in images are: agnhost, pause, podnet, nginx, tomcat/,
    ],
    [
      'images:\n  - image: app\n    entrypoint: [/a]\n  - image: docker.io/library/app\n    entrypoint: [/b]\n',
      /images\.yaml:4:5: image "docker.io\/library\/app" is already listed at .*images\.yaml:2:5/,
    ],
    ['imagez:\n  - image: app\n', /images\.yaml:1:1: unknown top-level key "imagez"/],
    ['- image: app\n', /images\.yaml:1:1: the image table must be a mapping with an "images" list/],
    [
      'images:\n  - image: app\n    entrypoint: [/a]\n    env: {A: {b: 1}}\n',
      /images\.yaml:4:14: env A must be a string value/,
    ],
  ];
  for (const [text, re] of cases) {
    const r = parseUserTable(text, FILE);
    assert.ok(!r.ok, text);
    assert.match(r.message, re, text);
  }
});

test('loadImageTable: a bad file at start throws naming file and line; a missing one is an empty table', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'images.yaml');
  assert.ok(
    !loadImageTable({ userTablePath: path }).resolve({ image: 'example.com/x', dataDir: '/d', hostname: 'h' }).ok,
  );
  writeFileSync(path, 'images:\n  - image: example.com/x\n    cmd: [/bin/true]\n    oops: 1\n');
  assert.throws(
    () => loadImageTable({ userTablePath: path }),
    new RegExp(`^Error: ${path.replace(/[.]/g, '\\.')}:4:5: unknown key "oops"`),
  );
});

test('loadImageTable re-reads an edited table: an image added after ErrImagePull resolves on the next try', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'images.yaml');
  const table = loadImageTable({ userTablePath: path });
  const request = { image: 'example.com/late:1', dataDir: join(dir, 'c'), hostname: 'h' };
  const before = table.resolve(request);
  assert.ok(!before.ok && before.reason === 'ErrImagePull');
  assert.match(before.message, new RegExp(`add it to ${path.replace(/[.]/g, '\\.')}`));

  writeFileSync(path, 'images:\n  - image: example.com/late:*\n    entrypoint: [/bin/true]\n');
  const after = table.resolve(request);
  assert.ok(after.ok);
  assert.deepEqual(after.image.argv, ['/bin/true']);

  // A broken edit keeps the last good table and says what is wrong.
  t.mock.method(process, 'emitWarning', () => {});
  writeFileSync(path, 'images:\n  - image: example.com/late:*\n    entrypoint: [/bin/true\n');
  assert.ok(table.resolve(request).ok);
  const other = table.resolve({ ...request, image: 'example.com/other' });
  assert.ok(!other.ok);
  assert.match(other.message, /currently fails to load: .*images\.yaml:\d+:\d+: invalid YAML/);
});

test('PODNET_IMAGES names the table when no path is given', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'table.json');
  writeFileSync(path, JSON.stringify({ images: [{ image: 'example.com/env', entrypoint: ['/bin/true'] }] }));
  const saved = process.env.PODNET_IMAGES;
  t.after(() => {
    if (saved === undefined) delete process.env.PODNET_IMAGES;
    else process.env.PODNET_IMAGES = saved;
  });
  process.env.PODNET_IMAGES = path;
  assert.ok(loadImageTable({}).resolve({ image: 'example.com/env', dataDir: '/d', hostname: 'h' }).ok);
});
