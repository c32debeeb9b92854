/**
 * Runs the nginx image for real on a free loopback port. Pods listen on 80;
 * the test regenerates the same files with nginxFiles(..., port) instead.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadImageTable, nginxFiles, nginxLayout } from './index.js';
import { freePort, httpGet, startImage, tempDir, waitForHttp, writeImageFiles } from './testing/run-image.js';
import { installed, needs } from '../testing/requirements.js';

const listing = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);

test(
  'nginx serves "Welcome to nginx!" with the pod hostname, logs to stdout, and writes only inside its data dir',
  { skip: needs(installed('/usr/sbin/nginx', 'nginx-light')) },
  async (t) => {
    const dir = tempDir(t);
    const dataDir = join(dir, 'containers', 'web');
    const table = loadImageTable({ userTablePath: join(dir, 'images.yaml') });
    const r = table.resolve({ image: 'docker.io/library/nginx:1.25', dataDir, hostname: 'web-7f9c' });
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.image.argv, [
      '/usr/sbin/nginx',
      '-p',
      `${dataDir}/`,
      '-c',
      `${dataDir}/nginx.conf`,
      '-e',
      'stderr',
      '-g',
      'daemon off;',
    ]);
    for (const f of r.image.files) assert.ok(f.path.startsWith(`${dataDir}/`), f.path);
    assert.match(r.image.files.find((f) => f.path.endsWith('nginx.conf'))!.content, /listen 80;/, 'pods listen on 80');

    const port = await freePort();
    const files = nginxFiles(nginxLayout(dataDir), 'web-7f9c', port);
    assert.deepEqual(
      files.map((f) => f.path),
      r.image.files.map((f) => f.path),
      'the test only changes the port',
    );
    const before = { lib: listing('/var/lib/nginx'), log: listing('/var/log/nginx') };
    writeImageFiles({ ...r.image, files });
    const run = startImage(t, r.image);

    const page = await waitForHttp(`http://127.0.0.1:${port}/`, 10_000, run);
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>Welcome to nginx!<\/title>/);
    assert.match(page.body, /web-7f9c/);
    assert.equal((await httpGet(`http://127.0.0.1:${port}/missing`)).status, 404);
    await run.waitForOutput(/"GET \/missing HTTP\/1\.1" 404/);

    assert.ok(existsSync(join(dataDir, 'nginx.pid')));
    assert.ok(existsSync(join(dataDir, 'temp', 'client_body')), 'temp paths live in the data dir');
    assert.deepEqual(
      { lib: listing('/var/lib/nginx'), log: listing('/var/log/nginx') },
      before,
      'nothing new under /var/lib/nginx or /var/log/nginx',
    );

    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0, 'nginx stops cleanly on SIGTERM');
  },
);
