import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { schemaForKind } from './index.js';
import { unknownFieldMessages, unknownFields } from './strict.js';

const pod = schemaForKind('v1', 'Pod')!;
const svc = schemaForKind('v1', 'Service')!;

describe('unknownFields', () => {
  const cases: { name: string; schema: typeof pod; obj: unknown; want: string[] }[] = [
    {
      name: 'a valid pod has none',
      schema: pod,
      obj: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web', labels: { app: 'web' }, annotations: { 'a/b': 'c' }, finalizers: ['x'] },
        spec: {
          containers: [
            {
              name: 'c',
              image: 'nginx',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
              readinessProbe: {
                httpGet: { path: '/', port: 'http', httpHeaders: [{ name: 'h', value: 'v' }] },
                periodSeconds: 5,
              },
              resources: { limits: { cpu: '100m', memory: 1024 } },
              volumeMounts: [{ name: 'v', mountPath: '/data' }],
            },
          ],
          volumes: [
            { name: 'v', emptyDir: {} },
            { name: 'cm', configMap: { name: 'cfg', items: [{ key: 'k', path: 'p' }] } },
          ],
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: 'k', operator: 'In', values: ['a'] }] }],
              },
            },
          },
          tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
        },
        status: {
          phase: 'Running',
          podIPs: [{ ip: '10.244.0.5' }],
          containerStatuses: [
            {
              name: 'c',
              ready: true,
              restartCount: 0,
              image: 'nginx',
              imageID: '',
              state: { running: { startedAt: '2024-01-01T00:00:00Z' } },
            },
          ],
        },
      },
      want: [],
    },
    {
      name: 'unknown container field is named with its index, no leading dot',
      schema: pod,
      obj: { spec: { containers: [{ name: 'a' }, { name: 'b', foo: 1 }] } },
      want: ['spec.containers[1].foo'],
    },
    {
      name: 'top-level and nested unknowns in document order, each reported once',
      schema: pod,
      obj: {
        bogus: true,
        metadata: { name: 'x', labelz: { a: 'b' } },
        spec: { containers: [{ name: 'a', Image: 'nginx' }], nodeSelector: { a: 'b' } },
      },
      want: ['bogus', 'metadata.labelz', 'spec.containers[0].Image'],
    },
    {
      name: 'field names are case-sensitive, as in kube-apiserver',
      schema: svc,
      obj: { spec: { Ports: [], ports: [{ port: 80, targetport: 8080 }] } },
      want: ['spec.Ports', 'spec.ports[0].targetport'],
    },
    {
      name: 'map values with object schemas are walked by key',
      schema: schemaForKind('v1', 'Node')!,
      obj: { status: { capacity: { cpu: '4' }, daemonEndpoints: { kubeletEndpoint: { Port: 10250, extra: 1 } } } },
      want: ['status.daemonEndpoints.kubeletEndpoint.extra'],
    },
    {
      name: "free-form fields ('any') accept anything",
      schema: pod,
      obj: { metadata: { managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:spec': { 'f:anything': {} } } }] } },
      want: [],
    },
    {
      name: 'values of the wrong JSON type are not descended into',
      schema: pod,
      obj: { spec: { containers: { name: 'a', foo: 1 } } },
      want: [],
    },
    {
      name: 'ingress backend in networking.k8s.io/v1',
      schema: schemaForKind('networking.k8s.io/v1', 'Ingress')!,
      obj: {
        spec: {
          rules: [
            {
              host: 'a',
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 's', port: { number: 80 } }, serviceName: 's' },
                  },
                ],
              },
            },
          ],
        },
      },
      want: ['spec.rules[0].http.paths[0].backend.serviceName'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(unknownFields(c.obj, c.schema), c.want));
  }

  test('messages read as kube-apiserver prints them', () => {
    assert.deepEqual(unknownFieldMessages(['spec.containers[0].foo']), ['unknown field "spec.containers[0].foo"']);
  });
});
