import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import type { KObject } from '../meta.js';
import { decodeKubernetesProtobuf } from './decode.js';
import { encodeKubernetesProtobuf } from './encode.js';
import { ProtoWriter } from './wire.js';

/**
 * Bodies captured from kubectl v1.32 (-v=9) against podnet, each with the
 * JSON `kubectl create ... --dry-run=client -o json` prints for the same
 * command (nulls dropped). Decoding must give that JSON, keys in the same
 * order, and encoding it again must give kubectl's exact bytes.
 */
const kubectlBodies: { name: string; hex: string; json: unknown }[] = [
  {
    name: 'create namespace x2',
    hex: '6b3873000a0f0a02763112094e616d657370616365121a0a120a02783212001a0022002a0032003800420012001a020a001a002200',
    json: { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'x2' }, spec: {}, status: {} },
  },
  {
    name: 'create secret generic s --from-literal=p=q',
    hex: '6b3873000a0c0a0276311206536563726574121d0a110a017312001a0022002a0032003800420012060a01701201711a001a002200',
    json: { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's' }, data: { p: 'cQ==' } },
  },
  {
    name: 'create configmap cb2 --from-file=r=<binary> --from-literal=k=v',
    hex: '6b3873000a0f0a0276311209436f6e6669674d6170122f0a130a0363623212001a0022002a0032003800420012060a016b1201761a100a0172120b00fffe0162696e617279801a002200',
    json: {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'cb2' },
      data: { k: 'v' },
      binaryData: { r: 'AP/+AWJpbmFyeYA=' },
    },
  },
  {
    name: 'create service clusterip s1 --tcp=80:8080',
    hex: '6b3873000a0d0a02763112075365727669636512660a1d0a02733112001a0022002a003200380042005a090a036170701202733112410a1b0a0738302d38303830120354435018502207080010903f1a00280012090a03617070120273311a002209436c757374657249503a00420052005a00600068001a020a001a002200',
    json: {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 's1', labels: { app: 's1' } },
      spec: {
        ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }],
        selector: { app: 's1' },
        type: 'ClusterIP',
      },
      status: { loadBalancer: {} },
    },
  },
  {
    name: 'create ingress ing1 --rule=foo.com/bar=svc1:8080,tls=my-cert --class=nginx',
    hex: '6b3873000a1f0a146e6574776f726b696e672e6b38732e696f2f76311207496e677265737312660a140a04696e673112001a0022002a00320038004200124a12120a07666f6f2e636f6d12076d792d636572741a2d0a07666f6f2e636f6d12220a200a1e0a042f626172120f220d0a047376633112050a0010903f1a05457861637422056e67696e781a020a001a002200',
    json: {
      kind: 'Ingress',
      apiVersion: 'networking.k8s.io/v1',
      metadata: { name: 'ing1' },
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: ['foo.com'], secretName: 'my-cert' }],
        rules: [
          {
            host: 'foo.com',
            http: {
              paths: [
                { path: '/bar', pathType: 'Exact', backend: { service: { name: 'svc1', port: { number: 8080 } } } },
              ],
            },
          },
        ],
      },
      status: { loadBalancer: {} },
    },
  },
];

describe('kubectl protobuf bodies', () => {
  for (const c of kubectlBodies) {
    test(c.name, () => {
      const bytes = Buffer.from(c.hex, 'hex');
      const obj = decodeKubernetesProtobuf(bytes);
      assert.equal(JSON.stringify(obj), JSON.stringify(c.json)); // same fields, same order as Go's JSON
      assert.equal(Buffer.from(encodeKubernetesProtobuf(obj)).toString('hex'), c.hex);
    });
  }
});

/** Objects in the form Go marshals them (non-omitempty zero fields present, struct values never omitted). */
const roundTrips: { name: string; obj: KObject }[] = [
  {
    name: 'Namespace with status conditions',
    obj: {
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: {
        name: 'team-a',
        uid: '6c1f9c1e-0000-4000-8000-000000000001',
        resourceVersion: '42',
        creationTimestamp: '2024-05-01T10:00:00Z',
        labels: { 'kubernetes.io/metadata.name': 'team-a' },
      },
      spec: { finalizers: ['kubernetes'] },
      status: {
        phase: 'Terminating',
        conditions: [
          {
            type: 'NamespaceDeletionContentFailure',
            status: 'False',
            lastTransitionTime: '2024-05-01T10:05:00Z',
            reason: 'ContentDeleted',
            message: 'All content successfully deleted',
          },
        ],
      },
    },
  },
  {
    name: 'ConfigMap with owner references, managed fields and binary data',
    obj: {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: {
        name: 'app-config',
        namespace: 'default',
        generateName: 'app-',
        generation: 3,
        annotations: { note: 'ünïcode ✓' },
        ownerReferences: [
          { apiVersion: 'v1', kind: 'Pod', name: 'owner', uid: 'u-1', controller: true, blockOwnerDeletion: false },
        ],
        finalizers: ['example.com/keep'],
        managedFields: [
          {
            manager: 'kubectl-create',
            operation: 'Update',
            apiVersion: 'v1',
            time: '2024-05-01T10:00:00Z',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:data': { '.': {}, 'f:a': {} } },
          },
        ],
      },
      immutable: false,
      data: { a: 'b', empty: '' },
      binaryData: { blob: Buffer.from([0, 1, 2, 250, 255]).toString('base64') },
    },
  },
  {
    name: 'Secret of a TLS type with stringData',
    obj: {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: {
        name: 'tls',
        namespace: 'web',
        deletionGracePeriodSeconds: 30,
        deletionTimestamp: '2024-05-02T00:00:00Z',
      },
      immutable: true,
      data: { 'tls.crt': Buffer.from('-----BEGIN CERTIFICATE-----').toString('base64'), 'tls.key': '' },
      stringData: { extra: 'plain' },
      type: 'kubernetes.io/tls',
    },
  },
  {
    name: 'Service with numeric and named targetPorts',
    obj: {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        ports: [
          { name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080 },
          { name: 'dns', protocol: 'UDP', appProtocol: 'dns', port: 53, targetPort: 5353 },
          { protocol: 'TCP', port: 0, targetPort: 0 },
        ],
        selector: { app: 'web' },
        clusterIP: '10.96.0.10',
        clusterIPs: ['10.96.0.10'],
        type: 'NodePort',
        sessionAffinity: 'ClientIP',
        externalTrafficPolicy: 'Local',
        healthCheckNodePort: 31000,
        publishNotReadyAddresses: true,
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        allocateLoadBalancerNodePorts: false,
        internalTrafficPolicy: 'Cluster',
      },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.1', ipMode: 'VIP' }] } },
    },
  },
  {
    name: 'Pod with containers, ports, env, resources, probes and volumes',
    obj: {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'web-0', namespace: 'default', labels: { app: 'web' } },
      spec: {
        volumes: [
          {
            name: 'cfg',
            configMap: {
              name: 'app-config',
              items: [{ key: 'a', path: 'a.txt', mode: 0o644 }],
              defaultMode: 420,
              optional: false,
            },
          },
          { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
        ],
        containers: [
          {
            name: 'web',
            image: 'nginx:1.27',
            command: ['nginx'],
            args: ['-g', 'daemon off;'],
            workingDir: '/srv',
            ports: [
              { name: 'http', containerPort: 80, protocol: 'TCP' },
              { hostPort: 8443, containerPort: 443, protocol: 'TCP', hostIP: '0.0.0.0' },
            ],
            env: [
              { name: 'A', value: 'B' },
              { name: 'EMPTY' },
              { name: 'POD', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
              {
                name: 'MEM',
                valueFrom: { resourceFieldRef: { containerName: 'web', resource: 'limits.memory', divisor: '1Mi' } },
              },
              { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '0' } } },
            ],
            resources: {
              limits: { cpu: '500m', memory: '128Mi' },
              requests: { cpu: '100m', memory: '64Mi', 'ephemeral-storage': '1G' },
            },
            volumeMounts: [{ name: 'cfg', readOnly: true, mountPath: '/etc/app' }],
            livenessProbe: {
              httpGet: {
                path: '/healthz',
                port: 'http',
                scheme: 'HTTP',
                httpHeaders: [{ name: 'X-Probe', value: '1' }],
              },
              initialDelaySeconds: 3,
              timeoutSeconds: 1,
              periodSeconds: 10,
              successThreshold: 1,
              failureThreshold: 3,
            },
            readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5, terminationGracePeriodSeconds: 7 },
            startupProbe: { exec: { command: ['cat', '/tmp/ready'] }, failureThreshold: 30 },
            lifecycle: { preStop: { sleep: { seconds: 5 } } },
            imagePullPolicy: 'IfNotPresent',
            securityContext: {
              runAsUser: 0,
              runAsNonRoot: false,
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
            },
            stdin: true,
            tty: true,
          },
        ],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        activeDeadlineSeconds: 2 ** 40,
        dnsPolicy: 'ClusterFirst',
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        serviceAccountName: 'default',
        automountServiceAccountToken: false,
        nodeName: 'node-1',
        hostNetwork: true,
        securityContext: { runAsUser: 1000, fsGroup: 2000, supplementalGroups: [1, 2, 3000000000] },
        tolerations: [
          { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        ],
        priority: -10,
        enableServiceLinks: true,
      },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-05-01T10:00:01Z' }],
        hostIP: '192.0.2.10',
        podIP: '10.244.1.5',
        podIPs: [{ ip: '10.244.1.5' }],
        startTime: '2024-05-01T10:00:00Z',
        containerStatuses: [
          {
            name: 'web',
            state: { running: { startedAt: '2024-05-01T10:00:01Z' } },
            lastState: {},
            ready: true,
            restartCount: 0,
            image: 'nginx:1.27',
            imageID: '',
            started: true,
          },
        ],
        qosClass: 'Burstable',
      },
    },
  },
  {
    name: 'DeleteOptions with preconditions and dry run',
    obj: {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      gracePeriodSeconds: 0,
      preconditions: { uid: 'u-1', resourceVersion: '' },
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
    } as unknown as KObject,
  },
  {
    name: 'Lease with MicroTime',
    obj: {
      kind: 'Lease',
      apiVersion: 'coordination.k8s.io/v1',
      metadata: { name: 'node-1', namespace: 'kube-node-lease' },
      spec: {
        holderIdentity: 'node-1',
        leaseDurationSeconds: 40,
        acquireTime: '2024-05-01T10:00:00.000000Z',
        renewTime: '2024-05-01T10:00:10.123456Z',
        leaseTransitions: 0,
      },
    },
  },
  {
    name: 'Event with Time and non-omitempty empty strings',
    obj: {
      kind: 'Event',
      apiVersion: 'v1',
      metadata: { name: 'web-0.1', namespace: 'default' },
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-0', apiVersion: 'v1' },
      reason: 'Started',
      message: 'Started container web',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: '2024-05-01T10:00:00Z',
      lastTimestamp: '2024-05-01T10:00:00Z',
      count: 1,
      type: 'Normal',
      reportingComponent: '',
      reportingInstance: '',
    },
  },
  {
    name: 'EndpointSlice with optional pointers',
    obj: {
      kind: 'EndpointSlice',
      apiVersion: 'discovery.k8s.io/v1',
      metadata: { name: 'web-abc', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [
        {
          addresses: ['10.244.1.5'],
          conditions: { ready: true, serving: true, terminating: false },
          targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'u-2' },
          nodeName: 'node-1',
        },
        { addresses: ['10.244.2.7'], conditions: {} },
      ],
      ports: [
        { name: 'http', protocol: 'TCP', port: 80 },
        { name: '', port: 0 },
      ],
    },
  },
  {
    name: 'NetworkPolicy with IntOrString port pointers',
    obj: {
      kind: 'NetworkPolicy',
      apiVersion: 'networking.k8s.io/v1',
      metadata: { name: 'allow-web', namespace: 'default' },
      spec: {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [
          {
            ports: [
              { protocol: 'TCP', port: 'http' },
              { protocol: 'TCP', port: 8000, endPort: 9000 },
            ],
            from: [
              { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } },
              { namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['a'] }] } },
            ],
          },
        ],
        policyTypes: ['Ingress'],
      },
    },
  },
];

describe('round trip (encode, then decode)', () => {
  for (const c of roundTrips) {
    test(c.name, () => {
      assert.deepEqual(decodeKubernetesProtobuf(encodeKubernetesProtobuf(c.obj)), c.obj);
    });
  }
});

/** A body around a hand-written message, for wire forms our encoder does not produce. */
function body(apiVersion: string, kind: string, raw: Uint8Array, contentEncoding = ''): Uint8Array {
  const tm = new ProtoWriter();
  tm.stringField(1, apiVersion);
  tm.stringField(2, kind);
  const u = new ProtoWriter();
  u.bytesField(1, tm.finish());
  u.bytesField(2, raw);
  u.stringField(3, contentEncoding);
  return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...u.finish()]);
}

const msg = (build: (w: ProtoWriter) => void): Uint8Array => {
  const w = new ProtoWriter();
  build(w);
  return w.finish();
};

describe('wire forms', () => {
  test('Go zero values: omitempty fields left out, others present, struct values never omitted', () => {
    const obj = decodeKubernetesProtobuf(
      body(
        'v1',
        'Pod',
        msg((pod) => {
          pod.bytesField(
            2,
            msg((spec) =>
              spec.bytesField(
                2,
                msg(() => {}),
              ),
            ),
          ); // one empty container
        }),
      ),
    );
    assert.deepEqual(obj, {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: {},
      spec: { containers: [{ name: '', resources: {} }] },
      status: {},
    });
  });

  test('packed and unpacked repeated varints, negative int32 and int64', () => {
    const sc = msg((s) => {
      s.bytesField(4, Uint8Array.from([1, 2, 3])); // supplementalGroups, packed
      s.varintField(4, 4); // and one more unpacked
      s.varintField(2, -1); // runAsUser: -1 as a ten-byte varint
    });
    const obj = decodeKubernetesProtobuf(
      body(
        'v1',
        'Pod',
        msg((pod) =>
          pod.bytesField(
            2,
            msg((spec) => {
              spec.bytesField(14, sc);
              spec.varintField(25, -5); // priority (int32)
            }),
          ),
        ),
      ),
    );
    const spec = obj['spec'] as Record<string, unknown>;
    assert.deepEqual(spec['securityContext'], { runAsUser: -1, supplementalGroups: [1, 2, 3, 4] });
    assert.equal(spec['priority'], -5);
  });

  test('unknown field numbers are skipped', () => {
    const obj = decodeKubernetesProtobuf(
      body(
        'v1',
        'ConfigMap',
        msg((cm) => {
          cm.bytesField(
            1,
            msg((m) => {
              m.stringField(1, 'c');
              m.stringField(999, 'future');
              m.varintField(998, 7);
            }),
          );
          cm.doubleField(77, 1.5);
        }),
      ),
    );
    assert.deepEqual(obj, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c' } });
  });

  test('a message field sent twice merges, a scalar sent twice keeps the last value', () => {
    const obj = decodeKubernetesProtobuf(
      body(
        'v1',
        'ConfigMap',
        msg((cm) => {
          cm.bytesField(
            1,
            msg((m) => {
              m.stringField(1, 'first');
              m.stringField(3, 'ns');
            }),
          );
          cm.bytesField(
            1,
            msg((m) => m.stringField(1, 'second')),
          );
        }),
      ),
    );
    assert.deepEqual(obj['metadata'], { name: 'second', namespace: 'ns' });
  });

  test('DeleteOptions under the meta.k8s.io group version', () => {
    const obj = decodeKubernetesProtobuf(
      body(
        'meta.k8s.io/v1',
        'DeleteOptions',
        msg((d) => {
          d.varintField(1, 5);
          d.stringField(4, 'Orphan');
        }),
      ),
    );
    assert.deepEqual(obj, {
      kind: 'DeleteOptions',
      apiVersion: 'meta.k8s.io/v1',
      gracePeriodSeconds: 5,
      propagationPolicy: 'Orphan',
    });
  });
});

describe('malformed bodies are 400s that say what is wrong', () => {
  const cases: { name: string; bytes: Uint8Array; message: RegExp }[] = [
    {
      name: 'JSON sent as protobuf',
      bytes: Buffer.from('{"kind":"Pod"}'),
      message: /must start with the 4-byte prefix/,
    },
    { name: 'empty after the prefix', bytes: Uint8Array.of(0x6b, 0x38, 0x73, 0x00), message: /'Kind' is missing/ },
    {
      name: 'truncated envelope',
      bytes: Uint8Array.of(0x6b, 0x38, 0x73, 0x00, 0x0a, 0x20, 0x0a),
      message: /envelope .* malformed/,
    },
    {
      name: 'kind not served',
      bytes: body('batch/v1', 'Job', new Uint8Array(0)),
      message: /no kind "Job" is registered for version "batch\/v1"/,
    },
    {
      name: 'compressed content',
      bytes: body('v1', 'Pod', new Uint8Array(0), 'gzip'),
      message: /content encoding "gzip"/,
    },
    {
      name: 'wrong wire type for a string',
      bytes: body(
        'v1',
        'ConfigMap',
        msg((cm) =>
          cm.bytesField(
            1,
            msg((m) => m.varintField(1, 3)),
          ),
        ),
      ),
      message: /not a valid ConfigMap: ObjectMeta\.name/,
    },
    {
      name: 'truncated object',
      bytes: body('v1', 'Secret', Uint8Array.of(0x0a, 0x05, 0x0a)),
      message: /not a valid Secret/,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.throws(
        () => decodeKubernetesProtobuf(c.bytes),
        (e: unknown) => e instanceof ApiError && e.code === 400 && c.message.test(e.message),
      );
    });
  }
});
