import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.js';
import { applyMergePatchBody, mergePatch } from './merge-patch.js';

describe('json merge patch (RFC 7386)', () => {
  // The examples of RFC 7386 appendix A.
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  cases.forEach(([original, patch, want], i) => {
    test(`RFC 7386 example ${i + 1}`, () => assert.deepEqual(mergePatch(original, patch), want));
  });

  test('lists replace and labels merge on an object', () => {
    const live = { metadata: { labels: { app: 'a', tier: 'x' } }, spec: { ports: [{ port: 80 }, { port: 81 }] } };
    const out = applyMergePatchBody(
      live,
      JSON.stringify({ metadata: { labels: { tier: null, env: 'prod' } }, spec: { ports: [{ port: 90 }] } }),
    );
    assert.deepEqual(out, { metadata: { labels: { app: 'a', env: 'prod' } }, spec: { ports: [{ port: 90 }] } });
    assert.deepEqual(live.metadata.labels, { app: 'a', tier: 'x' });
  });

  test('a body that is not a JSON object is 400 Invalid JSON Patch', () => {
    for (const body of ['[1]', 'nope', '3']) {
      assert.throws(
        () => applyMergePatchBody({}, body),
        (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === 'Invalid JSON Patch',
      );
    }
  });
});
