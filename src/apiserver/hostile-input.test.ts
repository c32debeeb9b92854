/**
 * The probes of issue 20 against a real in-process API server on loopback:
 * each hostile request gets kube-apiserver's status and message, nothing
 * of it is stored, and the server stays up with bounded memory.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startApiServer, type RunningApiServer } from './server.js';

let server: RunningApiServer;
let dir: string;
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'podnet-hostile-'));
  server = await startApiServer({ stateDir: dir, host: '127.0.0.1', port: 0, insecureHttp: true, controllers: false });
});
after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: any;
}

async function send(method: string, path: string, body?: string, contentType = 'application/json'): Promise<Answer> {
  const r = await fetch(server.url + path, { method, body, headers: { 'content-type': contentType } });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: r.status, body: json };
}

const configMap = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, ...extra });

async function stored(name: string): Promise<boolean> {
  return (await send('GET', `${CONFIGMAPS}/${name}`)).status === 200;
}

describe('hostile input', () => {
  test('a 1.5 KB JSON patch of repeated copy operations is refused once copies add 3 MiB', async () => {
    assert.equal((await send('POST', CONFIGMAPS, configMap('copy-bomb', { data: { seed: 'x' } }))).status, 201);
    const ops: unknown[] = [{ op: 'add', path: '/data/k0', value: 'x'.repeat(64) }];
    for (let i = 1; i <= 28; i++) ops.push({ op: 'copy', from: '/data', path: `/data/k${i}` });
    const patch = JSON.stringify(ops);
    assert.ok(patch.length < 1600, `the patch is small (${patch.length} bytes)`);
    const rssBefore = process.memoryUsage().rss;
    const r = await send('PATCH', `${CONFIGMAPS}/copy-bomb`, patch, 'application/json-patch+json');
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.reason, 'Invalid');
    assert.equal(r.body.message, 'the server rejected our request due to an error in our request');
    const growth = process.memoryUsage().rss - rssBefore;
    assert.ok(growth < 256 * 1024 * 1024, `memory grew by ${growth} bytes`);
    const live = await send('GET', `${CONFIGMAPS}/copy-bomb`);
    assert.deepEqual(Object.keys(live.body.data), ['seed'], 'nothing of the patch was stored');
  });

  test('a small copy patch still works (the control for the case above)', async () => {
    assert.equal((await send('POST', CONFIGMAPS, configMap('copy-ok', { data: { a: 'b' } }))).status, 201);
    const patch = JSON.stringify([{ op: 'copy', from: '/data/a', path: '/data/c' }]);
    const r = await send('PATCH', `${CONFIGMAPS}/copy-ok`, patch, 'application/json-patch+json');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.data, { a: 'b', c: 'b' });
  });

  test('100,000-deep JSON (and anything past 1,000 levels) is 400 on create, update and every patch type, never 500', async () => {
    const deepArray = '['.repeat(100_000) + ']'.repeat(100_000);
    const deepObject = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    assert.equal((await send('POST', CONFIGMAPS, configMap('deep-target'))).status, 201);
    const cases: [string, string, string, string][] = [
      ['POST', CONFIGMAPS, deepArray, 'application/json'],
      ['POST', CONFIGMAPS, deepObject, 'application/json'],
      ['PUT', `${CONFIGMAPS}/deep-target`, deepObject, 'application/json'],
      ['PATCH', `${CONFIGMAPS}/deep-target`, deepArray, 'application/json-patch+json'],
      ['PATCH', `${CONFIGMAPS}/deep-target`, deepObject, 'application/merge-patch+json'],
      ['PATCH', `${CONFIGMAPS}/deep-target`, deepObject, 'application/strategic-merge-patch+json'],
      ['PATCH', `${CONFIGMAPS}/deep-target?fieldManager=t`, deepObject, 'application/apply-patch+yaml'],
      ['POST', CONFIGMAPS, deepArray, 'application/yaml'],
    ];
    for (const [method, path, body, type] of cases) {
      const r = await send(method, path, body, type);
      assert.equal(r.status, 400, `${method} ${type}: ${JSON.stringify(r.body).slice(0, 300)}`);
      assert.match(r.body.message, /exceeded max depth/);
    }
  });

  test('deep YAML in block style is 400 with go-yaml words', async () => {
    // Block nesting through a chain of one-key maps, each indented one more space.
    let yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep-yaml\n';
    const lines: string[] = [];
    for (let i = 0; i < 1_100; i++) lines.push(`${' '.repeat(i)}k:`);
    yaml += lines.join('\n') + ' v\n';
    const r = await send('POST', CONFIGMAPS, yaml, 'application/yaml');
    assert.equal(r.status, 400, JSON.stringify(r.body).slice(0, 300));
    assert.equal(r.body.message, 'error converting YAML to JSON: yaml: exceeded max depth of 1000');
    assert.equal(await stored('deep-yaml'), false);
  });

  test('a YAML alias bomb is 400 "excessive aliasing"', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const body = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alias-bomb\ndata:\n${levels.map((l) => `  ${l}`).join('\n')}\n`;
    for (const [method, path, type] of [
      ['POST', CONFIGMAPS, 'application/yaml'],
      ['PATCH', `${CONFIGMAPS}/alias-bomb?fieldManager=t`, 'application/apply-patch+yaml'],
    ] as const) {
      const r = await send(method, path, body, type);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.message, 'error converting YAML to JSON: yaml: document contains excessive aliasing');
    }
    assert.equal(await stored('alias-bomb'), false);
  });

  test('values of the wrong type are 400 on create with Go decoding messages, 422 on patch', async () => {
    const cases: { path: string; body: string; message: string }[] = [
      {
        path: CONFIGMAPS,
        body: configMap('type-data', { data: { x: 1 } }),
        message:
          'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string',
      },
      {
        path: CONFIGMAPS,
        body: JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'type-label', labels: { a: 1 } },
        }),
        message:
          'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
      },
      {
        path: CONFIGMAPS,
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 5 } }),
        message:
          'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string',
      },
      {
        path: '/api/v1/namespaces/default/services',
        body: JSON.stringify({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'type-selector' },
          spec: { selector: { app: true }, ports: [{ port: 80 }] },
        }),
        message:
          'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal bool into Go struct field ServiceSpec.spec.selector of type string',
      },
      {
        path: '/api/v1/namespaces/default/services',
        body: JSON.stringify({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'type-port' },
          spec: { ports: [{ port: '80' }] },
        }),
        message:
          'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32',
      },
      {
        path: '/apis/apps/v1/namespaces/default/deployments',
        body: JSON.stringify({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'type-replicas' },
          spec: { replicas: 1.5 },
        }),
        message:
          'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32',
      },
    ];
    for (const c of cases) {
      const r = await send('POST', c.path, c.body);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.reason, 'BadRequest');
      assert.equal(r.body.message, c.message);
    }
    assert.equal((await send('POST', CONFIGMAPS, configMap('type-patch', { data: { a: 'b' } }))).status, 201);
    for (const [type, body] of [
      ['application/merge-patch+json', '{"data":{"a":7}}'],
      ['application/strategic-merge-patch+json', '{"metadata":{"labels":{"x":[1]}}}'],
      ['application/json-patch+json', '[{"op":"replace","path":"/data/a","value":false}]'],
    ] as const) {
      const r = await send('PATCH', `${CONFIGMAPS}/type-patch`, body, type);
      assert.equal(r.status, 422, `${type}: ${JSON.stringify(r.body)}`);
      assert.match(
        r.body.message,
        /^ "" is invalid: patch: Invalid value: ".*": json: cannot unmarshal \w+ into Go struct field/,
      );
    }
    const live = await send('GET', `${CONFIGMAPS}/type-patch`);
    assert.deepEqual(live.body.data, { a: 'b' });
  });

  test('list, get and watch from a future resourceVersion are 504 Too large resource version', async () => {
    const future = '999999999';
    const answers = await Promise.all([
      send('GET', `${CONFIGMAPS}?resourceVersion=${future}`),
      send('GET', `${CONFIGMAPS}?resourceVersion=${future}&resourceVersionMatch=Exact`),
      send('GET', `${CONFIGMAPS}/copy-ok?resourceVersion=${future}`),
      send('GET', `${CONFIGMAPS}?watch=1&resourceVersion=${future}`),
    ]);
    for (const r of answers) {
      assert.equal(r.status, 504, JSON.stringify(r.body));
      assert.equal(r.body.reason, 'Timeout');
      assert.match(r.body.message, /^Timeout: Too large resource version: 999999999, current: \d+$/);
      assert.deepEqual(r.body.details.causes, [
        { reason: 'ResourceVersionTooLarge', message: 'Too large resource version' },
      ]);
      assert.equal(r.body.details.retryAfterSeconds, 1);
    }
  });

  test('a watch from the current resourceVersion still streams (the control for the case above)', async () => {
    const list = await send('GET', CONFIGMAPS);
    const rv = list.body.metadata.resourceVersion as string;
    const ac = new AbortController();
    const r = await fetch(`${server.url}${CONFIGMAPS}?watch=1&resourceVersion=${rv}`, { signal: ac.signal });
    assert.equal(r.status, 200);
    assert.equal((await send('POST', CONFIGMAPS, configMap('after-watch'))).status, 201);
    const reader = r.body!.getReader();
    const { value } = await reader.read();
    const event = JSON.parse(Buffer.from(value!).toString('utf8').split('\n')[0]!);
    assert.equal(event.type, 'ADDED');
    assert.equal(event.object.metadata.name, 'after-watch');
    ac.abort();
  });

  test('the server still answers after all of the above', async () => {
    const r = await send('GET', '/readyz');
    assert.equal(r.status, 200);
  });
});
