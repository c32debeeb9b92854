/**
 * The apps/v1 API through a real in-process API server (no controllers):
 * the scale subresource (GET, PUT, merge and JSON patches, preconditions,
 * validation) and what a delete's propagation policy leaves for the garbage
 * collector (orphan and foregroundDeletion finalizers).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../api/errors.js';
import type { KObject } from '../api/meta.js';
import { findResource } from '../api/resources.js';
import { deletionFinalizers } from './registry/gc-finalizers.js';
import { testApiServer } from '../testing/apiserver.js';

const deployments = findResource('apps', 'v1', 'deployments')!;
const path = (name: string, sub = '') => `/apis/apps/v1/namespaces/default/deployments/${name}${sub}`;

const deployment = (name: string): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name, tier: 'web' } },
    template: {
      metadata: { labels: { app: name, tier: 'web' } },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    },
  },
});

describe('deletion finalizers for the garbage collector', () => {
  const cases: [string, string[], string | undefined, boolean | undefined, string[]][] = [
    ['background adds nothing', [], 'Background', undefined, []],
    ['foreground', ['x/y'], 'Foreground', undefined, ['x/y', 'foregroundDeletion']],
    ['orphan replaces foreground', ['foregroundDeletion'], 'Orphan', undefined, ['orphan']],
    ['no policy keeps what is there', ['orphan'], undefined, undefined, ['orphan']],
    ['no policy, nothing there: background', [], undefined, undefined, []],
    ['orphanDependents=true', [], undefined, true, ['orphan']],
    ['background drops both', ['orphan', 'a/b'], 'Background', undefined, ['a/b']],
  ];
  for (const [name, had, policy, orphan, want] of cases)
    test(name, () => assert.deepEqual(deletionFinalizers(had, policy, orphan), want));
});

test('the scale subresource and propagation policies of a Deployment', async (t) => {
  const { client } = await testApiServer(t, { controllers: false });

  const created = await client.create(deployments, 'default', deployment('web'));
  assert.deepEqual(created['status'], {}, 'status starts empty');
  assert.equal(created.metadata.generation, 1);

  type Scale = KObject & { spec: { replicas: number }; status: { replicas: number; selector: string } };
  const scale = await client.json<Scale>('GET', path('web', '/scale'));
  assert.equal(scale.kind, 'Scale');
  assert.equal(scale.apiVersion, 'autoscaling/v1');
  assert.deepEqual(scale.spec, { replicas: 2 });
  assert.deepEqual(scale.status, { replicas: 0, selector: 'app=web,tier=web' });

  // kubectl scale: a merge patch on the Scale.
  const patched = await client.json<Scale>(
    'PATCH',
    path('web', '/scale'),
    { spec: { replicas: 5 } },
    'application/merge-patch+json',
  );
  assert.equal(patched.spec.replicas, 5);
  const after = await client.get(deployments, 'default', 'web');
  assert.equal((after.spec as { replicas: number }).replicas, 5);
  assert.equal(after.metadata.generation, 2, 'a scale is a spec change');

  // kubectl scale --current-replicas / --resource-version: GET then PUT with the version as a precondition.
  const put = await client.json<Scale>('PUT', path('web', '/scale'), { ...patched, spec: { replicas: 3 } });
  assert.equal(put.spec.replicas, 3);
  await assert.rejects(
    client.json('PUT', path('web', '/scale'), { ...patched, spec: { replicas: 4 } }),
    (e: unknown) => e instanceof ApiError && e.code === 409,
    'a stale resourceVersion is a conflict',
  );
  await assert.rejects(
    client.json(
      'PATCH',
      path('web', '/scale'),
      [{ op: 'replace', path: '/spec/replicas', value: -1 }],
      'application/json-patch+json',
    ),
    (e: unknown) =>
      e instanceof ApiError &&
      e.code === 422 &&
      e.message ===
        'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
  );

  // Foreground: the object stays, marked, until the collector removes its finalizer.
  await client.delete(deployments, 'default', 'web', { propagationPolicy: 'Foreground' });
  const fg = await client.get(deployments, 'default', 'web');
  assert.ok(fg.metadata.deletionTimestamp);
  assert.deepEqual(fg.metadata.finalizers, ['foregroundDeletion']);
  await client.patch(deployments, 'default', 'web', 'merge', { metadata: { finalizers: null } });
  await assert.rejects(
    client.get(deployments, 'default', 'web'),
    (e: unknown) => e instanceof ApiError && e.code === 404,
  );

  await client.create(deployments, 'default', deployment('orphaned'));
  await client.delete(deployments, 'default', 'orphaned', { propagationPolicy: 'Orphan' });
  assert.deepEqual((await client.get(deployments, 'default', 'orphaned')).metadata.finalizers, ['orphan']);

  await client.create(deployments, 'default', deployment('bg'));
  await client.delete(deployments, 'default', 'bg', { propagationPolicy: 'Background' });
  await assert.rejects(
    client.get(deployments, 'default', 'bg'),
    (e: unknown) => e instanceof ApiError && e.code === 404,
  );
});
