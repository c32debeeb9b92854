/**
 * Hostile and broken requests over plain HTTPS (the cluster CA and token
 * from the kubeconfig): each gets the right status code and a Status body
 * that says what was wrong, and none of them stores anything.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, type HttpResult } from './harness.js';

let cluster: Cluster;
const NS = 'bad-input';
const SERVICES = `/api/v1/namespaces/${NS}/services`;

before(async () => {
  cluster = await Cluster.start();
  const r = await cluster.request('POST', '/api/v1/namespaces', {
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }),
  });
  assert.equal(r.status, 201, r.text);
});
after(async () => {
  await cluster?.close();
});

/** How many objects a user could find: Services everywhere, ConfigMaps in the test namespace. */
async function objectCount(): Promise<number> {
  const svcs = await cluster.request('GET', '/api/v1/services');
  const cms = await cluster.request('GET', `/api/v1/namespaces/${NS}/configmaps`);
  assert.equal(svcs.status, 200, svcs.text);
  assert.equal(cms.status, 200, cms.text);
  return svcs.json.items.length + cms.json.items.filter((c: any) => c.metadata.name !== 'kube-root-ca.crt').length;
}

/** Run `send` and require that it stored nothing. */
async function storesNothing(send: () => Promise<HttpResult>): Promise<HttpResult> {
  const before = await objectCount();
  const r = await send();
  assert.equal(await objectCount(), before, `the object count changed after a rejected request\n${r.status} ${r.text}`);
  return r;
}

/** A Status body with the given code and reason. */
function assertStatus(r: HttpResult, code: number, reason: string): any {
  assert.equal(r.status, code, r.text);
  assert.ok(r.json, `the body is a JSON Status: ${r.text}`);
  assert.equal(r.json.kind, 'Status');
  assert.equal(r.json.apiVersion, 'v1');
  assert.equal(r.json.status, 'Failure');
  assert.equal(r.json.code, code);
  assert.equal(r.json.reason, reason);
  assert.equal(typeof r.json.message, 'string');
  return r.json;
}

const service = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, ...((extra['metadata'] as object) ?? {}) },
    spec: { ports: [{ port: 80 }], ...((extra['spec'] as object) ?? {}) },
  });

describe('integration: bad input over HTTPS', () => {
  test('integration: malformed JSON is 400 and the message says where', async () => {
    const body = '{"apiVersion": "v1", "kind": "Service",\n  "metadata": {"name": "broken-json"},,\n  "spec": {}}';
    const r = await storesNothing(() => cluster.request('POST', SERVICES, { body }));
    const s = assertStatus(r, 400, 'BadRequest');
    // podnet's promise (kube-apiserver only quotes the first 30 bytes): the message names the line.
    assert.match(s.message, /line 2\b/, s.message);
  });

  test('integration: malformed YAML is 400 and the message says where', async () => {
    const body = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [broken-yaml\nspec: {}\n';
    const r = await storesNothing(() => cluster.request('POST', SERVICES, { body, contentType: 'application/yaml' }));
    const s = assertStatus(r, 400, 'BadRequest');
    // kube-apiserver (go-yaml) names line 4, where the unclosed flow sequence starts; podnet's
    // parser names line 5, column 1, where it finds the sequence unclosed. Either says where.
    assert.match(s.message, /error converting YAML to JSON: yaml: line [45]\b/, s.message);
  });

  test('integration: well-formed YAML is accepted as a body (the control for the case above)', async () => {
    const body = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yaml-ok\ndata:\n  a: b\n';
    const r = await cluster.request('POST', `/api/v1/namespaces/${NS}/configmaps`, {
      body,
      contentType: 'application/yaml',
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.metadata.name, 'yaml-ok');
  });

  test('integration: unknown fields with fieldValidation=Strict are 400 naming every field', async () => {
    const body = service('strict-unknown', { metadata: { wat: 1 }, spec: { bogus: true } });
    const r = await storesNothing(() => cluster.request('POST', `${SERVICES}?fieldValidation=Strict`, { body }));
    const s = assertStatus(r, 400, 'BadRequest');
    assert.equal(
      s.message,
      'Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "metadata.wat", unknown field "spec.bogus"',
    );
  });

  test('integration: unknown fields with fieldValidation=Warn are stored without them and named in a Warning header', async () => {
    const body = service('warn-unknown', { spec: { bogus: true } });
    const r = await cluster.request('POST', `${SERVICES}?fieldValidation=Warn`, { body });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.spec.bogus, undefined);
    const warning = [r.headers['warning']].flat().join(', ');
    assert.equal(warning, '299 - "unknown field \\"spec.bogus\\""');
  });

  test('integration: a bad fieldValidation value is 422 on CreateOptions', async () => {
    const r = await storesNothing(() =>
      cluster.request('POST', `${SERVICES}?fieldValidation=Loud`, { body: service('fv-bad') }),
    );
    const s = assertStatus(r, 422, 'Invalid');
    assert.equal(
      s.message,
      'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loud": supported values: "Ignore", "Strict", "Warn"',
    );
  });

  test('integration: a body over 3 MiB is 413', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'too-big' }, data: { big } });
    const r = await storesNothing(() => cluster.request('POST', `/api/v1/namespaces/${NS}/configmaps`, { body }));
    const s = assertStatus(r, 413, 'RequestEntityTooLarge');
    assert.equal(s.message, 'Request entity too large: limit is 3145728');
  });

  test('integration: invalid names are 422 with the rule they break', async () => {
    const cases: { path: string; body: string; message: string }[] = [
      {
        path: SERVICES,
        body: service('Bad_Name'),
        message: `Service "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
      },
      {
        path: SERVICES,
        body: service('a'.repeat(64)),
        message: `Service "${'a'.repeat(64)}" is invalid: metadata.name: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`,
      },
      {
        path: `/api/v1/namespaces/${NS}/configmaps`,
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad_name!' } }),
        message: `ConfigMap "bad_name!" is invalid: metadata.name: Invalid value: "bad_name!": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      },
    ];
    for (const c of cases) {
      const r = await storesNothing(() => cluster.request('POST', c.path, { body: c.body }));
      const s = assertStatus(r, 422, 'Invalid');
      assert.equal(s.message, c.message);
      assert.equal(s.details.causes[0].field, 'metadata.name');
      assert.equal(s.details.causes[0].reason, 'FieldValueInvalid');
    }
  });

  test('integration: a missing name is 422 Required', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: {}, spec: { ports: [{ port: 80 }] } });
    const r = await storesNothing(() => cluster.request('POST', SERVICES, { body }));
    const s = assertStatus(r, 422, 'Invalid');
    assert.equal(s.message, 'Service "" is invalid: metadata.name: Required value: name or generateName is required');
  });

  test('integration: a body whose kind does not match the URL is 400', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'wrong-kind' } });
    const r = await storesNothing(() => cluster.request('POST', SERVICES, { body }));
    assertStatus(r, 400, 'BadRequest');
  });

  test('integration: a wrong content type is 415', async () => {
    const create = await storesNothing(() =>
      cluster.request('POST', SERVICES, { body: service('plain-text'), contentType: 'text/plain' }),
    );
    assertStatus(create, 415, 'UnsupportedMediaType');
    const made = await cluster.request('POST', SERVICES, { body: service('patch-target') });
    assert.equal(made.status, 201, made.text);
    const patch = await storesNothing(() =>
      cluster.request('PATCH', `${SERVICES}/patch-target`, {
        body: '{"metadata":{"labels":{"a":"b"}}}',
        contentType: 'application/json',
      }),
    );
    assertStatus(patch, 415, 'UnsupportedMediaType');
    const after = await cluster.request('GET', `${SERVICES}/patch-target`);
    assert.equal(after.json.metadata.labels?.a, undefined, 'the rejected patch changed nothing');
  });

  test('integration: a missing or wrong token is 401 Unauthorized, for reads and writes', async () => {
    for (const token of [null, 'not-the-token', '']) {
      const read = await cluster.request('GET', SERVICES, { token });
      const s = assertStatus(read, 401, 'Unauthorized');
      assert.equal(s.message, 'Unauthorized');
      assert.equal(read.json.items, undefined, 'no data leaks with a 401');
      const write = await storesNothing(() =>
        cluster.request('POST', SERVICES, {
          body: service(`no-auth-${token === null ? 'none' : token.length}`),
          token,
        }),
      );
      assertStatus(write, 401, 'Unauthorized');
    }
  });

  test('integration: create in a namespace that does not exist is 404', async () => {
    const r = await storesNothing(() =>
      cluster.request('POST', '/api/v1/namespaces/no-such-ns/services', { body: service('orphan') }),
    );
    const s = assertStatus(r, 404, 'NotFound');
    assert.equal(s.message, 'namespaces "no-such-ns" not found');
  });
});
