import assert from 'node:assert/strict';
import { test } from 'node:test';
import { storedMetadataJson } from './stored-json.js';

const kv = (value: string, modRevision = 12) => ({
  key: '/k',
  value: Buffer.from(value),
  createRevision: 3,
  modRevision,
});

test('storedMetadataJson cuts the metadata out of the stored bytes, whatever its strings hold', () => {
  const cases: { name: string; stored: string; want: unknown }[] = [
    {
      name: 'braces and escaped quotes inside strings',
      stored: JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'a', annotations: { x: '}{"\\}', 'y"}': 'ü' }, labels: { l: 'v' } },
        data: { metadata: '{"metadata":{}}' },
      }),
      want: {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: { resourceVersion: '12', name: 'a', annotations: { x: '}{"\\}', 'y"}': 'ü' }, labels: { l: 'v' } },
      },
    },
    {
      name: 'empty metadata',
      stored: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{},"data":{}}',
      want: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '12' } },
    },
  ];
  for (const c of cases) {
    const got = storedMetadataJson(kv(c.stored), 'meta.k8s.io/v1');
    assert.ok(got, c.name);
    assert.deepEqual(JSON.parse(got.toString('utf8')), c.want, c.name);
  }
  assert.equal(storedMetadataJson(kv('{"kind":"X"}'), 'meta.k8s.io/v1'), undefined, 'no metadata: the caller encodes');
  assert.equal(storedMetadataJson(kv('{"metadata":{"name":"cut'), 'meta.k8s.io/v1'), undefined, 'cut short');
});
