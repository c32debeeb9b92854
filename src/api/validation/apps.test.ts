import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import { findResource, type ResourceInfo } from '../resources.js';
import { applyDefaults } from '../defaults/index.js';
import { validateCreate, validateUpdate } from './index.js';

const ri = (resource: string): ResourceInfo => findResource('apps', 'v1', resource)!;

/** A defaulted workload of `kind` with selector and template labels app=web. */
function workload(kind: string, spec: Record<string, unknown> = {}, template: Record<string, unknown> = {}): KObject {
  const o: KObject = {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
        ...template,
      },
      ...spec,
    },
  };
  applyDefaults(ri(`${kind.toLowerCase()}s`), o);
  return o;
}
const messages = (o: KObject) => validateCreate(ri(`${o.kind.toLowerCase()}s`), o).map(formatFieldError);

describe('apps/v1 defaults', () => {
  test('Deployment: one replica, RollingUpdate 25%/25%, history 10, deadline 600, template pod defaults', () => {
    const d = workload('Deployment');
    const spec = d.spec as Record<string, unknown>;
    assert.equal(spec['replicas'], 1);
    assert.deepEqual(spec['strategy'], {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
    });
    assert.equal(spec['revisionHistoryLimit'], 10);
    assert.equal(spec['progressDeadlineSeconds'], 600);
    const podSpec = (spec['template'] as { spec: Record<string, unknown> }).spec;
    assert.equal(podSpec['restartPolicy'], 'Always');
    assert.equal(podSpec['terminationGracePeriodSeconds'], 30);
    assert.equal(podSpec['serviceAccountName'], undefined, 'admission defaults are not applied to templates');
    assert.equal(podSpec['tolerations'], undefined);
  });
  test('Recreate gets no rollingUpdate', () => {
    const d = workload('Deployment', { strategy: { type: 'Recreate' } });
    assert.deepEqual((d.spec as Record<string, unknown>)['strategy'], { type: 'Recreate' });
  });
  test('DaemonSet: RollingUpdate maxUnavailable 1, maxSurge 0', () => {
    const spec = workload('DaemonSet').spec as Record<string, unknown>;
    assert.deepEqual(spec['updateStrategy'], {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
  });
  test('StatefulSet: OrderedReady, partition 0, Retain', () => {
    const spec = workload('StatefulSet').spec as Record<string, unknown>;
    assert.equal(spec['podManagementPolicy'], 'OrderedReady');
    assert.deepEqual(spec['updateStrategy'], { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    assert.deepEqual(spec['persistentVolumeClaimRetentionPolicy'], { whenDeleted: 'Retain', whenScaled: 'Retain' });
    assert.equal(spec['replicas'], 1);
  });
});

describe('apps/v1 validation', () => {
  const cases: { name: string; obj: KObject; want: string[] }[] = [
    { name: 'valid Deployment', obj: workload('Deployment'), want: [] },
    { name: 'valid ReplicaSet', obj: workload('ReplicaSet'), want: [] },
    { name: 'valid DaemonSet', obj: workload('DaemonSet'), want: [] },
    { name: 'valid StatefulSet', obj: workload('StatefulSet', { serviceName: 'web' }), want: [] },
    {
      name: 'selector does not match the template',
      obj: workload('Deployment', { selector: { matchLabels: { app: 'other' } } }),
      want: [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      ],
    },
    {
      name: 'no selector',
      obj: workload('Deployment', { selector: undefined }),
      want: [
        'spec.selector: Required value',
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      ],
    },
    {
      name: 'empty selector',
      obj: workload('DaemonSet', { selector: {} }),
      want: [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for daemonset',
      ],
    },
    {
      name: 'negative replicas, restartPolicy Never, no containers',
      obj: workload('Deployment', { replicas: -1 }, { spec: { restartPolicy: 'Never', containers: [] } }),
      want: [
        'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
        'spec.template.spec.containers: Required value',
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
      ],
    },
    {
      name: 'maxSurge and maxUnavailable both 0, and over 100%',
      obj: workload('Deployment', {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } },
      }),
      want: [
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0%"}: may not be 0 when `maxSurge` is 0',
      ],
    },
    {
      name: 'maxUnavailable over 100% and a bad percent',
      obj: workload('Deployment', {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'x', maxUnavailable: '150%' } },
      }),
      want: [
        `spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"x"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%',
      ],
    },
    {
      name: 'Recreate with rollingUpdate',
      obj: workload('Deployment', { strategy: { type: 'Recreate', rollingUpdate: {} } }),
      want: ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
    },
    {
      name: 'progressDeadlineSeconds not above minReadySeconds',
      obj: workload('Deployment', { minReadySeconds: 10, progressDeadlineSeconds: 10 }),
      want: ['spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds'],
    },
    {
      name: 'DaemonSet with both maxSurge and maxUnavailable',
      obj: workload('DaemonSet', {
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
      }),
      want: [
        'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero',
      ],
    },
    {
      name: 'StatefulSet with a bad pod management policy',
      obj: workload('StatefulSet', { podManagementPolicy: 'Random' }),
      want: ["spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'"],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(messages(c.obj), c.want));

  test('the selector is immutable', () => {
    const old = workload('Deployment');
    const next = workload('Deployment', {
      selector: { matchLabels: { app: 'web', tier: 'x' } },
    });
    (next.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels['tier'] =
      'x';
    assert.deepEqual(validateUpdate(ri('deployments'), next, old).map(formatFieldError), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });

  test('a StatefulSet may change only replicas, template, strategy and a few more', () => {
    const old = workload('StatefulSet', { serviceName: 'web' });
    const scaled = workload('StatefulSet', { serviceName: 'web', replicas: 3 });
    assert.deepEqual(validateUpdate(ri('statefulsets'), scaled, old), []);
    const renamed = workload('StatefulSet', { serviceName: 'other' });
    assert.deepEqual(validateUpdate(ri('statefulsets'), renamed, old).map(formatFieldError), [
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });
});
