import assert from 'node:assert/strict';
import { test } from 'node:test';
import { downwardFiles, projectedFiles, type ProjectionSources } from './projected.js';
import { needsRefresh } from './token-cache.js';

const sources: ProjectionSources = {
  configMap: (name) => (name === 'kube-root-ca.crt' ? { 'ca.crt': Buffer.from('CA') } : undefined),
  secret: (name) => (name === 's' ? { password: Buffer.from('pw') } : undefined),
  downward: (item) =>
    item.fieldRef?.fieldPath === 'metadata.namespace'
      ? { value: 'ns' }
      : { error: `field label not supported: ${item.fieldRef?.fieldPath}` },
  token: (audience, seconds) => (audience === undefined && seconds === 3607 ? 'TOKEN' : undefined),
};
const text = (r: ReturnType<typeof projectedFiles>) =>
  'error' in r ? r : r.files.map((f) => `${f.path}=${f.content.toString()} ${f.mode.toString(8)}`);

test('projected: the kube-api-access volume (token, ca.crt, namespace)', () => {
  const r = projectedFiles(
    [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
    ],
    0o644,
    sources,
  );
  assert.deepEqual(text(r), ['token=TOKEN 644', 'ca.crt=CA 644', 'namespace=ns 644']);
});

test('projected: modes, optional sources and what is wrong', () => {
  assert.deepEqual(
    text(
      projectedFiles(
        [{ secret: { name: 's', items: [{ key: 'password', path: 'pw', mode: 0o400 }] } }],
        0o440,
        sources,
      ),
    ),
    ['pw=pw 400'],
  );
  assert.deepEqual(text(projectedFiles([{ secret: { name: 'gone', optional: true } }], undefined, sources)), []);
  assert.deepEqual(text(projectedFiles([{ configMap: { name: 'gone' } }], undefined, sources)), {
    error: 'configmap "gone" not found',
  });
  assert.deepEqual(
    text(projectedFiles([{ serviceAccountToken: { audience: 'vault', path: 'token' } }], undefined, sources)),
    {
      error: 'cannot get the ServiceAccount token (token) from the API server',
    },
  );
  assert.deepEqual(
    text(
      projectedFiles(
        [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'x' } },
          { secret: { name: 's', items: [{ key: 'password', path: 'x' }] } },
        ],
        undefined,
        sources,
      ),
    ),
    { error: 'two sources project the same path "x"' },
  );
  assert.deepEqual(text(projectedFiles([{ serviceAccountToken: { path: '../escape' } }], undefined, sources)), {
    error: 'invalid path "../escape" for the ServiceAccount token',
  });
});

test('downwardAPI volume: items with their modes, unsupported fields named', () => {
  assert.deepEqual(
    text(
      downwardFiles([{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' }, mode: 0o600 }], undefined, sources),
    ),
    ['ns=ns 600'],
  );
  assert.deepEqual(text(downwardFiles([{ path: 'x', fieldRef: { fieldPath: 'spec.bogus' } }], undefined, sources)), {
    error: 'downward API item x: field label not supported: spec.bogus',
  });
});

test('tokens are asked for again after 80% of their lifetime or a day', () => {
  const hour = 3600_000;
  const t = { token: 't', issuedAt: 0, expiresAt: hour };
  assert.equal(needsRefresh(t, 0.5 * hour), false);
  assert.equal(needsRefresh(t, 0.81 * hour), true);
  assert.equal(needsRefresh(t, 2 * hour), true);
  const year = { token: 't', issuedAt: 0, expiresAt: 365 * 24 * hour };
  assert.equal(needsRefresh(year, 23 * hour), false);
  assert.equal(needsRefresh(year, 25 * hour), true);
});
