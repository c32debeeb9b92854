import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../meta.js';
import { findResource } from '../resources.js';
import { applyDefaults, defaultPullPolicy } from './index.js';

const ri = (group: string, resource: string) => findResource(group, 'v1', resource)!;
const apply = (group: string, resource: string, o: KObject) => {
  applyDefaults(ri(group, resource), o);
  return o;
};

describe('Service defaults', () => {
  test('ClusterIP service', () => {
    const o = apply('', 'services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { ports: [{ port: 80 }] },
    });
    assert.deepEqual(o.spec, {
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      sessionAffinity: 'None',
      type: 'ClusterIP',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
  });
  test('NodePort gets externalTrafficPolicy; clusterIP syncs into clusterIPs', () => {
    const o = apply('', 'services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { type: 'NodePort', clusterIP: 'fd00::10', ports: [{ port: 80, targetPort: 'http' }] },
    });
    const s = o.spec as Record<string, unknown>;
    assert.equal(s.externalTrafficPolicy, 'Cluster');
    assert.deepEqual(s.clusterIPs, ['fd00::10']);
    assert.deepEqual(s.ipFamilies, ['IPv6']);
    assert.equal((s.ports as { targetPort: unknown }[])[0]!.targetPort, 'http');
  });
  test('a ClusterIP Service with externalIPs gets externalTrafficPolicy, one without none', () => {
    const svc = (extra: Record<string, unknown>) =>
      apply('', 'services', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web' },
        spec: { ports: [{ port: 80 }], ...extra },
      }).spec as Record<string, unknown>;
    assert.equal(svc({ externalIPs: ['203.0.113.5'] }).externalTrafficPolicy, 'Cluster');
    assert.equal(svc({}).externalTrafficPolicy, undefined);
  });
  test('ExternalName gets no traffic policy or families', () => {
    const o = apply('', 'services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'db' },
      spec: { type: 'ExternalName', externalName: 'db.example.com' },
    });
    assert.deepEqual(o.spec, { type: 'ExternalName', externalName: 'db.example.com', sessionAffinity: 'None' });
  });
  test('ClientIP affinity timeout', () => {
    const o = apply('', 'services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'w' },
      spec: { sessionAffinity: 'ClientIP', ports: [{ port: 1 }] },
    });
    assert.deepEqual((o.spec as Record<string, unknown>).sessionAffinityConfig, {
      clientIP: { timeoutSeconds: 10800 },
    });
  });
});

describe('Pod defaults', () => {
  test('a minimal pod', () => {
    const o = apply('', 'pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        containers: [
          { name: 'c', image: 'nginx', ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { port: 80 } } },
        ],
      },
    });
    assert.deepEqual(o.spec, {
      containers: [
        {
          name: 'c',
          image: 'nginx',
          imagePullPolicy: 'Always',
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          readinessProbe: {
            httpGet: { port: 80, path: '/', scheme: 'HTTP' },
            timeoutSeconds: 1,
            periodSeconds: 10,
            successThreshold: 1,
            failureThreshold: 3,
          },
        },
      ],
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
      securityContext: {},
      enableServiceLinks: true,
      serviceAccountName: 'default',
      serviceAccount: 'default',
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    });
  });
  test('defaulting twice changes nothing', () => {
    const o = apply('', 'pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    const again = apply('', 'pods', structuredClone(o));
    assert.deepEqual(again, o);
  });
  test('hostNetwork copies containerPort into hostPort; limits become requests', () => {
    const o = apply('', 'pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        hostNetwork: true,
        containers: [{ name: 'c', image: 'x:1', ports: [{ containerPort: 53 }], resources: { limits: { cpu: '1' } } }],
      },
    });
    const c = (o.spec as { containers: Record<string, unknown>[] }).containers[0]!;
    assert.deepEqual(c.ports, [{ containerPort: 53, protocol: 'TCP', hostPort: 53 }]);
    assert.deepEqual(c.resources, { limits: { cpu: '1' }, requests: { cpu: '1' } });
  });
  const pulls: [string, string][] = [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['localhost:5000/app', 'Always'],
    ['localhost:5000/app:v2', 'IfNotPresent'],
    ['nginx@sha256:abc', 'IfNotPresent'],
  ];
  for (const [image, want] of pulls)
    test(`imagePullPolicy for ${image}`, () => assert.equal(defaultPullPolicy(image), want));
});

describe('other defaults', () => {
  test('namespace', () => {
    const o = apply('', 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } });
    assert.deepEqual(o, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'dev', labels: { 'kubernetes.io/metadata.name': 'dev' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  });
  test('secret type', () =>
    assert.equal(apply('', 'secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }).type, 'Opaque'));
  test('endpointslice ports', () => {
    const o = apply('discovery.k8s.io', 'endpointslices', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'e' },
      ports: [{ port: 80 }],
    });
    assert.deepEqual(o.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
  });
  test('ingress pathType is not defaulted', () => {
    const spec = { rules: [{ http: { paths: [{ path: '/', backend: {} }] } }] };
    const o = apply('networking.k8s.io', 'ingresses', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'i' },
      spec: structuredClone(spec),
    });
    assert.deepEqual(o.spec, spec);
  });
  test('node allocatable follows capacity', () => {
    const o = apply('', 'nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n' },
      status: { capacity: { pods: '110' } },
    });
    assert.deepEqual((o.status as Record<string, unknown>).allocatable, { pods: '110' });
  });
  test('networkpolicy policyTypes', () => {
    const o = apply('networking.k8s.io', 'networkpolicies', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'n' },
      spec: { egress: [{}] },
    });
    assert.deepEqual((o.spec as Record<string, unknown>).policyTypes, ['Ingress', 'Egress']);
  });
});
