import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { ApiError } from '../../../api/errors.js';
import { podSchema, serviceSchema, testResolve } from '../test-schemas.js';
import { apply, updateManagedFields } from './apply.js';
import { FieldSet, pathString } from './fieldpath.js';

const T0 = '2024-05-01T10:00:00Z';
const T1 = '2024-05-01T10:05:00.734Z';

const svc = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default', ...metadata },
  spec,
});

/** A Service created by `kubectl apply` (client side), as the server records it. */
function createdClientSide(spec: Record<string, unknown>): KObject {
  const o = svc(spec);
  updateManagedFields(undefined, o, 'kubectl-client-side-apply', 'Update', undefined, serviceSchema, testResolve, T0);
  return o;
}

const applySvc = (live: KObject | undefined, config: KObject, manager = 'kubectl', force = false, now = T1) =>
  apply(live, config, manager, force, serviceSchema, testResolve, now).object;

const owners = (o: KObject) => (o.metadata.managedFields ?? []).map((e) => `${e.manager}/${e.operation}`);
const fieldsOf = (o: KObject, manager: string) =>
  FieldSet.fromFieldsV1(o.metadata.managedFields!.find((e) => e.manager === manager)!.fieldsV1)
    .ordered()
    .map(pathString);

describe('server-side apply', () => {
  test("apply that creates records the configuration's fields in FieldsV1", () => {
    const out = applySvc(
      undefined,
      svc({ selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] }, { labels: { app: 'web' } }),
    );
    assert.deepEqual(out.spec, { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] });
    assert.deepEqual(out.metadata.managedFields, [
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'v1',
        time: '2024-05-01T10:05:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} } },
            'f:selector': { 'f:app': {} },
          },
        },
      },
    ]);
  });

  test("changing a field another manager owns is a 409 with kube's message", () => {
    const live = createdClientSide({
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }],
    });
    assert.throws(
      () => applySvc(live, svc({ ports: [{ port: 80, targetPort: 9090 }] })),
      (e: unknown) => {
        assert.ok(e instanceof ApiError);
        assert.equal(e.code, 409);
        assert.equal(e.reason, 'Conflict');
        assert.equal(
          e.message,
          'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .spec.ports[port=80,protocol="TCP"].targetPort',
        );
        assert.deepEqual(e.details?.causes, [
          {
            reason: 'FieldManagerConflict',
            message: 'conflict with "kubectl-client-side-apply" using v1',
            field: '.spec.ports[port=80,protocol="TCP"].targetPort',
          },
        ]);
        return true;
      },
    );
  });

  test('several conflicts are listed per manager, managers sorted', () => {
    let live = createdClientSide({ type: 'ClusterIP', selector: { app: 'web' } });
    live = applySvc(live, svc({ selector: { app: 'web', tier: 'fe' } }), 'helm');
    assert.throws(
      () => applySvc(live, svc({ type: 'NodePort', selector: { app: 'db', tier: 'be' } })),
      (e: unknown) => {
        assert.ok(e instanceof ApiError);
        assert.equal(
          e.message,
          [
            'Apply failed with 4 conflicts: conflicts with "helm":',
            '- .spec.selector.app',
            '- .spec.selector.tier',
            'conflicts with "kubectl-client-side-apply" using v1:',
            // Set order: a level's own members before the levels below it.
            '- .spec.type',
            '- .spec.selector.app',
          ].join('\n'),
        );
        assert.equal(e.details?.causes?.length, 4);
        return true;
      },
    );
  });

  test('applying the value another manager set shares ownership without conflict', () => {
    const live = createdClientSide({ selector: { app: 'web' } });
    const out = applySvc(live, svc({ selector: { app: 'web' } }));
    assert.deepEqual(fieldsOf(out, 'kubectl'), ['.spec.selector.app']);
    assert.deepEqual(fieldsOf(out, 'kubectl-client-side-apply'), ['.spec.selector.app']);
  });

  test('force takes the conflicting fields from the other manager', () => {
    const live = createdClientSide({ type: 'ClusterIP', selector: { app: 'web' } });
    const out = applySvc(live, svc({ selector: { app: 'db' } }), 'kubectl', true);
    assert.deepEqual(out.spec, { type: 'ClusterIP', selector: { app: 'db' } });
    assert.deepEqual(fieldsOf(out, 'kubectl'), ['.spec.selector.app']);
    assert.deepEqual(fieldsOf(out, 'kubectl-client-side-apply'), ['.spec.type']);
  });

  test('fields dropped from the configuration are removed unless someone else owns them', () => {
    let live = applySvc(
      undefined,
      svc({ selector: { app: 'web' } }, { labels: { a: '1', b: '2', c: '3' } }),
      'kubectl',
      false,
      T0,
    );
    // kubectl label takes c
    const labelled = structuredClone(live);
    labelled.metadata.labels = { a: '1', b: '2', c: '4' };
    updateManagedFields(live, labelled, 'kubectl-label', 'Update', undefined, serviceSchema, testResolve, T0);
    live = labelled;
    const out = applySvc(live, svc({ selector: { app: 'web' } }, { labels: { a: '1' } }));
    assert.deepEqual(out.metadata.labels, { a: '1', c: '4' });
    assert.deepEqual(fieldsOf(out, 'kubectl'), ['.metadata.labels.a', '.spec.selector.app']);
  });

  test('a map removed entirely by the applier disappears', () => {
    const live = applySvc(undefined, svc({ selector: { app: 'web' } }, { labels: { a: '1' } }));
    const out = applySvc(live, svc({ selector: { app: 'web' } }));
    assert.equal(out.metadata.labels, undefined);
  });

  test('map lists merge by key; the applier removes only its own items', () => {
    let live = createdClientSide({ ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] });
    live = applySvc(
      live,
      svc({
        ports: [
          { port: 443, targetPort: 8443 },
          { port: 53, protocol: 'UDP' },
        ],
      }),
    );
    assert.deepEqual(live.spec, {
      ports: [
        { port: 80, protocol: 'TCP', targetPort: 80 },
        { port: 443, targetPort: 8443 },
        { port: 53, protocol: 'UDP' },
      ],
    });
    const out = applySvc(live, svc({ ports: [{ port: 53, protocol: 'UDP' }] }));
    assert.deepEqual(out.spec, {
      ports: [
        { port: 80, protocol: 'TCP', targetPort: 80 },
        { port: 53, protocol: 'UDP' },
      ],
    });
  });

  test('a map-list item without a key field and no default is rejected', () => {
    assert.throws(
      () =>
        apply(
          undefined,
          { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ image: 'x' }] } },
          'kubectl',
          false,
          podSchema,
          testResolve,
          T1,
        ),
      (e: unknown) => e instanceof ApiError && e.code === 400 && /omits key field "name"/.test(e.message),
    );
  });

  const pod = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', ...metadata },
    spec,
  });
  const applyPod = (live: KObject | undefined, config: KObject, manager: string) =>
    apply(live, config, manager, false, podSchema, testResolve, T1).object;

  test('sets are unioned per value; atomic lists belong to one manager', () => {
    let live = applyPod(undefined, pod({ tolerations: [{ key: 'a' }] }, { finalizers: ['x/a'] }), 'one');
    live = applyPod(live, pod({}, { finalizers: ['x/b'] }), 'two');
    assert.deepEqual(live.metadata.finalizers, ['x/a', 'x/b']);
    assert.deepEqual(fieldsOf(live, 'two'), ['.metadata.finalizers[="x/b"]']);
    assert.throws(
      () => applyPod(live, pod({ tolerations: [{ key: 'b' }] }), 'two'),
      (e: unknown) =>
        e instanceof ApiError && e.message === 'Apply failed with 1 conflict: conflict with "one": .spec.tolerations',
    );
  });

  test('a configuration carrying managedFields is rejected', () => {
    assert.throws(
      () => applySvc(undefined, svc({}, { managedFields: [] })),
      (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === 'metadata.managedFields must be nil',
    );
  });

  test('status is not owned through the main resource', () => {
    const out = apply(
      undefined,
      { ...pod({ nodeName: 'n' }), status: { phase: 'Running' } },
      'kubectl',
      false,
      podSchema,
      testResolve,
      T1,
    ).object;
    assert.deepEqual(fieldsOf(out, 'kubectl'), ['.spec.nodeName']);
  });

  test("an apply that changes nothing keeps the applier's time", () => {
    const first = applySvc(undefined, svc({ selector: { app: 'web' } }), 'kubectl', false, T0);
    const again = applySvc(first, svc({ selector: { app: 'web' } }), 'kubectl', false, T1);
    assert.equal(again.metadata.managedFields![0]!.time, T0);
  });
});

describe('ownership of non-apply writes', () => {
  test('create owns every field; later updates by the same manager merge into one entry', () => {
    const o = svc({ selector: { app: 'web' } });
    updateManagedFields(undefined, o, 'kubectl-create', 'Update', undefined, serviceSchema, testResolve, T0);
    const next = structuredClone(o);
    next.spec = { selector: { app: 'web' }, type: 'NodePort' };
    updateManagedFields(o, next, 'kubectl-create', 'Update', undefined, serviceSchema, testResolve, T1);
    assert.equal(next.metadata.managedFields!.length, 1);
    assert.deepEqual(fieldsOf(next, 'kubectl-create'), ['.spec.type', '.spec.selector.app']);
    assert.equal(next.metadata.managedFields![0]!.time, '2024-05-01T10:05:00Z');
  });

  test('an update takes changed fields from other managers; a no-op update records nothing', () => {
    const o = svc({ selector: { app: 'web' }, type: 'ClusterIP' });
    updateManagedFields(undefined, o, 'kubectl-create', 'Update', undefined, serviceSchema, testResolve, T0);
    const edited = structuredClone(o);
    (edited.spec as { type: string }).type = 'NodePort';
    updateManagedFields(o, edited, 'kubectl-edit', 'Update', undefined, serviceSchema, testResolve, T1);
    assert.deepEqual(owners(edited), ['kubectl-create/Update', 'kubectl-edit/Update']);
    assert.deepEqual(fieldsOf(edited, 'kubectl-create'), ['.spec.selector.app']);
    assert.deepEqual(fieldsOf(edited, 'kubectl-edit'), ['.spec.type']);
    const same = structuredClone(edited);
    updateManagedFields(edited, same, 'kubectl-patch', 'Update', undefined, serviceSchema, testResolve, T1);
    assert.deepEqual(owners(same), ['kubectl-create/Update', 'kubectl-edit/Update']);
  });

  test('entries sort Apply first, then by time, then by manager', () => {
    let o = svc({ selector: { app: 'web' } });
    updateManagedFields(undefined, o, 'zz-create', 'Update', undefined, serviceSchema, testResolve, T1);
    o = applySvc(o, svc({ type: 'ClusterIP' }), 'kubectl', false, T1);
    const labelled = structuredClone(o);
    labelled.metadata.labels = { x: 'y' };
    updateManagedFields(o, labelled, 'aa-label', 'Update', undefined, serviceSchema, testResolve, T0);
    assert.deepEqual(owners(labelled), ['kubectl/Apply', 'aa-label/Update', 'zz-create/Update']);
  });

  test('a status subresource write is its own entry and owns only status', () => {
    const p: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { nodeName: 'n' } };
    updateManagedFields(undefined, p, 'kubectl-create', 'Update', undefined, podSchema, testResolve, T0);
    const s = structuredClone(p);
    s.status = { phase: 'Running', podIP: '10.244.1.5' };
    updateManagedFields(p, s, 'kubelet', 'Update', 'status', podSchema, testResolve, T1);
    const entry = s.metadata.managedFields!.find((e) => e.manager === 'kubelet')!;
    assert.equal(entry.subresource, 'status');
    assert.deepEqual(entry.fieldsV1, { 'f:status': { 'f:phase': {}, 'f:podIP': {} } });
  });
});

describe('field paths', () => {
  test('FieldsV1 round-trips with "." markers for members that have children', () => {
    const v1 = {
      'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    };
    const set = FieldSet.fromFieldsV1(v1);
    assert.deepEqual(set.ordered().map(pathString), [
      '.metadata.labels',
      '.metadata.labels.app',
      '.spec.containers[name="nginx"]',
      '.spec.containers[name="nginx"].image',
      '.spec.containers[name="nginx"].name',
    ]);
    assert.deepEqual(
      JSON.stringify(set.toFieldsV1()),
      JSON.stringify({
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
      }),
    );
  });
});
