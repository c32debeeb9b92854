import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routeRequest, routeUpgrade, type Route } from './routes.js';

test('requests: public page and modules, token-checked reads, nothing written', () => {
  const cases: [string, string, Route['kind'], string?][] = [
    ['GET', '/', 'asset', 'index.html'],
    ['HEAD', '/index.html', 'asset', 'index.html'],
    ['GET', '/console.css', 'asset', 'console.css'],
    ['GET', '/app/main.js', 'asset', 'main.js'],
    ['GET', '/app/network-model.js', 'asset', 'network-model.js'],
    ['GET', '/vendor/xterm.mjs', 'asset', 'lib/xterm.mjs'],
    ['GET', '/vendor/xterm.css', 'asset', 'css/xterm.css'],
    ['GET', '/healthz', 'health'],
    ['GET', '/api/v1/pods', 'api'],
    ['GET', '/api/v1/namespaces/default/pods/web/log', 'api'],
    ['GET', '/apis/discovery.k8s.io/v1/endpointslices', 'api'],
    ['GET', '/version', 'api'],
    ['GET', '/api', 'api'],
    // No traversal out of the module folder, no tests, no other files.
    ['GET', '/app/../server.js', 'refused'],
    ['GET', '/app/network-model.test.js', 'refused'],
    ['GET', '/app/sub/x.js', 'refused'],
    ['GET', '/etc/passwd', 'refused'],
    ['GET', '/apix', 'refused'],
    // The console only reads.
    ['POST', '/api/v1/namespaces/default/pods', 'refused'],
    ['DELETE', '/api/v1/namespaces/default/pods/web', 'refused'],
    ['PUT', '/', 'refused'],
    ['GET', '/api/v1/namespaces/default/pods/web/exec', 'refused'],
  ];
  for (const [method, path, kind, file] of cases) {
    const r = routeRequest(method, path);
    assert.equal(r.kind, kind, `${method} ${path}: ${JSON.stringify(r)}`);
    if (file) assert.equal(r.kind === 'asset' && r.asset.file, file, `${method} ${path}`);
  }
  assert.deepEqual(routeRequest('POST', '/api/v1/pods'), {
    kind: 'refused',
    status: 405,
    message: 'POST is not allowed: the console only reads',
  });
  assert.equal((routeRequest('GET', '/nope') as { status: number }).status, 404);
});

test('upgrades: only pods/exec and pods/attach', () => {
  assert.deepEqual(routeUpgrade('/api/v1/namespaces/default/pods/web-1/exec'), {
    kind: 'terminal',
    namespace: 'default',
    pod: 'web-1',
    subresource: 'exec',
  });
  assert.equal(routeUpgrade('/api/v1/namespaces/kube-system/pods/dns.a/attach').kind, 'terminal');
  for (const path of [
    '/api/v1/namespaces/default/pods/web/portforward',
    '/api/v1/namespaces/default/pods/web/log',
    '/api/v1/namespaces/default/pods/web/exec/x',
    '/api/v1/namespaces/../pods/web/exec',
    '/',
    '/api/v1/pods',
  ])
    assert.equal(routeUpgrade(path).kind, 'refused', path);
  assert.equal(routeUpgrade('/api/v1/pods', new URLSearchParams('watch=1&resourceVersion=5')).kind, 'watch');
  assert.equal(
    routeUpgrade('/apis/discovery.k8s.io/v1/endpointslices', new URLSearchParams('watch=true')).kind,
    'watch',
  );
  assert.equal(routeUpgrade('/metrics', new URLSearchParams('watch=1')).kind, 'refused');
});
