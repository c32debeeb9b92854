/**
 * Request bodies without kind or apiVersion, as the generated clients
 * (Python, JavaScript, Java) send them: create and update take the
 * endpoint's kind as kube's decoder does; server-side apply still needs both.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startApiServer, type RunningApiServer } from './server.js';
import { withDefaultKind } from './registry/registry.js';

let server: RunningApiServer;
let dir: string;
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'podnet-body-kind-'));
  server = await startApiServer({ stateDir: dir, host: '127.0.0.1', port: 0, insecureHttp: true, controllers: false });
});
after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function send(method: string, path: string, body: unknown, contentType = 'application/json') {
  const r = await fetch(server.url + path, {
    method,
    body: JSON.stringify(body),
    headers: { 'content-type': contentType },
  });
  return { status: r.status, body: await r.json() };
}

test('withDefaultKind fills only what is missing', () => {
  const cases: { input: { kind?: unknown; apiVersion?: unknown }; want: { kind: string; apiVersion: string } }[] = [
    { input: {}, want: { kind: 'Deployment', apiVersion: 'apps/v1' } },
    { input: { kind: '' }, want: { kind: 'Deployment', apiVersion: 'apps/v1' } },
    { input: { apiVersion: 'v1' }, want: { kind: 'Deployment', apiVersion: 'v1' } },
    { input: { kind: 'Pod', apiVersion: 'v1' }, want: { kind: 'Pod', apiVersion: 'v1' } },
  ];
  for (const c of cases) assert.deepEqual(withDefaultKind(c.input, 'Deployment', 'apps/v1'), c.want, JSON.stringify(c));
});

test('create and update without kind or apiVersion take the endpoint kind', async () => {
  const created = await send('POST', CONFIGMAPS, { metadata: { name: 'no-kind' }, data: { a: '1' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.kind, 'ConfigMap');
  assert.equal(created.body.apiVersion, 'v1');
  const updated = await send('PUT', `${CONFIGMAPS}/no-kind`, { metadata: { name: 'no-kind' }, data: { a: '2' } });
  assert.equal(updated.status, 200, JSON.stringify(updated.body));
  assert.deepEqual(updated.body.data, { a: '2' });
});

test('a body of another kind is still refused', async () => {
  const r = await send('POST', CONFIGMAPS, { kind: 'Secret', metadata: { name: 'other-kind' } });
  assert.equal(r.status, 400);
  assert.equal(
    r.body.message,
    'Secret in version "v1" cannot be handled as a ConfigMap: the object provided is unrecognized (expected v1, Kind=ConfigMap)',
  );
});

test('server-side apply without kind is refused', async () => {
  const r = await send(
    'PATCH',
    `${CONFIGMAPS}/apply-no-kind?fieldManager=t`,
    { metadata: { name: 'apply-no-kind' } },
    'application/apply-patch+yaml',
  );
  assert.equal(r.status, 400);
  assert.match(r.body.message, /Object 'Kind' is missing/);
});
