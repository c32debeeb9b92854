/**
 * kubeconfig users with an exec credential plugin, against a real in-process
 * API server: the plugin runs once and its token is reused, runs again when
 * the token is about to expire or the server refuses it; plugins and users
 * podnet cannot use give errors that say so.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findResource } from '../api/resources.js';
import { startApiServer, type RunningApiServer } from '../apiserver/server.js';
import { KubeClient } from './client.js';
import { loadKubeconfig } from './kubeconfig.js';

const namespaces = findResource('', 'v1', 'namespaces')!;
let dir: string;
let server: RunningApiServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'podnet-exec-'));
  server = await startApiServer({ stateDir: join(dir, 'state'), host: '127.0.0.1', port: 0, controllers: false });
  // The plugin: counts its runs in RUNS, prints the admin token (or "wrong" on its first run with FIRST_WRONG)
  // valid for EXPIRES seconds, and checks it got KUBERNETES_EXEC_INFO.
  writeFileSync(
    join(dir, 'plugin.mjs'),
    `import { appendFileSync, existsSync, readFileSync } from 'node:fs';
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
if (info.kind !== 'ExecCredential') process.exit(3);
const runs = existsSync(process.env.RUNS) ? readFileSync(process.env.RUNS, 'utf8').length : 0;
appendFileSync(process.env.RUNS, 'x');
const token = process.env.FIRST_WRONG && runs === 0 ? 'wrong' : process.env.TOKEN;
const exp = new Date(Date.now() + Number(process.env.EXPIRES) * 1000).toISOString();
console.log(JSON.stringify({ apiVersion: info.apiVersion, kind: 'ExecCredential', status: { token, expirationTimestamp: exp } }));
`,
  );
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function kubeconfig(name: string, env: Record<string, string>, user?: string): string {
  const path = join(dir, `${name}.kubeconfig`);
  const envYaml = Object.entries({ ...env, TOKEN: server.adminToken, RUNS: join(dir, `${name}.runs`) })
    .map(([k, v]) => `\n      - {name: ${k}, value: "${v}"}`)
    .join('');
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server.url}", certificate-authority-data: ${Buffer.from(server.caCertPem!).toString('base64')}}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
users:
- name: u
  user:
${
  user ??
  `    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ${process.execPath}
      args: [${join(dir, 'plugin.mjs')}]
      env:${envYaml}`
}
`,
  );
  return path;
}
const runs = (name: string) => readFileSync(join(dir, `${name}.runs`), 'utf8').length;

test('a token from an exec plugin is reused until it is about to expire', async () => {
  const long = KubeClient.fromKubeconfig(kubeconfig('long', { EXPIRES: '3600' }));
  await long.list(namespaces);
  await long.list(namespaces);
  assert.equal(runs('long'), 1);
  long.close();
  // 30 s left is inside the one-minute margin: every request runs the plugin again.
  const short = KubeClient.fromKubeconfig(kubeconfig('short', { EXPIRES: '30' }));
  await short.list(namespaces);
  await short.list(namespaces);
  assert.equal(runs('short'), 2);
  short.close();
});

test('a refused token runs the plugin again once', async () => {
  const c = KubeClient.fromKubeconfig(kubeconfig('refused', { EXPIRES: '3600', FIRST_WRONG: '1' }));
  await c.list(namespaces);
  assert.equal(runs('refused'), 2);
  c.close();
});

test('errors say what is wrong: a missing plugin with its hint, users podnet cannot use', async () => {
  const missing = KubeClient.fromKubeconfig(
    kubeconfig(
      'missing',
      {},
      `    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: podnet-no-such-plugin
      installHint: install it with apt-get install podnet-no-such-plugin`,
    ),
  );
  await assert.rejects(
    missing.list(namespaces),
    /exec plugin podnet-no-such-plugin not found: install it with apt-get install podnet-no-such-plugin/,
  );
  missing.close();
  assert.throws(
    () => loadKubeconfig(kubeconfig('gcp', {}, '    auth-provider: {name: gcp}')),
    /user "u" uses an auth-provider .* which podnet's client does not support; it authenticates with token, tokenFile, client-certificate\/client-key or an exec plugin/,
  );
  assert.throws(
    () => loadKubeconfig(kubeconfig('basic', {}, '    username: a\n    password: b')),
    /basic authentication/,
  );
  assert.throws(
    () =>
      KubeClient.fromKubeconfig(
        kubeconfig('old', {}, '    exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: x}'),
      ),
    /apiVersion "client.authentication.k8s.io\/v1alpha1" is not one podnet speaks/,
  );
});
