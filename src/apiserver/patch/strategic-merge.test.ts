import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.js';
import { strategicMergePatch } from './strategic-merge.js';
import { podSchema, testResolve } from './test-schemas.js';

const c = (name: string, image = `${name}:1`) => ({ name, image });
const pod = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'p' }) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata,
  spec,
});
const smp = (original: unknown, patch: unknown) => strategicMergePatch(original, patch, podSchema, testResolve);
const names = (o: unknown) => (o as { spec: { containers: { name: string }[] } }).spec.containers.map((x) => x.name);

describe('strategic merge patch', () => {
  const cases: { name: string; original: unknown; patch: unknown; want: unknown }[] = [
    {
      name: 'maps merge recursively and null deletes',
      original: pod({ nodeName: 'n1' }, { name: 'p', labels: { app: 'a', tier: 'x' } }),
      patch: { metadata: { labels: { tier: null, env: 'prod' } } },
      want: pod({ nodeName: 'n1' }, { name: 'p', labels: { app: 'a', env: 'prod' } }),
    },
    {
      name: 'merge lists merge items by mergeKey; new items follow',
      original: pod({ containers: [c('a'), c('b')] }),
      patch: { spec: { containers: [{ name: 'b', image: 'b:2' }, c('c')] } },
      want: pod({ containers: [c('a'), c('b', 'b:2'), c('c')] }),
    },
    {
      name: 'nested merge lists (ports by containerPort) merge inside an item',
      original: pod({ containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'http' }] }] }),
      patch: {
        spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'web' }, { containerPort: 443 }] }] },
      },
      want: pod({ containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'web' }, { containerPort: 443 }] }] }),
    },
    {
      name: 'lists without a merge strategy are replaced',
      original: pod({ containers: [{ name: 'a', args: ['x', 'y'] }] }),
      patch: { spec: { containers: [{ name: 'a', args: ['z'] }] } },
      want: pod({ containers: [{ name: 'a', args: ['z'] }] }),
    },
    {
      name: '$patch: delete in a list removes the item with that key',
      original: pod({ containers: [c('a'), c('b')] }),
      patch: { spec: { containers: [{ name: 'a', $patch: 'delete' }] } },
      want: pod({ containers: [c('b')] }),
    },
    {
      name: '$patch: replace in a list replaces the whole list',
      original: pod({ containers: [c('a'), c('b')] }),
      patch: { spec: { containers: [{ $patch: 'replace' }, c('c')] } },
      want: pod({ containers: [c('c')] }),
    },
    {
      name: '$patch: replace in a map replaces the map',
      original: pod({ nodeSelector: { a: '1', b: '2' } }),
      patch: { spec: { nodeSelector: { $patch: 'replace', c: '3' } } },
      want: pod({ nodeSelector: { c: '3' } }),
    },
    {
      name: '$patch: delete in a map empties it',
      original: pod({ nodeSelector: { a: '1' } }),
      patch: { spec: { nodeSelector: { $patch: 'delete' } } },
      want: pod({ nodeSelector: {} }),
    },
    {
      name: 'primitive merge lists are a union without duplicates',
      original: pod({}, { name: 'p', finalizers: ['a', 'b'] }),
      patch: { metadata: { finalizers: ['c', 'a'] } },
      want: pod({}, { name: 'p', finalizers: ['c', 'a', 'b'] }),
    },
    {
      name: '$deleteFromPrimitiveList removes values',
      original: pod({}, { name: 'p', finalizers: ['a', 'b', 'c'] }),
      patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } },
      want: pod({}, { name: 'p', finalizers: ['a', 'c'] }),
    },
    {
      name: '$deleteFromPrimitiveList on an absent list changes nothing',
      original: pod({}),
      patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } },
      want: pod({}),
    },
    {
      name: '$retainKeys clears keys it does not name (volume source switch)',
      original: pod({
        volumes: [
          { name: 'v', hostPath: { path: '/x' } },
          { name: 'w', emptyDir: {} },
        ],
      }),
      patch: { spec: { volumes: [{ name: 'v', emptyDir: {}, $retainKeys: ['emptyDir', 'name'] }] } },
      want: pod({
        volumes: [
          { name: 'v', emptyDir: {} },
          { name: 'w', emptyDir: {} },
        ],
      }),
    },
    {
      name: 'a new field takes the patch value with directives applied',
      original: pod({}),
      patch: { spec: { containers: [{ name: 'a', image: 'a:1', ports: [{ containerPort: 80, hostPort: null }] }] } },
      want: pod({ containers: [{ name: 'a', image: 'a:1', ports: [{ containerPort: 80 }] }] }),
    },
    {
      name: 'a whole-object $patch: replace',
      original: pod({ nodeName: 'x' }),
      patch: { $patch: 'replace', apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' } },
      want: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' } },
    },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      const before = structuredClone(tc.original);
      assert.deepEqual(smp(tc.original, tc.patch), tc.want);
      assert.deepEqual(tc.original, before, 'the original is not modified');
    });
  }

  describe('ordering', () => {
    const order: { name: string; live: string[]; patch: unknown; want: string[] }[] = [
      {
        name: 'patched items take the patch order, server-only items keep their live place',
        live: ['a', 'b', 'c'],
        patch: {
          containers: [
            { name: 'c', image: 'x' },
            { name: 'a', image: 'y' },
          ],
        },
        want: ['b', 'c', 'a'],
      },
      {
        name: '$setElementOrder orders the whole list',
        live: ['a', 'b', 'c'],
        patch: {
          '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }],
          containers: [{ name: 'a', image: 'new' }],
        },
        want: ['c', 'a', 'b'],
      },
      {
        name: '$setElementOrder with an added item',
        live: ['a', 'b'],
        patch: {
          '$setElementOrder/containers': [{ name: 'b' }, { name: 'n' }, { name: 'a' }],
          containers: [{ name: 'n', image: 'n:1' }],
        },
        want: ['b', 'n', 'a'],
      },
      {
        name: '$setElementOrder with a deletion',
        live: ['a', 'b', 'c'],
        patch: {
          '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }],
          containers: [{ name: 'b', $patch: 'delete' }],
        },
        want: ['c', 'a'],
      },
    ];
    for (const tc of order) {
      test(tc.name, () => {
        const out = smp(pod({ containers: tc.live.map((n) => c(n)) }), { spec: tc.patch });
        assert.deepEqual(names(out), tc.want);
      });
    }

    test('$setElementOrder on a primitive list', () => {
      const out = smp(pod({}, { name: 'p', finalizers: ['a', 'b', 'c'] }), {
        metadata: { '$setElementOrder/finalizers': ['c', 'b', 'a'] },
      }) as { metadata: { finalizers: string[] } };
      assert.deepEqual(out.metadata.finalizers, ['c', 'b', 'a']);
    });
  });

  describe('errors', () => {
    const errs: { name: string; original?: unknown; patch: unknown; code: number; message: string }[] = [
      {
        name: 'unknown $patch in a map',
        patch: { spec: { nodeSelector: { $patch: 'merge' } } },
        code: 400,
        message: 'unknown patch type: merge in map: map[$patch:merge]',
      },
      {
        name: 'unknown $patch in a list item',
        original: pod({ containers: [c('a')] }),
        patch: { spec: { containers: [{ name: 'a', $patch: 'frob' }] } },
        code: 400,
        message: 'unknown patch type: frob in map: map[$patch:frob name:a]',
      },
      {
        name: '$patch: merge in a list',
        original: pod({ containers: [c('a')] }),
        patch: { spec: { containers: [{ $patch: 'merge' }] } },
        code: 400,
        message: 'merging lists cannot yet be specified in the patch',
      },
      {
        name: '$deleteFromPrimitiveList without a field',
        patch: { metadata: { $deleteFromPrimitiveList: ['a'] } },
        code: 400,
        message: 'invalid patch format of primitive list',
      },
      {
        name: '$setElementOrder without a field',
        patch: { spec: { $setElementOrder: [] } },
        code: 400,
        message: 'invalid patch format of setElementOrder list',
      },
      {
        name: 'a patched key missing from $retainKeys',
        original: pod({ volumes: [{ name: 'v', emptyDir: {} }] }),
        patch: { spec: { volumes: [{ name: 'v', hostPath: { path: '/' }, $retainKeys: ['name'] }] } },
        code: 400,
        message: 'invalid patch format of retainKeys',
      },
      {
        name: 'an item without its merge key',
        original: pod({ containers: [c('a')] }),
        patch: { spec: { containers: [{ image: 'x' }] } },
        code: 400,
        message: 'map: map[image:x] does not contain declared merge key: name',
      },
      {
        name: 'a list of lists',
        original: pod({}, { name: 'p', finalizers: ['a'] }),
        patch: { metadata: { finalizers: [['b']] } },
        code: 422,
        message: 'the server rejected our request due to an error in our request',
      },
      {
        name: 'a patch that is not an object',
        patch: ['x'],
        code: 400,
        message: 'json: cannot unmarshal array into Go value of type map[string]interface {}',
      },
    ];
    for (const e of errs) {
      test(e.name, () => {
        assert.throws(
          () => smp(e.original ?? pod({ nodeSelector: { a: '1' } }), e.patch),
          (err: unknown) => {
            assert.ok(err instanceof ApiError);
            assert.equal(err.code, e.code);
            assert.equal(err.message, e.message);
            return true;
          },
        );
      });
    }
  });
});
