/**
 * The routing table from cluster objects. Conventions: pods are 10.244.N.M,
 * Services listen on 80 (name "http") and target 8080; objects are created
 * in the order of their creationTimestamp suffix (t1 older than t2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRouterState, isOurIngress, backendName } from './model.js';
import { selfSignedPem, splitPem } from './self-signed.js';
import type {
  ClusterView,
  IngressClassObject,
  IngressObject,
  RouterEndpointSliceObject,
  RouterPodObject,
  RouterServiceObject,
  SecretObject,
} from './types.js';

const ts = (n: number) => `2026-12-07T10:00:0${n}Z`;

const podnetClass = (isDefault = true): IngressClassObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: {
    name: 'podnet',
    ...(isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}),
  },
  spec: { controller: 'podnet.io/router' },
});
const otherClass: IngressClassObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: { name: 'nginx' },
  spec: { controller: 'k8s.io/ingress-nginx' },
};

function service(name: string, annotations?: Record<string, string>, ns = 'default'): RouterServiceObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, uid: `uid-svc-${name}`, creationTimestamp: ts(0), annotations },
    spec: {
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
        { name: 'admin', port: 9000, protocol: 'TCP', targetPort: 9000 },
      ],
    },
  };
}

type Ep = { pod: string; ip: string; ready?: boolean; serving?: boolean; terminating?: boolean };

function slice(svc: string, eps: Ep[], ns = 'default'): RouterEndpointSliceObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${svc}-abc`, namespace: ns, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports: [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'admin', port: 9000, protocol: 'TCP' },
    ],
    endpoints: eps.map((e) => ({
      addresses: [e.ip],
      conditions: {
        ready: e.ready ?? true,
        serving: e.serving ?? e.ready ?? true,
        terminating: e.terminating ?? false,
      },
      targetRef: { kind: 'Pod', name: e.pod, namespace: ns, uid: `uid-${e.pod}` },
    })),
  };
}

const pod = (name: string, ip: string, ns = 'default', uid = `uid-${name}`): RouterPodObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, uid },
  status: { podIP: ip, phase: 'Running' },
});

function ingress(
  name: string,
  age: number,
  spec: IngressObject['spec'],
  annotations?: Record<string, string>,
  ns = 'default',
): IngressObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: ns, uid: `uid-ing-${name}`, creationTimestamp: ts(age), annotations },
    spec,
  };
}

const rule = (host: string | undefined, paths: [string, string, string, number | string][]) => ({
  ...(host === undefined ? {} : { host }),
  http: {
    paths: paths.map(([path, pathType, svc, port]) => ({
      path,
      pathType,
      backend: { service: { name: svc, port: typeof port === 'number' ? { number: port } : { name: port } } },
    })),
  },
});

function view(v: Partial<ClusterView>): ClusterView {
  return {
    ingresses: [],
    ingressClasses: [podnetClass()],
    services: [],
    endpointSlices: [],
    pods: [],
    secrets: [],
    nodes: [],
    ...v,
  };
}

const shop = { services: [service('shop')], endpointSlices: [slice('shop', [{ pod: 'shop-1', ip: '10.244.1.5' }])] };

test('which Ingresses are ours', () => {
  const cases: { name: string; ing: IngressObject; classes: IngressClassObject[]; want: boolean }[] = [
    {
      name: 'our class by name',
      ing: ingress('a', 1, { ingressClassName: 'podnet' }),
      classes: [podnetClass(false)],
      want: true,
    },
    {
      name: 'another class',
      ing: ingress('a', 1, { ingressClassName: 'nginx' }),
      classes: [podnetClass(), otherClass],
      want: false,
    },
    {
      name: 'a class that does not exist',
      ing: ingress('a', 1, { ingressClassName: 'gone' }),
      classes: [podnetClass()],
      want: false,
    },
    {
      name: 'no class, ours is the default',
      ing: ingress('a', 1, {}),
      classes: [podnetClass(true), otherClass],
      want: true,
    },
    { name: 'no class, no default', ing: ingress('a', 1, {}), classes: [podnetClass(false)], want: false },
    {
      name: 'no class, another default',
      ing: ingress('a', 1, {}),
      classes: [
        podnetClass(false),
        {
          ...otherClass,
          metadata: { name: 'nginx', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
        },
      ],
      want: false,
    },
    {
      name: 'legacy annotation',
      ing: ingress('a', 1, {}, { 'kubernetes.io/ingress.class': 'podnet' }),
      classes: [podnetClass(false)],
      want: true,
    },
    {
      name: 'legacy annotation of another class',
      ing: ingress('a', 1, {}, { 'kubernetes.io/ingress.class': 'nginx' }),
      classes: [podnetClass(true)],
      want: false,
    },
  ];
  for (const c of cases) assert.equal(isOurIngress(c.ing, c.classes), c.want, c.name);
});

test('routes and backends from an Ingress: hosts lower-cased, Prefix paths normalised, ports by number and name', () => {
  const s = buildRouterState(
    view({
      ...shop,
      pods: [pod('shop-1', '10.244.1.5')],
      ingresses: [
        ingress('shop', 1, {
          rules: [
            rule('Shop.Example.com', [
              ['/api/', 'Prefix', 'shop', 80],
              ['/exact', 'Exact', 'shop', 'http'],
              ['/impl', 'ImplementationSpecific', 'shop', 'admin'],
            ]),
          ],
        }),
      ],
    }),
  );
  assert.deepEqual(
    s.routes.map((r) => [r.host, r.path, r.pathType, r.backend]),
    [
      ['shop.example.com', '/api', 'Prefix', 'default_shop_80'],
      ['shop.example.com', '/exact', 'Exact', 'default_shop_http'],
      ['shop.example.com', '/impl', 'Prefix', 'default_shop_admin'],
    ],
  );
  assert.deepEqual(
    s.backends.map((b) => [b.name, b.servers.map((x) => `${x.name}=${x.address}:${x.port}`)]),
    [
      ['default_shop_80', ['shop-1=10.244.1.5:8080']],
      ['default_shop_admin', ['shop-1=10.244.1.5:9000']],
      ['default_shop_http', ['shop-1=10.244.1.5:8080']],
    ],
  );
  assert.deepEqual(s.events, []);
});

test('servers: ready endpoints; terminating-but-serving only when none is ready; the pod must still hold the address', () => {
  const cases: { name: string; eps: Ep[]; pods: RouterPodObject[]; want: string[] }[] = [
    {
      name: 'ready only',
      eps: [
        { pod: 'a', ip: '10.244.1.2' },
        { pod: 'b', ip: '10.244.2.2', ready: false, serving: true, terminating: true },
        { pod: 'c', ip: '10.244.3.2', ready: false, serving: false },
      ],
      pods: [pod('a', '10.244.1.2'), pod('b', '10.244.2.2'), pod('c', '10.244.3.2')],
      want: ['a'],
    },
    {
      name: 'terminating-but-serving as the fallback',
      eps: [
        { pod: 'b', ip: '10.244.2.2', ready: false, serving: true, terminating: true },
        { pod: 'c', ip: '10.244.3.2', ready: false, serving: false, terminating: true },
      ],
      pods: [pod('b', '10.244.2.2'), pod('c', '10.244.3.2')],
      want: ['b'],
    },
    { name: 'pod gone', eps: [{ pod: 'a', ip: '10.244.1.2' }], pods: [], want: [] },
    {
      name: 'address now held by a new pod of the same name',
      eps: [{ pod: 'a', ip: '10.244.1.2' }],
      pods: [pod('a', '10.244.1.2', 'default', 'uid-new')],
      want: [],
    },
    {
      name: 'pod moved to another address',
      eps: [{ pod: 'a', ip: '10.244.1.2' }],
      pods: [pod('a', '10.244.1.9')],
      want: [],
    },
    {
      name: 'sorted by pod name',
      eps: [
        { pod: 'z', ip: '10.244.1.2' },
        { pod: 'm', ip: '10.244.1.3' },
      ],
      pods: [pod('z', '10.244.1.2'), pod('m', '10.244.1.3')],
      want: ['m', 'z'],
    },
  ];
  for (const c of cases) {
    const s = buildRouterState(
      view({
        services: [service('web')],
        endpointSlices: [slice('web', c.eps)],
        pods: c.pods,
        ingresses: [ingress('web', 1, { rules: [rule('web.example.com', [['/', 'Prefix', 'web', 80]])] })],
      }),
    );
    assert.deepEqual(
      s.backends[0]!.servers.map((x) => x.name),
      c.want,
      c.name,
    );
  }
});

test('an endpoint without a pod is routed by its address', () => {
  const sl = slice('ext', []);
  sl.endpoints = [{ addresses: ['192.0.2.7'], conditions: { ready: true } }];
  const s = buildRouterState(
    view({
      services: [service('ext')],
      endpointSlices: [sl],
      ingresses: [ingress('ext', 1, { rules: [rule('ext.example.com', [['/', 'Prefix', 'ext', 'http']])] })],
    }),
  );
  assert.deepEqual(s.backends[0]!.servers, [{ name: '192.0.2.7', address: '192.0.2.7', port: 8080 }]);
});

test('conflicts: the oldest claim wins and each loser gets a Warning naming the winner', () => {
  const s = buildRouterState(
    view({
      services: [
        service('a'),
        service('b'),
        {
          ...service('c', { 'podnet.io/routes': 'x.example.com/api' }),
          metadata: {
            ...service('c').metadata,
            creationTimestamp: ts(3),
            annotations: { 'podnet.io/routes': 'x.example.com/api' },
          },
        },
      ],
      ingresses: [
        ingress('newer', 2, {
          rules: [
            rule('x.example.com', [
              ['/api', 'Prefix', 'b', 80],
              ['/b', 'Exact', 'b', 80],
            ]),
          ],
        }),
        ingress('older', 1, { rules: [rule('x.example.com', [['/api/', 'Prefix', 'a', 80]])] }),
      ],
    }),
  );
  assert.deepEqual(
    s.routes.map((r) => [r.path, r.pathType, r.backend, r.source.name]),
    [
      ['/api', 'Prefix', 'default_a_80', 'older'],
      ['/b', 'Exact', 'default_b_80', 'newer'],
    ],
  );
  assert.deepEqual(
    s.events.map((e) => [e.regarding.kind, e.regarding.name, e.reason, e.message]),
    [
      [
        'Ingress',
        'newer',
        'RouteConflict',
        'host "x.example.com" path "/api" (Prefix) is already served by Ingress default/older, which claimed it first; this route is skipped',
      ],
      [
        'Service',
        'c',
        'RouteConflict',
        'host "x.example.com" path "/api" (Prefix) is already served by Ingress default/older, which claimed it first; this route is skipped',
      ],
    ],
  );
  // Exact and Prefix of the same path are different routes: no conflict.
  const both = buildRouterState(
    view({
      services: [service('a')],
      ingresses: [
        ingress('p', 1, { rules: [rule('y.example.com', [['/v', 'Prefix', 'a', 80]])] }),
        ingress('e', 2, { rules: [rule('y.example.com', [['/v', 'Exact', 'a', 80]])] }),
      ],
    }),
  );
  assert.equal(both.routes.length, 2);
  assert.deepEqual(both.events, []);
});

test('a defaultBackend serves any host and path no rule claims, and yields to an explicit rule however new', () => {
  const s = buildRouterState(
    view({
      services: [service('fallback'), service('root')],
      ingresses: [
        ingress('old-default', 1, { defaultBackend: { service: { name: 'fallback', port: { number: 80 } } } }),
        ingress('new-root', 3, { rules: [rule(undefined, [['/', 'Prefix', 'root', 80]])] }),
        ingress('new-default', 2, { defaultBackend: { service: { name: 'root', port: { number: 80 } } } }),
      ],
    }),
  );
  assert.deepEqual(
    s.routes.map((r) => [r.host, r.path, r.backend, r.source.name]),
    [['', '/', 'default_root_80', 'new-root']],
  );
  assert.deepEqual(
    s.events.map((e) => e.regarding.name),
    ['old-default', 'new-default'],
  );
  const alone = buildRouterState(
    view({
      services: [service('fallback')],
      ingresses: [ingress('d', 1, { defaultBackend: { service: { name: 'fallback', port: { number: 80 } } } })],
    }),
  );
  assert.deepEqual(
    alone.routes.map((r) => [r.host, r.path, r.pathType, r.backend]),
    [['', '/', 'Prefix', 'default_fallback_80']],
  );
});

test('Service routes annotation: hosts, paths, the route port, and what is refused', () => {
  const s = buildRouterState(
    view({
      services: [
        service('shop', { 'podnet.io/routes': 'Shop.Apps.Example.com, shop.example.com/api/ *.apps.example.com' }),
        service('admin', { 'podnet.io/routes': 'admin.example.com', 'podnet.io/route-port': 'admin' }),
        service('bad', {
          'podnet.io/routes': 'no_underscores.example.com, ok.example.com/a, ok.example.com/a/../b, *.com',
        }),
        service('noport', { 'podnet.io/routes': 'np.example.com', 'podnet.io/route-port': 'grpc' }),
      ],
    }),
  );
  assert.deepEqual(
    s.routes.map((r) => [r.host, r.path, r.pathType, r.backend]),
    [
      ['*.apps.example.com', '/', 'Prefix', 'default_shop_http'],
      ['admin.example.com', '/', 'Prefix', 'default_admin_admin'],
      ['ok.example.com', '/a', 'Prefix', 'default_bad_http'],
      ['shop.apps.example.com', '/', 'Prefix', 'default_shop_http'],
      ['shop.example.com', '/api', 'Prefix', 'default_shop_http'],
    ],
  );
  assert.deepEqual(
    s.events.map((e) => `${e.regarding.name}: ${e.message}`),
    [
      'bad: podnet.io/routes: "no_underscores.example.com": "no_underscores.example.com" is not a valid host name (label "no_underscores")',
      'bad: podnet.io/routes: "ok.example.com/a/../b": the path "/a/../b" must not contain "/../"',
      'bad: podnet.io/routes: "*.com": a wildcard host needs at least two labels after "*." (e.g. *.apps.example.com)',
      'noport: podnet.io/route-port: the Service has no port "grpc"; its routes are skipped',
    ],
  );
});

test('annotations choose the balance, retries and timeouts: one backend per Service port and options', () => {
  const s = buildRouterState(
    view({
      services: [service('api')],
      ingresses: [
        ingress('plain', 1, { rules: [rule('a.example.com', [['/', 'Prefix', 'api', 80]])] }),
        ingress(
          'tuned',
          2,
          { rules: [rule('b.example.com', [['/', 'Prefix', 'api', 80]])] },
          { 'podnet.io/balance': 'leastconn', 'podnet.io/response-timeout': '2m', 'podnet.io/connect-timeout': 'soon' },
        ),
        ingress(
          'fast',
          3,
          { rules: [rule('c.example.com', [['/', 'Prefix', 'api', 80]])] },
          { 'podnet.io/retries': 'connect' },
        ),
        ingress(
          'typo',
          4,
          { rules: [rule('d.example.com', [['/', 'Prefix', 'api', 80]])] },
          { 'podnet.io/retries': 'never' },
        ),
      ],
    }),
  );
  assert.deepEqual(
    s.backends.map((b) => [b.name, b.options]),
    [
      ['default_api_80', { balance: 'roundrobin' }],
      ['default_api_80_leastconn_r120000', { balance: 'leastconn', responseTimeoutMs: 120_000 }],
      ['default_api_80_retry-connect', { balance: 'roundrobin', retries: 'connect' }],
    ],
  );
  assert.deepEqual(
    s.events.map((e) => e.reason),
    ['InvalidAnnotation', 'InvalidAnnotation'],
  );
  assert.match(s.events[0]!.message, /podnet.io\/connect-timeout: "soon" is not a duration/);
  assert.match(s.events[1]!.message, /podnet.io\/retries: "never" is not one of requests, connect; using requests/);
  assert.equal(backendName('ns', 'svc', '80', { balance: 'roundrobin', tunnelTimeoutMs: 5 }), 'ns_svc_80_t5');
});

test('Ingresses of another class, backends that are not Services, missing Services', () => {
  const s = buildRouterState(
    view({
      ingressClasses: [podnetClass(), otherClass],
      services: [],
      ingresses: [
        ingress('theirs', 1, { ingressClassName: 'nginx', rules: [rule('t.example.com', [['/', 'Prefix', 'x', 80]])] }),
        ingress('missing', 2, { rules: [rule('m.example.com', [['/', 'Prefix', 'gone', 80]])] }),
        {
          ...ingress('resource', 3, {}),
          spec: {
            rules: [
              {
                host: 'r.example.com',
                http: {
                  paths: [{ path: '/', pathType: 'Prefix', backend: { resource: { kind: 'Bucket', name: 'b' } } }],
                },
              },
            ],
          },
        },
      ],
    }),
  );
  // A route to a Service that does not exist (yet) is kept: it answers 503 until the Service has endpoints.
  assert.deepEqual(
    s.routes.map((r) => [r.host, r.backend]),
    [['m.example.com', 'default_gone_80']],
  );
  assert.deepEqual(
    s.backends.map((b) => [b.name, b.servers]),
    [['default_gone_80', []]],
  );
  assert.deepEqual(
    s.events.map((e) => [e.regarding.name, e.reason]),
    [['resource', 'UnsupportedBackend']],
  );
});

test('TLS: certificates from kubernetes.io/tls Secrets with their SNI names; broken or contested ones are refused', () => {
  const good = splitPem(selfSignedPem('shop.example.com'));
  const other = splitPem(selfSignedPem('other.example.com'));
  const secret = (name: string, crt: string, key: string): SecretObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'default' },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(crt).toString('base64'), 'tls.key': Buffer.from(key).toString('base64') },
  });
  const s = buildRouterState(
    view({
      services: [service('shop')],
      secrets: [
        secret('shop-tls', good.crt, good.key),
        secret('mismatch', good.crt, other.key),
        secret('junk', 'x', 'y'),
      ],
      ingresses: [
        ingress('shop', 1, {
          tls: [{ hosts: ['Shop.example.com', 'www.shop.example.com'], secretName: 'shop-tls' }],
          rules: [rule('shop.example.com', [['/', 'Prefix', 'shop', 80]])],
        }),
        ingress('thief', 2, { tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls2' }] }),
        ingress('broken', 3, {
          tls: [
            { hosts: ['m.example.com'], secretName: 'mismatch' },
            { hosts: ['j.example.com'], secretName: 'junk' },
          ],
        }),
      ],
    }),
  );
  assert.deepEqual(
    s.certificates.map((c) => [c.name, c.sni]),
    [['default_shop-tls', ['shop.example.com', 'www.shop.example.com']]],
  );
  assert.ok(s.certificates[0]!.pem.includes('BEGIN CERTIFICATE') && s.certificates[0]!.pem.includes('PRIVATE KEY'));
  assert.deepEqual(
    s.events.map((e) => `${e.regarding.name}: ${e.message}`),
    [
      'thief: Secret default/shop-tls2 not found; TLS for it is off',
      'broken: Secret default/mismatch has a tls.key that does not match tls.crt; TLS for it is off',
      `broken: ${s.events[2]!.message}`,
    ],
  );
  assert.match(s.events[2]!.message, /^Secret default\/junk is not a PEM certificate and key/);
});

test('Ingress status lists every node InternalIP, sorted', () => {
  const node = (name: string, ip: string) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
    },
  });
  const s = buildRouterState(
    view({
      nodes: [node('n2', '10.250.0.12'), node('n1', '10.250.0.11')],
      ingresses: [ingress('a', 1, { rules: [] }), ingress('theirs', 1, { ingressClassName: 'nginx' })],
    }),
  );
  assert.deepEqual([...s.ingressAddresses], [['default/a', ['10.250.0.11', '10.250.0.12']]]);
});
