import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve, schemaForKind } from '../../../api/schema/index.js';
import type { Schema } from '../../../api/schema/types.js';
import { endpointSliceObject, podObject, serviceObject } from '../../../bench/apiserver/objects.js';
import { podSchema, serviceSchema, testResolve } from '../test-schemas.js';
import type { Resolve } from '../schema-nav.js';
import { createdFieldsV1 } from './created-fields.js';
import { FieldSet, type FieldPath } from './fieldpath.js';
import { fieldEntries } from './typed.js';

/** The general path: every member path from fieldEntries, filtered, as FieldsV1. */
function viaFieldEntries(v: unknown, schema: Schema, res: Resolve, keep: (p: FieldPath) => boolean) {
  const set = new FieldSet(
    [...fieldEntries(v, schema, res, { strictKeys: false }).values()].map((e) => e.path).filter(keep),
  );
  return set.empty() ? undefined : set.toFieldsV1();
}

const keeps: Record<string, (p: FieldPath) => boolean> = {
  all: () => true,
  'no status, no metadata.name': (p) =>
    p[0] !== 'f:status' && JSON.stringify(p) !== '["f:metadata","f:name"]' && JSON.stringify(p) !== '["f:metadata"]',
  nothing: () => false,
};

const real = (apiVersion: string, kind: string) => schemaForKind(apiVersion, kind)!;

const cases: Array<[string, unknown, Schema, Resolve]> = [
  ['bench Service', serviceObject(7, 'ns'), real('v1', 'Service'), resolve],
  ['bench Pod', podObject(7, 'ns', 10), real('v1', 'Pod'), resolve],
  ['bench EndpointSlice', endpointSliceObject(3, 'ns', 5, 10), real('discovery.k8s.io/v1', 'EndpointSlice'), resolve],
  [
    'nulls, empty maps, unknown fields',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'a', labels: {}, annotations: null, extra: { x: 1 } },
      spec: {
        selector: { app: 'x' },
        ports: [{ port: 80 }, { port: 81, protocol: 'UDP', name: null }],
        clusterIPs: ['10.0.0.1', '10.0.0.1'],
        sessionAffinityConfig: {},
      },
      status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
    },
    real('v1', 'Service'),
    resolve,
  ],
  [
    'map list item missing its key is atomic',
    { spec: { ports: [{ name: 'x' }, { port: 1 }] } },
    serviceSchema,
    testResolve,
  ],
  [
    'test pod with containers and env',
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', finalizers: ['a', 'b'] },
      spec: {
        containers: [{ name: 'c', image: 'i', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] }],
        undefinedField: undefined,
      },
    },
    podSchema,
    testResolve,
  ],
  [
    'values where objects are expected',
    { metadata: 'x', spec: { selector: 5, ports: 'p' } },
    serviceSchema,
    testResolve,
  ],
  ['empty object', {}, serviceSchema, testResolve],
];

describe('createdFieldsV1 equals the general fieldEntries path', () => {
  for (const [name, obj, schema, res] of cases) {
    for (const [kname, keep] of Object.entries(keeps)) {
      test(`${name}, keep ${kname}`, () => {
        assert.deepEqual(createdFieldsV1(obj, schema, res, keep), viaFieldEntries(obj, schema, res, keep));
        // Same key order too: FieldsV1 is stored and shown as it is.
        assert.equal(
          JSON.stringify(createdFieldsV1(obj, schema, res, keep)),
          JSON.stringify(viaFieldEntries(obj, schema, res, keep)),
        );
      });
    }
  }
});
