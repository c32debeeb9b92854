import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { errors, formatFieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import { findResource, type ResourceInfo } from '../resources.js';
import { applyDefaults } from '../defaults/index.js';
import { validateCreate, validateStatusUpdate, validateUpdate } from './index.js';

const ri = (group: string, resource: string): ResourceInfo => findResource(group, 'v1', resource)!;
const messages = (r: ResourceInfo, o: KObject) => validateCreate(r, o).map(formatFieldError);
const defaulted = (r: ResourceInfo, o: KObject) => {
  applyDefaults(r, o);
  return o;
};

const svc = (spec: Record<string, unknown>, name = 'web'): KObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec,
});
const pod = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', ...meta },
  spec: { containers: [{ name: 'c', image: 'nginx:1.25' }], ...spec },
});

const LABEL_RE = "(e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_RE =
  "(e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe('Service validation', () => {
  const services = ri('', 'services');
  const cases: { name: string; obj: KObject; want: string[] }[] = [
    { name: 'valid ClusterIP', obj: svc({ selector: { app: 'web' }, ports: [{ port: 80 }] }), want: [] },
    {
      name: 'port out of range',
      obj: svc({ ports: [{ port: 70000 }] }),
      want: [
        'spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
        'spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      ],
    },
    { name: 'ports required', obj: svc({ selector: { app: 'x' } }), want: ['spec.ports: Required value'] },
    { name: 'headless needs no ports', obj: svc({ clusterIP: 'None' }), want: [] },
    {
      name: 'names required with several ports',
      obj: svc({ ports: [{ port: 80 }, { port: 81, name: 'b' }] }),
      want: ['spec.ports[0].name: Required value'],
    },
    {
      name: 'duplicate names',
      obj: svc({
        ports: [
          { port: 80, name: 'a' },
          { port: 81, name: 'a' },
        ],
      }),
      want: ['spec.ports[1].name: Duplicate value: "a"'],
    },
    {
      name: 'bad protocol',
      obj: svc({ ports: [{ port: 80, protocol: 'HTTP' }] }),
      want: ['spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
    },
    {
      name: 'bad named targetPort',
      obj: svc({ ports: [{ port: 80, targetPort: 'Http_Port' }] }),
      want: [
        'spec.ports[0].targetPort: Invalid value: "Http_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      ],
    },
    {
      name: 'nodePort on ClusterIP',
      obj: svc({ ports: [{ port: 80, nodePort: 30080 }] }),
      want: ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    },
    {
      name: 'duplicate port',
      obj: svc({
        ports: [
          { port: 80, name: 'a' },
          { port: 80, name: 'b' },
        ],
      }),
      want: [
        'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
      ],
    },
    {
      name: 'bad type',
      obj: svc({ type: 'Magic', ports: [{ port: 80 }] }),
      want: [
        'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      ],
    },
    {
      name: 'ExternalName needs name',
      obj: svc({ type: 'ExternalName' }),
      want: ['spec.externalName: Required value'],
    },
    { name: 'ExternalName valid', obj: svc({ type: 'ExternalName', externalName: 'db.example.com.' }), want: [] },
    {
      name: 'bad clusterIP',
      obj: svc({ clusterIP: '10.0.0.300', ports: [{ port: 80 }] }),
      want: [
        'spec.clusterIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      ],
    },
    {
      name: 'affinity timeout',
      obj: svc({
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } },
        ports: [{ port: 80 }],
      }),
      want: [
        'spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400',
      ],
    },
    {
      name: 'externalTrafficPolicy on ClusterIP',
      obj: svc({ externalTrafficPolicy: 'Local', ports: [{ port: 80 }] }),
      want: ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services'],
    },
    {
      name: 'bad internalTrafficPolicy',
      obj: svc({ internalTrafficPolicy: 'Nearby', ports: [{ port: 80 }] }),
      want: ['spec.internalTrafficPolicy: Unsupported value: "Nearby": supported values: "Cluster", "Local"'],
    },
    {
      name: 'bad ipFamily',
      obj: svc({ ipFamilies: ['IPv5'], ports: [{ port: 80 }] }),
      want: ['spec.ipFamilies[0]: Unsupported value: "IPv5": supported values: "IPv4", "IPv6"'],
    },
    {
      name: 'service name is DNS-1035',
      obj: svc({ ports: [{ port: 80 }] }, '1web'),
      want: [
        `metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
      ],
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(messages(services, defaulted(services, c.obj)), c.want));
  }

  test('clusterIP may not change on update', () => {
    const old = defaulted(services, svc({ clusterIP: '10.96.0.5', ports: [{ port: 80 }] }));
    const next = defaulted(services, svc({ clusterIP: '10.96.0.6', clusterIPs: ['10.96.0.6'], ports: [{ port: 80 }] }));
    assert.deepEqual(validateUpdate(services, next, old).map(formatFieldError), [
      'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.6"}: may not change once set',
    ]);
  });

  test('the 422 kubectl prints', () => {
    const errs = validateCreate(services, defaulted(services, svc({ ports: [{ port: 70000, targetPort: 80 }] })));
    assert.equal(
      errors.invalid({ group: '', kind: 'Service' }, 'web', errs).message,
      'Service "web" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
    );
  });
});

describe('Pod validation', () => {
  const pods = ri('', 'pods');
  const cases: { name: string; obj: KObject; want: string[] }[] = [
    { name: 'valid', obj: pod({}), want: [] },
    { name: 'containers required', obj: pod({ containers: [] }), want: ['spec.containers: Required value'] },
    {
      name: 'container name',
      obj: pod({ containers: [{ name: 'Web', image: 'x' }] }),
      want: [
        `spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character ${LABEL_RE}`,
      ],
    },
    {
      name: 'image required',
      obj: pod({ containers: [{ name: 'c' }] }),
      want: ['spec.containers[0].image: Required value'],
    },
    {
      name: 'duplicate names across init',
      obj: pod({ initContainers: [{ name: 'c', image: 'x' }] }),
      want: ['spec.initContainers[0].name: Duplicate value: "c"'],
    },
    {
      name: 'container port',
      obj: pod({ containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 0 }, { containerPort: 99999 }] }] }),
      want: [
        'spec.containers[0].ports[0].containerPort: Required value',
        'spec.containers[0].ports[1].containerPort: Invalid value: 99999: must be between 1 and 65535, inclusive',
      ],
    },
    {
      name: 'port names unique',
      obj: pod({
        containers: [
          {
            name: 'c',
            image: 'x',
            ports: [
              { containerPort: 80, name: 'http' },
              { containerPort: 81, name: 'http' },
            ],
          },
        ],
      }),
      want: ['spec.containers[0].ports[1].name: Duplicate value: "http"'],
    },
    {
      name: 'env name',
      obj: pod({ containers: [{ name: 'c', image: 'x', env: [{ name: 'A=B' }] }] }),
      want: [
        'spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than \'=\'',
      ],
    },
    {
      name: 'probe needs a handler',
      obj: pod({ containers: [{ name: 'c', image: 'x', livenessProbe: {} }] }),
      want: ['spec.containers[0].livenessProbe: Required value: must specify a handler type'],
    },
    {
      name: 'probe one handler',
      obj: pod({
        containers: [
          { name: 'c', image: 'x', readinessProbe: { exec: { command: ['true'] }, tcpSocket: { port: 80 } } },
        ],
      }),
      want: ['spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type'],
    },
    {
      name: 'restartPolicy',
      obj: pod({ restartPolicy: 'Sometimes' }),
      want: ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
    },
    {
      name: 'dnsPolicy',
      obj: pod({ dnsPolicy: 'Cluster' }),
      want: [
        'spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
      ],
    },
    {
      name: 'dnsPolicy None needs config',
      obj: pod({ dnsPolicy: 'None' }),
      want: ['spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None'],
    },
    {
      name: 'too many nameservers',
      obj: pod({ dnsConfig: { nameservers: ['1.1.1.1', '1.0.0.1', '8.8.8.8', '8.8.4.4'] } }),
      want: [
        'spec.dnsConfig.nameservers: Invalid value: []string{"1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4"}: must not have more than 3 nameservers',
      ],
    },
    {
      name: 'hostname',
      obj: pod({ hostname: 'a.b' }),
      want: ['spec.hostname: Invalid value: "a.b": must not contain dots'],
    },
    {
      name: 'hostNetwork ports',
      obj: pod({
        hostNetwork: true,
        containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 81 }] }],
      }),
      want: [
        'spec.containers[0].ports[0].hostPort: Invalid value: 81: must match `containerPort` when `hostNetwork` is true',
      ],
    },
    {
      name: 'negative grace',
      obj: pod({ activeDeadlineSeconds: 0 }),
      want: ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive'],
    },
    { name: 'namespace required', obj: pod({}, { namespace: '' }), want: ['metadata.namespace: Required value'] },
    {
      name: 'name or generateName',
      obj: pod({}, { name: '', generateName: 'web-' }),
      want: ['metadata.name: Required value: name or generateName is required'],
    },
    {
      name: 'bad label value',
      obj: pod({}, { labels: { app: 'a b' } }),
      want: [
        "metadata.labels: Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      ],
    },
    {
      name: 'bad label key',
      obj: pod({}, { labels: { 'a/b/c': 'x' } }),
      want: [
        "metadata.labels: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      ],
    },
    {
      name: 'annotations too large',
      obj: pod({}, { annotations: { big: 'x'.repeat(256 * 1024) } }),
      want: ['metadata.annotations: Too long: may not be more than 262144 bytes'],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(messages(pods, defaulted(pods, c.obj)), c.want));

  test('only the image may change on update', () => {
    const old = defaulted(pods, pod({}, { resourceVersion: '1' }));
    const imageOnly = structuredClone(old);
    (imageOnly.spec as { containers: { image: string }[] }).containers[0]!.image = 'nginx:1.26';
    assert.deepEqual(validateUpdate(pods, imageOnly, old), []);
    const other = structuredClone(old);
    (other.spec as Record<string, unknown>).restartPolicy = 'Never';
    const msgs = validateUpdate(pods, other, old).map(formatFieldError);
    assert.equal(msgs.length, 1);
    assert.ok(
      msgs[0]!.startsWith(
        'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n',
      ),
      msgs[0],
    );
    assert.match(msgs[0]!, /restartPolicy/);
  });

  test('name and namespace are immutable', () => {
    const old = defaulted(pods, pod({}));
    const renamed = structuredClone(old);
    renamed.metadata.name = 'q';
    assert.ok(
      validateUpdate(pods, renamed, old)
        .map(formatFieldError)
        .includes('metadata.name: Invalid value: "q": field is immutable'),
    );
  });

  test('status updates may not change nodeName', () => {
    const old = defaulted(pods, pod({}));
    const next = structuredClone(old);
    (next.spec as Record<string, unknown>).nodeName = 'n1';
    assert.deepEqual(validateStatusUpdate(pods, next, old).map(formatFieldError), [
      'status.nodeName: Forbidden: may not be changed directly',
    ]);
  });
});

describe('other kinds', () => {
  const meta = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}) });
  const cases: { name: string; r: ResourceInfo; obj: KObject; want: string[] }[] = [
    {
      name: 'namespace name is a DNS label',
      r: ri('', 'namespaces'),
      obj: { apiVersion: 'v1', kind: 'Namespace', metadata: meta('a.b') },
      want: ['metadata.name: Invalid value: "a.b": must not contain dots'],
    },
    {
      name: 'node podCIDR',
      r: ri('', 'nodes'),
      obj: { apiVersion: 'v1', kind: 'Node', metadata: meta('n1'), spec: { podCIDRs: ['10.244.1.0/33'] } },
      want: [
        'spec.podCIDRs[0]: Invalid value: "10.244.1.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      ],
    },
    {
      name: 'configmap key',
      r: ri('', 'configmaps'),
      obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('c', 'default'), data: { 'a b': 'x' } },
      want: [
        "data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      ],
    },
    {
      name: 'tls secret keys',
      r: ri('', 'secrets'),
      obj: { apiVersion: 'v1', kind: 'Secret', metadata: meta('s', 'default'), type: 'kubernetes.io/tls', data: {} },
      want: ['data[tls.crt]: Required value', 'data[tls.key]: Required value'],
    },
    {
      name: 'endpoints subset',
      r: ri('', 'endpoints'),
      obj: {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: meta('e', 'default'),
        subsets: [{ addresses: [{ ip: '127.0.0.1' }] }],
      },
      want: [
        'subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      ],
    },
    {
      name: 'endpointslice address type',
      r: ri('discovery.k8s.io', 'endpointslices'),
      obj: {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: meta('e', 'default'),
        addressType: 'IP',
      },
      want: ['addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"'],
    },
    {
      name: 'endpointslice IPv4 address',
      r: ri('discovery.k8s.io', 'endpointslices'),
      obj: {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: meta('e', 'default'),
        addressType: 'IPv4',
        endpoints: [{ addresses: ['fd00::1'] }],
      },
      want: ['endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address'],
    },
    {
      name: 'endpointslice too many endpoints',
      r: ri('discovery.k8s.io', 'endpointslices'),
      obj: {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: meta('e', 'default'),
        addressType: 'IPv4',
        endpoints: Array.from({ length: 1001 }, () => ({ addresses: ['10.0.0.1'] })),
      },
      want: ['endpoints: Too many: 1001: must have at most 1000 items'],
    },
    {
      name: 'ingress needs rules or default',
      r: ri('networking.k8s.io', 'ingresses'),
      obj: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta('i', 'default'), spec: {} },
      want: [
        'spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified',
      ],
    },
    {
      name: 'ingress pathType and backend',
      r: ri('networking.k8s.io', 'ingresses'),
      obj: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: meta('i', 'default'),
        spec: {
          rules: [
            {
              host: 'Web.example.com',
              http: {
                paths: [
                  { path: '/', backend: { service: { name: 'web', port: { number: 80 } } } },
                  { path: '/a', pathType: 'Prefix', backend: { service: { name: 'web', port: {} } } },
                ],
              },
            },
          ],
        },
      },
      want: [
        `spec.rules[0].host: Invalid value: "Web.example.com": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character ${SUBDOMAIN_RE}`,
        'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
        'spec.rules[0].http.paths[1].backend: Required value: port name or number is required',
      ],
    },
    {
      name: 'ingressclass controller',
      r: ri('networking.k8s.io', 'ingressclasses'),
      obj: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: meta('c'),
        spec: { controller: 'nginx' },
      },
      want: ['spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")'],
    },
    {
      name: 'networkpolicy operator',
      r: ri('networking.k8s.io', 'networkpolicies'),
      obj: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta('n', 'default'),
        spec: { podSelector: { matchExpressions: [{ key: 'a', operator: 'Has' }] } },
      },
      want: ['spec.podSelector.matchExpressions[0].operator: Invalid value: "Has": not a valid selector operator'],
    },
    {
      name: 'lease duration',
      r: ri('coordination.k8s.io', 'leases'),
      obj: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: meta('l', 'default'),
        spec: { leaseDurationSeconds: 0 },
      },
      want: ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0'],
    },
    {
      name: 'event namespace',
      r: ri('', 'events'),
      obj: { apiVersion: 'v1', kind: 'Event', metadata: meta('e', 'default'), involvedObject: { namespace: 'other' } },
      want: ['involvedObject.namespace: Invalid value: "other": does not match event.namespace'],
    },
    {
      name: 'serviceaccount name',
      r: ri('', 'serviceaccounts'),
      obj: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('Bad', 'default') },
      want: [
        `metadata.name: Invalid value: "Bad": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character ${SUBDOMAIN_RE}`,
      ],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(messages(c.r, defaulted(c.r, c.obj)), c.want));

  test('node podCIDRs are immutable once set', () => {
    const nodes = ri('', 'nodes');
    const old: KObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
      spec: { podCIDRs: ['10.244.1.0/24'] },
    };
    const next: KObject = { ...old, spec: { podCIDRs: ['10.244.2.0/24'] } };
    assert.deepEqual(validateUpdate(nodes, next, old).map(formatFieldError), [
      'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
    ]);
    assert.deepEqual(validateUpdate(nodes, old, { ...old, spec: {} }), []);
  });
});

describe('special endpoint addresses', () => {
  test('unspecified, loopback, link-local and link-local multicast IPv4 addresses are refused, with leading zeros too', async () => {
    const { nonSpecialIPErrors } = await import('./formats.js');
    assert.deepEqual(nonSpecialIPErrors('0.0.0.0'), ['may not be unspecified (0.0.0.0)']);
    assert.deepEqual(nonSpecialIPErrors('000.0.00.0'), ['may not be unspecified (000.0.00.0)']);
    assert.deepEqual(nonSpecialIPErrors('127.1.2.3'), ['may not be in the loopback range (127.0.0.0/8, ::1/128)']);
    assert.deepEqual(nonSpecialIPErrors('127.00.0.01'), ['may not be in the loopback range (127.0.0.0/8, ::1/128)']);
    assert.deepEqual(nonSpecialIPErrors('169.254.10.1'), [
      'may not be in the link-local range (169.254.0.0/16, fe80::/10)',
    ]);
    assert.deepEqual(nonSpecialIPErrors('224.0.0.251'), [
      'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
    ]);
    assert.deepEqual(nonSpecialIPErrors('224.0.1.1'), []);
    assert.deepEqual(nonSpecialIPErrors('10.128.0.1'), []);
    assert.deepEqual(nonSpecialIPErrors('10.0.0.256'), ['must be a valid IP address']);
  });
});
