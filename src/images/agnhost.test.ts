/** Runs the agnhost image for real on loopback: netexec, serve-hostname, pause. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { loadImageTable } from './index.js';
import type { ResolvedImage } from './types.js';
import { httpGet, startImage, tempDir, udpAsk } from './testing/run-image.js';

function resolveAgnhost(
  t: TestContext,
  args: string[],
  image = 'registry.k8s.io/e2e-test-images/agnhost:2.47',
): ResolvedImage {
  const dir = tempDir(t);
  const table = loadImageTable({ userTablePath: join(dir, 'no-such-table.yaml') });
  const r = table.resolve({ image, args, dataDir: join(dir, 'data'), hostname: 'pod-a' });
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.image.argv[0], process.execPath);
  return r.image;
}

async function startNetexec(
  t: TestContext,
): Promise<{ base: string; udpPort: number; run: ReturnType<typeof startImage> }> {
  const run = startImage(t, resolveAgnhost(t, ['netexec', '--http-port=0', '--udp-port', '0']));
  const http = await run.waitForOutput(/Started HTTP server on port (\d+)/);
  const udp = await run.waitForOutput(/Started UDP server on port .* (\d+)/);
  return { base: `http://127.0.0.1:${http[1]}`, udpPort: Number(udp[1]), run };
}

test('netexec answers /hostname, /clientip, /echo, /healthz and / like agnhost, logging each request', async (t) => {
  const { base, run } = await startNetexec(t);
  assert.deepEqual(await httpGet(`${base}/hostname`).then((r) => [r.status, r.body]), [200, hostname()]);
  const client = await httpGet(`${base}/clientip`);
  assert.match(client.body, /^127\.0\.0\.1:\d+$/, 'the caller as the server sees it, IPv4 unmapped');
  assert.equal((await httpGet(`${base}/echo?msg=hello%20world`)).body, 'hello world');
  assert.deepEqual(await httpGet(`${base}/echo?msg=teapot&code=418`).then((r) => [r.status, r.body]), [418, 'teapot']);
  assert.equal((await httpGet(`${base}/healthz`)).status, 200, 'ready once the UDP server listens');
  assert.match((await httpGet(`${base}/anything/else`)).body, /^NOW: /);
  await run.waitForOutput(/GET \/echo\?msg=teapot&code=418/);
  assert.match(run.output(), /GET \/hostname/);
});

test('netexec /shell runs sh -c and answers JSON like agnhost: output, and error only on failure', async (t) => {
  const { base } = await startNetexec(t);
  const ok = await httpGet(`${base}/shell?shellCommand=${encodeURIComponent('echo out; echo err >&2')}`);
  assert.equal(ok.status, 200);
  assert.deepEqual(JSON.parse(ok.body), { output: 'out\nerr\n' });
  assert.deepEqual(JSON.parse((await httpGet(`${base}/shell?cmd=${encodeURIComponent('echo x; exit 3')}`)).body), {
    output: 'x\n',
    error: 'exit status 3',
  });
  assert.deepEqual(
    JSON.parse((await httpGet(`${base}/shell?shellCommand=true`)).body),
    {},
    'no output, no error: an empty object',
  );
});

test('netexec /dial reaches itself over HTTP (by name, through the resolver) and UDP, and reports failures', async (t) => {
  const { base, udpPort } = await startNetexec(t);
  const httpPort = new URL(base).port;
  const viaHttp = await httpGet(`${base}/dial?request=hostname&host=localhost&port=${httpPort}&protocol=http&tries=3`);
  assert.equal(viaHttp.status, 200);
  assert.deepEqual(JSON.parse(viaHttp.body), { responses: [hostname(), hostname(), hostname()] });

  const viaUdp = await httpGet(`${base}/dial?request=hostname&host=127.0.0.1&port=${udpPort}&protocol=udp&tries=2`);
  assert.deepEqual(JSON.parse(viaUdp.body), { responses: [hostname(), hostname()] });
  const echo = await httpGet(
    `${base}/dial?request=${encodeURIComponent('echo Hello')}&host=127.0.0.1&port=${udpPort}&protocol=udp`,
  );
  assert.deepEqual(JSON.parse(echo.body), { responses: ['hello'] }, 'agnhost lower-cases UDP commands');
  const clientip = await httpGet(`${base}/dial?request=clientip&host=127.0.0.1&port=${udpPort}&protocol=udp`);
  assert.match(JSON.parse(clientip.body).responses[0], /^127\.0\.0\.1:\d+$/);

  const refused = JSON.parse((await httpGet(`${base}/dial?request=hostname&host=127.0.0.1&port=1&protocol=http`)).body);
  assert.equal(refused.responses, undefined, 'like agnhost: no "responses" key when the last try failed');
  assert.match(refused.errors[0], /connection refused/);

  assert.equal((await httpGet(`${base}/dial?host=127.0.0.1&port=1`)).status, 400, 'request is required');
  assert.equal((await httpGet(`${base}/dial?request=x&host=127.0.0.1&port=1&protocol=sctp`)).status, 400);
  assert.equal((await httpGet(`${base}/dial?request=x&host=no-such-host.invalid&port=80`)).status, 400);
});

test('netexec UDP server answers hostname, echo and clientip directly', async (t) => {
  const { udpPort } = await startNetexec(t);
  assert.equal(await udpAsk(udpPort, 'hostname'), hostname());
  assert.equal(await udpAsk(udpPort, 'echo podnet'), 'podnet');
  assert.match(await udpAsk(udpPort, 'clientip'), /^127\.0\.0\.1:\d+$/);
});

test('netexec /exit?code=N exits the process with N (restart tests use this)', async (t) => {
  const { base, run } = await startNetexec(t);
  await httpGet(`${base}/exit?code=7`).catch(() => {
    /* no timeout: agnhost exits without answering */
  });
  assert.equal(await run.exited, 7);
});

test('netexec exits 0 on SIGTERM; without UDP its /healthz is still ready', async (t) => {
  const run = startImage(t, resolveAgnhost(t, ['netexec', '--http-port=0', '--udp-port=-1']));
  const port = (await run.waitForOutput(/Started HTTP server on port (\d+)/))[1];
  assert.equal((await httpGet(`http://127.0.0.1:${port}/healthz`)).status, 200);
  run.child.kill('SIGTERM');
  assert.equal(await run.exited, 0);
});

test('serve-hostname answers its hostname over HTTP, and over UDP with --udp --http=false', async (t) => {
  const overHttp = startImage(t, resolveAgnhost(t, ['serve-hostname', '--port', '0']));
  const port = (await overHttp.waitForOutput(/Serving HTTP on port (\d+)/))[1];
  assert.equal((await httpGet(`http://127.0.0.1:${port}/whatever`)).body, hostname());
  await overHttp.waitForOutput(/HTTP request from 127\.0\.0\.1:\d+/);

  const overUdp = startImage(t, resolveAgnhost(t, ['serve-hostname', '--udp', '--http=false', '--port=0']));
  const udpPort = Number((await overUdp.waitForOutput(/Serving UDP on port (\d+)/))[1]);
  assert.equal(await udpAsk(udpPort, 'x'), hostname());
  overUdp.child.kill('SIGTERM');
  assert.equal(await overUdp.exited, 0);

  const conflicting = startImage(t, resolveAgnhost(t, ['serve-hostname', '--udp']));
  assert.equal(await conflicting.exited, 1, 'HTTP and UDP at once is refused, as in agnhost');
});

test('agnhost pause (the default CMD) exits 0 on SIGTERM', async (t) => {
  const run = startImage(t, resolveAgnhost(t, [], 'podnet/agnhost'));
  await run.waitForOutput(/Paused/);
  run.child.kill('SIGTERM');
  assert.equal(await run.exited, 0);
});

test('the pause image is a shell that sleeps, exits 0 on SIGTERM and leaves no child behind', async (t) => {
  const dir = tempDir(t);
  const r = loadImageTable({ userTablePath: join(dir, 'none.yaml') }).resolve({
    image: 'registry.k8s.io/pause:3.9',
    dataDir: join(dir, 'data'),
    hostname: 'p',
  });
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.image.argv[0], '/bin/sh');
  const run = startImage(t, r.image);
  await new Promise((res) => setTimeout(res, 300)); // let the shell install its trap
  const children = () =>
    readFileSync(`/proc/${run.child.pid}/task/${run.child.pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  const sleeper = children()[0];
  assert.ok(sleeper, 'the shell sleeps in a child');
  run.child.kill('SIGTERM');
  assert.equal(await run.exited, 0);
  // The shell signals its sleep and exits at once; the sleep dies a moment later.
  const alive = () => {
    try {
      return !readFileSync(`/proc/${sleeper}/stat`, 'utf8').includes(') Z ');
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 100 && alive(); i++) await new Promise((res) => setTimeout(res, 20));
  assert.equal(alive(), false, 'the sleep child is gone');
});

test('an unknown subcommand or flag fails with exit 1 and says why', async (t) => {
  const unknown = startImage(t, resolveAgnhost(t, ['no-such-thing']));
  assert.equal(await unknown.exited, 1);
  assert.match(unknown.output(), /unknown command "no-such-thing"/);
  const badFlag = startImage(t, resolveAgnhost(t, ['netexec', '--htp-port=1']));
  assert.equal(await badFlag.exited, 1);
  assert.match(badFlag.output(), /unknown flag: --htp-port/);
});
