import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schemaForKind } from './index.js';
import { pruneUnknownFields } from './prune.js';

test('prune drops undeclared fields at every depth and keeps declared ones', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    bogus: 1,
    metadata: { name: 'p', labels: { a: 'b' }, extra: true },
    spec: { containers: [{ name: 'c', image: 'i', imagePullSecret: 'typo', ports: [{ containerPort: 80, bad: 1 }] }] },
  };
  pruneUnknownFields(pod, schemaForKind('v1', 'Pod')!);
  assert.deepEqual(pod, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', labels: { a: 'b' } },
    spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }] },
  });
});
