import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.js';
import { applyJsonPatchBody } from './json-patch.js';

const doc = () => ({
  metadata: { name: 'web', labels: { app: 'web', 'a/b': '1', 'm~n': '2' } },
  spec: { ports: [{ port: 80 }, { port: 443 }] },
});

describe('json patch (RFC 6902)', () => {
  const cases: { name: string; ops: unknown[]; want: unknown }[] = [
    {
      name: 'add a member',
      ops: [{ op: 'add', path: '/metadata/labels/tier', value: 'fe' }],
      want: { ...doc(), metadata: { name: 'web', labels: { app: 'web', 'a/b': '1', 'm~n': '2', tier: 'fe' } } },
    },
    {
      name: 'add inserts into a list at an index',
      ops: [{ op: 'add', path: '/spec/ports/1', value: { port: 8080 } }],
      want: { ...doc(), spec: { ports: [{ port: 80 }, { port: 8080 }, { port: 443 }] } },
    },
    {
      name: '"-" appends',
      ops: [{ op: 'add', path: '/spec/ports/-', value: { port: 9 } }],
      want: { ...doc(), spec: { ports: [{ port: 80 }, { port: 443 }, { port: 9 }] } },
    },
    {
      name: '~1 and ~0 unescape to / and ~',
      ops: [
        { op: 'remove', path: '/metadata/labels/a~1b' },
        { op: 'replace', path: '/metadata/labels/m~0n', value: '3' },
      ],
      want: { ...doc(), metadata: { name: 'web', labels: { app: 'web', 'm~n': '3' } } },
    },
    {
      name: 'remove a list item',
      ops: [{ op: 'remove', path: '/spec/ports/0' }],
      want: { ...doc(), spec: { ports: [{ port: 443 }] } },
    },
    {
      name: 'move',
      ops: [{ op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/name' }],
      want: { ...doc(), metadata: { name: 'web', labels: { 'a/b': '1', 'm~n': '2', name: 'web' } } },
    },
    {
      name: 'copy',
      ops: [{ op: 'copy', from: '/spec/ports/0', path: '/spec/ports/-' }],
      want: { ...doc(), spec: { ports: [{ port: 80 }, { port: 443 }, { port: 80 }] } },
    },
    {
      name: 'a passing test lets later operations run',
      ops: [
        { op: 'test', path: '/spec/ports/1/port', value: 443 },
        { op: 'replace', path: '/spec/ports/1/port', value: 8443 },
      ],
      want: { ...doc(), spec: { ports: [{ port: 80 }, { port: 8443 }] } },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const original = doc();
      assert.deepEqual(applyJsonPatchBody(original, JSON.stringify(c.ops)), c.want);
      assert.deepEqual(original, doc(), 'the live object is not modified');
    });
  }

  const failing: { name: string; ops: unknown[] }[] = [
    { name: 'a failing test', ops: [{ op: 'test', path: '/metadata/name', value: 'db' }] },
    { name: 'removing a missing key', ops: [{ op: 'remove', path: '/metadata/labels/nope' }] },
    { name: 'replacing a missing key', ops: [{ op: 'replace', path: '/spec/replicas', value: 2 }] },
    { name: 'adding under a missing parent', ops: [{ op: 'add', path: '/spec/template/spec', value: {} }] },
    { name: 'an index past the end', ops: [{ op: 'add', path: '/spec/ports/5', value: {} }] },
    { name: 'an unknown op', ops: [{ op: 'frobnicate', path: '/spec' }] },
  ];
  for (const c of failing) {
    test(`${c.name} is 422 with kube's generic text`, () => {
      assert.throws(
        () => applyJsonPatchBody(doc(), JSON.stringify(c.ops)),
        (e: unknown) => {
          assert.ok(e instanceof ApiError);
          assert.equal(e.code, 422);
          assert.equal(e.reason, 'Invalid');
          assert.equal(e.message, 'the server rejected our request due to an error in our request');
          return true;
        },
      );
    });
  }

  test('operations apply all or nothing', () => {
    const original = doc();
    assert.throws(() =>
      applyJsonPatchBody(
        original,
        JSON.stringify([
          { op: 'remove', path: '/metadata/labels/app' },
          { op: 'test', path: '/x', value: 1 },
        ]),
      ),
    );
    assert.equal(original.metadata.labels.app, 'web');
  });

  test('a body that is not a list of operations is 400', () => {
    assert.throws(
      () => applyJsonPatchBody(doc(), '{"op":"add"}'),
      (e: unknown) =>
        e instanceof ApiError &&
        e.code === 400 &&
        e.message === 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    );
  });
});
