/**
 * The network picture from objects. Conventions: nodes n1 (10.250.0.2,
 * pods 10.244.1.0/24) and n2 (10.250.0.3, 10.244.2.0/24); pod IPs in their
 * node's subnet; Services in 10.96.0.0/12.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildNetworkPicture, type ClusterObjects } from './network-model.js';
import type { EndpointSliceObject, IngressObject, NodeObject, PodObject, ServiceObject } from './objects.js';

const node = (name: string, ip: string, cidr?: string, backend = 'vxlan', ready = true): NodeObject => ({
  metadata: { name, annotations: { 'podnet.io/backend-type': backend } },
  spec: cidr ? { podCIDR: cidr } : {},
  status: {
    addresses: [{ type: 'InternalIP', address: ip }],
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
  },
});

const pod = (name: string, nodeName: string | undefined, ip?: string, ready = true, ns = 'default'): PodObject => ({
  metadata: { name, namespace: ns },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c' }] },
  status: {
    phase: nodeName ? 'Running' : 'Pending',
    ...(ip ? { podIP: ip } : {}),
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
  },
});

const service = (
  name: string,
  ip: string,
  annotations: Record<string, string> = {},
  ns = 'default',
): ServiceObject => ({
  metadata: { name, namespace: ns, annotations },
  spec: { type: 'ClusterIP', clusterIP: ip, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
});

const slice = (
  svc: string,
  endpoints: { ip: string; pod?: string; ready?: boolean }[],
  ns = 'default',
): EndpointSliceObject => ({
  metadata: { name: `${svc}-abc`, namespace: ns, labels: { 'kubernetes.io/service-name': svc } },
  endpoints: endpoints.map((e) => ({
    addresses: [e.ip],
    conditions: { ready: e.ready ?? true },
    ...(e.pod ? { targetRef: { kind: 'Pod', name: e.pod, namespace: ns } } : {}),
  })),
});

const ingress = (name: string, rules: [string | undefined, string, string][], cls?: string): IngressObject => ({
  metadata: { name, namespace: 'default' },
  spec: {
    ...(cls ? { ingressClassName: cls } : {}),
    rules: rules.map(([host, path, svc]) => ({
      ...(host ? { host } : {}),
      http: { paths: [{ path, pathType: 'Prefix', backend: { service: { name: svc, port: { number: 80 } } } }] },
    })),
  },
});

const empty: ClusterObjects = { nodes: [], pods: [], services: [], slices: [], ingresses: [] };

test('nodes carry their subnet, address, backend and pods; every pair of nodes is joined', () => {
  const p = buildNetworkPicture({
    ...empty,
    nodes: [
      node('n2', '10.250.0.3', '10.244.2.0/24'),
      node('n1', '10.250.0.2', '10.244.1.0/24'),
      node('n3', '10.250.0.4'),
    ],
    pods: [
      pod('b', 'n1', '10.244.1.3'),
      pod('a', 'n1', '10.244.1.2'),
      pod('c', 'n2', '10.244.2.2'),
      pod('d', undefined),
    ],
  });
  assert.deepEqual(
    p.nodes.map((n) => [n.name, n.ip, n.podCidr, n.backend, n.pods.map((x) => x.name)]),
    [
      ['n1', '10.250.0.2', '10.244.1.0/24', 'vxlan', ['a', 'b']],
      ['n2', '10.250.0.3', '10.244.2.0/24', 'vxlan', ['c']],
      ['n3', '10.250.0.4', undefined, 'vxlan', []],
    ],
  );
  // n3 has no pod subnet yet: no path to it.
  assert.deepEqual(p.tunnels, [{ from: 'n1', to: 'n2', kind: 'vxlan' }]);
  assert.deepEqual(
    p.unscheduled.map((x) => x.key),
    ['default/d'],
  );
});

test('three host-gw nodes: three routes', () => {
  const p = buildNetworkPicture({
    ...empty,
    nodes: ['1', '2', '3'].map((i) => node(`n${i}`, `10.250.0.${i}`, `10.244.${i}.0/24`, 'host-gw')),
  });
  assert.deepEqual(
    p.tunnels.map((t) => `${t.from}-${t.to} ${t.kind}`),
    ['n1-n2 host-gw', 'n1-n3 host-gw', 'n2-n3 host-gw'],
  );
});

test('a pod bound to a node the cluster no longer lists still shows', () => {
  const p = buildNetworkPicture({ ...empty, pods: [pod('orphan', 'gone', '10.244.9.2')] });
  assert.deepEqual(
    p.nodes.map((n) => [n.name, n.ready, n.pods.length]),
    [['gone', false, 1]],
  );
});

test('Services: which pods they reach, what reaches them', () => {
  const objects: ClusterObjects = {
    nodes: [node('n1', '10.250.0.2', '10.244.1.0/24'), node('n2', '10.250.0.3', '10.244.2.0/24')],
    pods: [pod('web-1', 'n1', '10.244.1.2'), pod('web-2', 'n2', '10.244.2.2', false), pod('api-1', 'n2', '10.244.2.3')],
    services: [
      service('web', '10.96.0.20', {
        'podnet.io/dns-names': 'Shop.Mall, api.shop.mall',
        'podnet.io/routes': 'shop.example.com, Shop.Example.com/api',
      }),
      service('api', '10.96.0.21'),
      service('lonely', '10.96.0.22'),
    ],
    slices: [
      slice('web', [
        { ip: '10.244.1.2', pod: 'web-1' },
        { ip: '10.244.2.2', pod: 'web-2', ready: false },
      ]),
      // No targetRef: matched by the pod's IP.
      slice('api', [{ ip: '10.244.2.3' }, { ip: '192.0.2.7' }]),
      // Same Service name in another namespace: not this Service's.
      slice('lonely', [{ ip: '10.244.1.2' }], 'other'),
    ],
    ingresses: [
      ingress('shop', [
        ['shop.example.com', '/cart', 'web'],
        [undefined, '/', 'api'],
      ]),
      ingress('elsewhere', [['x.example.com', '/', 'api']], 'nginx'),
    ],
  };
  const p = buildNetworkPicture(objects, 'corp.local');
  const byName = new Map(p.services.map((s) => [s.name, s]));
  const web = byName.get('web')!;
  assert.equal(web.clusterIp, '10.96.0.20');
  assert.deepEqual(web.ports, ['80→8080']);
  assert.deepEqual(web.dnsNames, ['web.default.svc.corp.local', 'shop.mall', 'api.shop.mall']);
  assert.deepEqual(web.routes, ['shop.example.com/cart', 'shop.example.com/', 'shop.example.com/api']);
  assert.deepEqual(web.endpoints, [
    { pod: 'default/web-1', ip: '10.244.1.2', ready: true },
    { pod: 'default/web-2', ip: '10.244.2.2', ready: false },
  ]);
  const api = byName.get('api')!;
  assert.deepEqual(api.routes, ['*/', 'x.example.com/ (class nginx)']);
  assert.deepEqual(api.endpoints, [
    { pod: 'default/api-1', ip: '10.244.2.3', ready: true },
    { ip: '192.0.2.7', ready: true },
  ]);
  assert.deepEqual(byName.get('lonely')!.endpoints, []);
});

test('ports: protocol, target and node port', () => {
  const s: ServiceObject = {
    metadata: { name: 'dns', namespace: 'kube-system' },
    spec: {
      type: 'NodePort',
      clusterIP: '10.96.0.10',
      ports: [
        { port: 53, protocol: 'UDP', targetPort: 53 },
        { port: 80, protocol: 'TCP', targetPort: 'http', nodePort: 30080 },
      ],
    },
  };
  const p = buildNetworkPicture({ ...empty, services: [s] });
  assert.deepEqual(p.services[0]!.ports, ['53/UDP', '80→http (node :30080)']);
  assert.equal(p.services[0]!.type, 'NodePort');
});

test('a hostNetwork pod is not taken for every endpoint at its node address', () => {
  const host = pod('dns-1', 'n1', '10.250.0.2');
  host.spec!.hostNetwork = true;
  const p = buildNetworkPicture({
    ...empty,
    pods: [host],
    services: [service('x', '10.96.0.30')],
    slices: [slice('x', [{ ip: '10.250.0.2' }])],
  });
  assert.deepEqual(p.services[0]!.endpoints, [{ ip: '10.250.0.2', ready: true }]);
  assert.equal(p.nodes[0]!.pods[0]!.hostNetwork, true);
});
