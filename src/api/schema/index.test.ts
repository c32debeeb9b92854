import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isReview, resources } from '../resources.js';
import { childSchema, definitionName, definitions, kindDefinitions, resolve, schemaForKind } from './index.js';
import type { Schema } from './types.js';

function refsOf(s: Schema, out: string[] = []): string[] {
  if (s.type === 'ref') out.push(s.ref);
  else if (s.type === 'object') Object.values(s.properties).forEach((p) => refsOf(p, out));
  else if (s.type === 'array') refsOf(s.items, out);
  else if (s.type === 'map') refsOf(s.values, out);
  return out;
}

function walk(s: Schema | undefined, path: (string | number)[]): Schema | undefined {
  for (const k of path) s = s && childSchema(s, k);
  return s;
}

describe('schema registry', () => {
  test('every ref names a definition', () => {
    const dangling = Object.entries(definitions).flatMap(([name, s]) =>
      refsOf(s)
        .filter((r) => !definitions[r])
        .map((r) => `${name} -> ${r}`),
    );
    assert.deepEqual(dangling, []);
  });

  test('every served kind and list kind has a top-level schema with apiVersion, kind, metadata', () => {
    for (const ri of resources) {
      const apiVersion = ri.group ? `${ri.group}/${ri.version}` : ri.version;
      // Reviews are never stored or listed: no list kind, as in kube.
      for (const kind of isReview(ri) ? [ri.kind] : [ri.kind, ri.listKind]) {
        const s = schemaForKind(apiVersion, kind);
        assert.ok(s && s.type === 'object', `${apiVersion} ${kind}`);
        for (const f of ['apiVersion', 'kind', 'metadata']) assert.ok(f in s.properties, `${kind}.${f}`);
      }
    }
  });

  const lookups: [string, string, string | undefined][] = [
    ['v1', 'Pod', 'io.k8s.api.core.v1.Pod'],
    ['v1', 'Binding', 'io.k8s.api.core.v1.Binding'],
    ['discovery.k8s.io/v1', 'EndpointSlice', 'io.k8s.api.discovery.v1.EndpointSlice'],
    ['networking.k8s.io/v1', 'DeleteOptions', 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions'],
    ['v1', 'Status', 'io.k8s.apimachinery.pkg.apis.meta.v1.Status'],
    ['apps/v1', 'Deployment', 'io.k8s.api.apps.v1.Deployment'],
    ['autoscaling/v1', 'Scale', 'io.k8s.api.autoscaling.v1.Scale'],
    ['batch/v1', 'Job', undefined],
    ['v1', 'Ingress', undefined],
  ];
  for (const [apiVersion, kind, want] of lookups) {
    test(`definitionName(${apiVersion}, ${kind})`, () => assert.equal(definitionName(apiVersion, kind), want));
  }

  test('childSchema walks objects, arrays and maps and carries patch metadata', () => {
    const pod = schemaForKind('v1', 'Pod')!;
    const containers = walk(pod, ['spec', 'containers']);
    assert.ok(containers?.type === 'array');
    assert.equal(containers.mergeKey, 'name');
    assert.equal(containers.patchStrategy, 'merge');
    const ports = walk(pod, ['spec', 'containers', 0, 'ports']);
    assert.ok(ports?.type === 'array');
    assert.equal(ports.mergeKey, 'containerPort');
    assert.deepEqual(ports.listMapKeys, ['containerPort', 'protocol']);
    const volumes = walk(pod, ['spec', 'volumes']);
    assert.ok(volumes?.type === 'array' && volumes.patchStrategy === 'merge,retainKeys' && volumes.mergeKey === 'name');
    assert.equal(walk(pod, ['spec', 'containers', '1', 'env'])?.type, 'array');
    assert.deepEqual(walk(pod, ['metadata', 'labels', 'app']), { type: 'string' });
    assert.equal(walk(pod, ['metadata', 'managedFields', 0, 'fieldsV1', 'f:spec'])?.type, 'any');
    assert.equal(walk(pod, ['spec', 'nope']), undefined);
    assert.equal(walk(pod, ['spec', 'containers', 'name']), undefined);
    const svcPorts = walk(schemaForKind('v1', 'Service'), ['spec', 'ports']);
    assert.ok(svcPorts?.type === 'array' && svcPorts.mergeKey === 'port');
    assert.deepEqual(svcPorts.listMapKeys, ['port', 'protocol']);
    const addresses = walk(schemaForKind('v1', 'Node'), ['status', 'addresses']);
    assert.ok(addresses?.type === 'array' && addresses.mergeKey === 'type');
  });

  test('resolve follows refs and rejects dangling ones', () => {
    assert.equal(resolve({ type: 'ref', ref: 'io.k8s.api.core.v1.PodSpec' }).type, 'object');
    assert.throws(
      () => resolve({ type: 'ref', ref: 'io.k8s.api.core.v1.Nope' }),
      /unresolvable definition io\.k8s\.api\.core\.v1\.Nope/,
    );
  });

  test('kindDefinitions covers resources, lists, Binding and meta kinds per group version', () => {
    const names = kindDefinitions().map((k) => `${k.group}/${k.version}/${k.kind}`);
    for (const want of [
      '/v1/Pod',
      '/v1/PodList',
      '/v1/Binding',
      'coordination.k8s.io/v1/Lease',
      'networking.k8s.io/v1/DeleteOptions',
      '/v1/WatchEvent',
    ]) {
      assert.ok(names.includes(want), want);
    }
    assert.equal(new Set(names).size, names.length);
  });
});
