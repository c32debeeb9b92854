/** Runs the tomcat image for real (slow: a JVM starts); skipped when tomcat10 is not installed. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadImageTable, tomcatFiles } from './index.js';
import { freePort, startImage, tempDir, waitForHttp, writeImageFiles } from './testing/run-image.js';
import { installed, needs } from '../testing/requirements.js';

test(
  'tomcat starts with its own CATALINA_BASE and serves its ROOT page',
  { skip: needs(installed('/usr/share/tomcat10/bin/catalina.sh', 'tomcat10')), timeout: 120_000 },
  async (t) => {
    const dir = tempDir(t);
    const dataDir = join(dir, 'containers', 'app');
    const table = loadImageTable({ userTablePath: join(dir, 'images.yaml') });
    const r = table.resolve({ image: 'tomcat:10.1-jdk17', dataDir, hostname: 'app-5d8b' });
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.image.argv, ['/usr/share/tomcat10/bin/catalina.sh', 'run']);
    assert.equal(r.image.env.CATALINA_BASE, dataDir);
    assert.match(
      r.image.files.find((f) => f.path.endsWith('conf/server.xml'))!.content,
      /<Server port="-1"[\s\S]*<Connector port="8080"/,
    );

    const port = await freePort();
    writeImageFiles({ ...r.image, files: tomcatFiles(dataDir, 'app-5d8b', port) });
    const started = Date.now();
    const run = startImage(t, r.image);
    const page = await waitForHttp(`http://127.0.0.1:${port}/`, 90_000, run);
    const startMs = Date.now() - started;
    t.diagnostic(`tomcat answered its first request ${startMs} ms after start`);
    assert.equal(page.status, 200);
    assert.match(page.body, /Apache Tomcat[\s\S]*app-5d8b/);
    assert.match(run.output(), /Server startup in/, 'Tomcat logs to the container output');
    assert.ok(
      readdirSync(join(dataDir, 'logs')).some((f) => f.startsWith('catalina.')),
      'and to CATALINA_BASE/logs',
    );

    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 143, 'the JVM exits 143 on SIGTERM, as the real image does');
  },
);
