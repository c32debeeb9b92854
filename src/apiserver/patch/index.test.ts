import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/meta.js';
import { ApiError } from '../../api/errors.js';
import { applyPatch, parseApplyPatch, patchTypeOf } from './index.js';
import { podSchema, testResolve } from './test-schemas.js';

const live = (): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels: { app: 'a' } },
  spec: {
    containers: [
      { name: 'a', image: 'a:1' },
      { name: 'b', image: 'b:1' },
    ],
  },
});

describe('patch dispatcher', () => {
  const cases: { type: string; body: string; want: unknown }[] = [
    {
      type: 'application/json-patch+json',
      body: '[{"op":"replace","path":"/spec/containers/1/image","value":"b:2"}]',
      want: [
        { name: 'a', image: 'a:1' },
        { name: 'b', image: 'b:2' },
      ],
    },
    {
      type: 'application/merge-patch+json',
      body: '{"spec":{"containers":[{"name":"b","image":"b:2"}]}}',
      want: [{ name: 'b', image: 'b:2' }],
    },
    {
      type: 'application/strategic-merge-patch+json; charset=utf-8',
      body: '{"spec":{"containers":[{"name":"b","image":"b:2"}]}}',
      want: [
        { name: 'a', image: 'a:1' },
        { name: 'b', image: 'b:2' },
      ],
    },
  ];
  for (const c of cases) {
    test(`${c.type} picks its semantics`, () => {
      const out = applyPatch(c.type, live(), Buffer.from(c.body), podSchema, testResolve);
      assert.deepEqual((out.spec as { containers: unknown }).containers, c.want);
    });
  }

  test('an unknown content type is 415 naming it', () => {
    assert.throws(
      () => applyPatch('text/plain', live(), '{}', podSchema, testResolve),
      (e: unknown) => e instanceof ApiError && e.code === 415 && e.message.endsWith('(got "text/plain")'),
    );
  });

  test('apply patches are recognised and parsed from YAML or JSON', () => {
    assert.equal(patchTypeOf('application/apply-patch+yaml'), 'apply');
    assert.deepEqual(parseApplyPatch('apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n'), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
    });
    assert.deepEqual(
      parseApplyPatch(Buffer.from('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}')).metadata,
      { name: 'p' },
    );
    assert.throws(
      () => parseApplyPatch('- a\n- b\n'),
      (e: unknown) => e instanceof ApiError && e.code === 400,
    );
  });

  test('a strategic patch that is not JSON is 400', () => {
    assert.throws(
      () => applyPatch('application/strategic-merge-patch+json', live(), '{nope', podSchema, testResolve),
      (e: unknown) => e instanceof ApiError && e.code === 400,
    );
  });
});
