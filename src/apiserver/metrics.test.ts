/** /metrics on a real in-process API server: kube-apiserver's request metrics, then the process's. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findResource } from '../api/resources.js';
import { KubeClient } from '../client/client.js';
import { testApiServer } from '../testing/apiserver.js';

test('apiserver_request_total and apiserver_request_duration_seconds by verb, resource and code', async (t) => {
  const { server, client } = await testApiServer(t, { controllers: false });
  const cms = findResource('', 'v1', 'configmaps')!;
  await client.create(cms, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
  await client.list(cms, 'default');
  await client.get(cms, 'default', 'missing').catch(() => undefined); // a 404 is the point: counted with code 404
  const anonymous = new KubeClient({ server: server.url, caCertPem: server.caCertPem });
  assert.equal((await anonymous.raw('GET', '/metrics')).status, 401, '/metrics needs a token, as in kube');
  anonymous.close();
  const res = await client.raw('GET', '/metrics');
  assert.equal(res.status, 200);
  const text = res.body;
  const base = (verb: string, scope: string, code?: number) =>
    `apiserver_request_total{${code ? `code="${code}",` : ''}component="apiserver",dry_run="",group="",resource="configmaps",scope="${scope}",subresource="",verb="${verb}",version="v1"}`;
  assert.ok(text.includes(`${base('POST', 'namespace', 201)} 1`), text.slice(0, 2000));
  assert.ok(text.includes(`${base('LIST', 'namespace', 200)} 1`));
  assert.ok(text.includes(`${base('GET', 'resource', 404)} 1`));
  assert.match(
    text,
    /^apiserver_request_duration_seconds_count\{component="apiserver",dry_run="",group="",resource="configmaps",scope="namespace",subresource="",verb="POST",version="v1"\} 1$/m,
  );
  assert.match(text, /^process_resident_memory_bytes \d+$/m);
});
