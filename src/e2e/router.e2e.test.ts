/**
 * The platform router end to end, as a new user would check it on
 * `podnet up --nodes 2`: apps on their own domains through any node's port
 * 80 and 443, from Ingresses and the podnet.io/routes annotation; host,
 * wildcard and path precedence; TLS by SNI; sticky sessions with tomcat;
 * WebSocket; the error cause header; conflicts; and churn (pods replaced,
 * 100 routes added and removed, the API server and the router restarted)
 * under a load loop that must see no failed request.
 */
import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { selfSignedPem, splitPem } from '../router/self-signed.js';
import { routerRunDir } from '../cluster/paths.js';
import { clusterSkip, eventually, netexecPod, sh, TestCluster } from './cluster.js';
import { get, httpsGet, startWrk, tlsHello, WS_ECHO_SERVER, wsEcho, type WrkResult } from './router-clients.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const tomcatPod = (name: string, node: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: tomcat}}
spec:
  nodeName: ${node}
  containers:
  - name: tomcat
    image: tomcat
    ports: [{containerPort: 8080}]
    readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
---
`;

const webPod = (name: string, node: string) =>
  netexecPod(name, node, '    readinessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 1}\n').replace(
    `labels: {app: ${name}}`,
    'labels: {app: web}',
  );

describe('podnet router on podnet up', { skip: clusterSkip, timeout: 900_000 }, () => {
  const cluster = new TestCluster(2, 'vxlan');
  /** The router DaemonSet's pod on a node. */
  const routerPodOn = (node: string) =>
    cluster
      .k([
        '-n',
        'kube-system',
        'get',
        'pod',
        '-l',
        'app=podnet-router',
        '--field-selector',
        `spec.nodeName=${node}`,
        '-o',
        'jsonpath={.items[0].metadata.name}',
      ])
      .trim();
  let ip1 = '';
  let ip2 = '';
  const shopPem = selfSignedPem('shop.example.com');
  const tomcatPem = selfSignedPem('tomcat.example.com');

  before(() => {
    cluster.up();
    ip1 = cluster.layout.nodes[0]!.ip;
    ip2 = cluster.layout.nodes[1]!.ip;
    const [n1, n2] = [cluster.node(1), cluster.node(2)];
    const shop = splitPem(shopPem);
    const tc = splitPem(tomcatPem);
    cluster.apply(
      readFileSync(new URL('../../examples/pod_nginx.yml', import.meta.url), 'utf8') +
        '---\n' +
        tomcatPod('tomcat-1', n1) +
        tomcatPod('tomcat-2', n2) +
        webPod('web-1', n1) +
        webPod('web-2', n2) +
        `apiVersion: v1
kind: Pod
metadata: {name: ws, labels: {app: ws}}
spec:
  containers:
  - name: ws
    image: podnet/agnhost
    command: [node, -e, ${JSON.stringify(WS_ECHO_SERVER)}, "8080"]
---
apiVersion: v1
kind: Service
metadata: {name: nginx, annotations: {podnet.io/routes: "nginx.apps.example.com"}}
spec: {selector: {app: nginx}, ports: [{name: http, port: 80, targetPort: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: tomcat}
spec: {selector: {app: tomcat}, ports: [{name: http, port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: ws, annotations: {podnet.io/routes: "ws.example.com"}}
spec: {selector: {app: ws}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Secret
metadata: {name: shop-tls}
type: kubernetes.io/tls
data: {tls.crt: ${b64(shop.crt)}, tls.key: ${b64(shop.key)}}
---
apiVersion: v1
kind: Secret
metadata: {name: tomcat-tls}
type: kubernetes.io/tls
data: {tls.crt: ${b64(tc.crt)}, tls.key: ${b64(tc.key)}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: tomcat}
spec:
  tls: [{hosts: [tomcat.example.com], secretName: tomcat-tls}]
  rules:
  - host: tomcat.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: tomcat, port: {name: http}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop}
spec:
  ingressClassName: podnet
  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: nginx, port: {number: 80}}}}
      - {path: /hostname, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
      - {path: /clientip, pathType: Exact, backend: {service: {name: web, port: {number: 80}}}}
  - host: "*.example.org"
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
`,
    );
    cluster.waitReady(['nginx', 'tomcat-1', 'tomcat-2', 'web-1', 'web-2', 'ws'], 120);
  });
  after(() => cluster.destroy());

  /** Waits until a route answers 200 through node 1 (routes go live within milliseconds of the API's change). */
  const routed = (host: string, path = '/') =>
    eventually(`${host}${path} routed`, async () => (await get(ip1, host, path)).status === 200, 30_000);

  test("the walkthrough's nginx and tomcat on their own domains, through every node", async () => {
    await routed('nginx.apps.example.com');
    await routed('tomcat.example.com');
    for (const ip of [ip1, ip2]) {
      const nginx = await get(ip, 'nginx.apps.example.com', '/');
      assert.equal(nginx.status, 200);
      assert.match(nginx.body, /Welcome to nginx!/);
      const tomcat = await get(ip, 'tomcat.example.com', '/');
      assert.equal(tomcat.status, 200);
      assert.match(tomcat.body, /Served by pod <b>tomcat-[12]<\/b>/);
    }
  });

  test('Ingress status lists the nodes, and the class is the default podnet', async () => {
    await eventually(
      'status',
      () =>
        cluster.k(['get', 'ingress', 'tomcat', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}']).trim() ===
        `${ip1} ${ip2}`,
    );
    const cls = cluster.k([
      'get',
      'ingressclass',
      'podnet',
      '-o',
      'jsonpath={.spec.controller} {.metadata.annotations}',
    ]);
    assert.match(cls, /^podnet\.io\/router .*is-default-class.*true/);
  });

  test('host, wildcard and path precedence', async () => {
    await routed('shop.example.com', '/hostname');
    const cases: [string, string, RegExp][] = [
      ['shop.example.com', '/', /Welcome to nginx!/],
      ['shop.example.com', '/hostname', /^web-[12]$/],
      ['shop.example.com', '/hostnamex', /Welcome to nginx!|404 Not Found/],
      ['a.example.org', '/hostname', /^web-[12]$/],
      ['nginx.apps.example.com', '/', /Welcome to nginx!/],
    ];
    for (const [host, path, want] of cases) assert.match((await get(ip2, host, path)).body, want, `${host}${path}`);
    // Exact /clientip goes to web, whose netexec answers with the client address it saw (the router's node).
    assert.match((await get(ip1, 'shop.example.com', '/clientip')).body, /^\d+\.\d+\.\d+\.\d+:\d+$/);
    assert.match((await get(ip1, 'shop.example.com', '/clientip/')).body, /Welcome to nginx!|404/);
    // Two labels below the wildcard is not covered by it.
    const deep = await get(ip1, 'b.a.example.org', '/hostname');
    assert.equal(deep.status, 404);
  });

  test('an unknown host is a 404 that names the cause', async () => {
    const r = await get(ip1, 'nobody.example.net', '/');
    assert.equal(r.status, 404);
    assert.equal(r.headers['x-podnet-router-error'], 'unknown_route');
  });

  test('TLS: SNI picks the Ingress certificate; HTTP/2 offered; unknown names get the default', async () => {
    await eventually(
      'shop over TLS',
      async () =>
        (await httpsGet(ip1, 'shop.example.com', '/hostname', shopPem).catch(() => ({ status: 0 }))).status === 200,
    );
    assert.match((await httpsGet(ip1, 'shop.example.com', '/hostname', shopPem)).body, /^web-[12]$/);
    assert.match((await httpsGet(ip2, 'tomcat.example.com', '/', tomcatPem)).body, /Served by pod/);
    assert.deepEqual(await tlsHello(ip1, 'shop.example.com'), { cn: 'shop.example.com', alpn: 'h2' });
    assert.equal((await tlsHello(ip1, 'tomcat.example.com')).cn, 'tomcat.example.com');
    assert.equal((await tlsHello(ip1, 'other.example.com')).cn, 'podnet-router.invalid');
  });

  test('sticky sessions: a tomcat session stays on its pod, and survives the pod', async () => {
    const login = await get(ip1, 'tomcat.example.com', '/examples/servlets/servlet/SessionExample');
    assert.equal(login.status, 200, login.body.slice(0, 300));
    const cookies = (login.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!);
    const session = cookies.find((c) => c.startsWith('JSESSIONID='));
    const pin = cookies.find((c) => c.startsWith('__PODNET_ID__='));
    assert.ok(session && pin, `cookies: ${cookies.join(', ')}`);
    const pod = /\.(tomcat-[12])$/.exec(session)?.[1];
    assert.ok(pod, `the session id names its pod (jvmRoute): ${session}`);
    assert.match(pin, /^__PODNET_ID__=[0-9a-f]{16}$/, 'opaque, the same on every router');
    const cookie = `${session}; ${pin}`;
    for (const ip of [ip1, ip2, ip1, ip2, ip1])
      assert.match(
        (await get(ip, 'tomcat.example.com', '/', { headers: { cookie } })).body,
        new RegExp(`<b>${pod}</b>`),
      );
    cluster.k(['delete', 'pod', pod, '--wait=false']);
    const other = pod === 'tomcat-1' ? 'tomcat-2' : 'tomcat-1';
    await eventually('the session falls back to the other pod', async () => {
      const r = await get(ip1, 'tomcat.example.com', '/', { headers: { cookie } });
      assert.equal(r.status, 200, `a cookie naming a gone pod must not fail: ${r.status}`);
      return r.body.includes(`<b>${other}</b>`);
    });
  });

  test('WebSocket echo through the router', async () => {
    await routed('ws.example.com');
    assert.equal(await wsEcho(ip2, 'ws.example.com', '/', 'hello podnet'), 'hello podnet');
  });

  test('two Ingresses claiming one host and path: the oldest wins, the other gets a Warning naming it', async () => {
    cluster.apply(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: thief}
spec:
  rules:
  - host: shop.example.com
    http: {paths: [{path: /hostname, pathType: Prefix, backend: {service: {name: nginx, port: {number: 80}}}}]}
`);
    const events = await eventually('a RouteConflict event', () => {
      const out = cluster.k([
        'get',
        'events',
        '--field-selector',
        'involvedObject.name=thief',
        '-o',
        'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}',
      ]);
      return out.includes('RouteConflict') && out;
    });
    assert.match(events, /already served by Ingress default\/shop, which claimed it first/);
    assert.match((await get(ip1, 'shop.example.com', '/hostname')).body, /^web-[12]$/);
    cluster.k(['delete', 'ingress', 'thief']);
  });

  test('podnet router config shows the routes; metrics from HAProxy and the router', async () => {
    const out = cluster.podnet(['router', 'config', '--run-dir', routerRunDir(cluster.dir, cluster.node(1))]);
    assert.equal(out.code, 0, out.out);
    assert.match(out.out, /shop\.example\.com\/clientip default_web_80/);
    assert.match(out.out, /\*\.example\.org\/ default_web_80/);
    const haproxy = await get(ip1, ip1, '/metrics').catch(() => undefined); // port 80 is the router itself
    assert.equal(haproxy?.status, 404);
    const stats = await fetch(`http://${ip1}:8404/metrics`).then((r) => r.text());
    assert.match(stats, /haproxy_backend_http_responses_total\{proxy="default_web_80"/);
    const own = await fetch(`http://${ip1}:10254/metrics`).then((r) => r.text());
    assert.match(own, /^podnet_router_routes \d+$/m);
    assert.match(own, /podnet_router_backend_endpoints\{backend="default_web_80"\} 2/);
  });

  test("the access log: one JSON line per request in the router pod's haproxy container log", async () => {
    const rid = `e2e-${randomUUID()}`;
    assert.equal((await get(ip1, 'shop.example.com', '/clientip', { headers: { 'x-request-id': rid } })).status, 200);
    const line = await eventually('the request logged', () => {
      const logs = cluster.k(['-n', 'kube-system', 'logs', routerPodOn(cluster.node(1)), '-c', 'haproxy']);
      return logs.split('\n').find((l) => l.includes(rid)) ?? false;
    });
    const entry = JSON.parse(line) as Record<string, unknown>;
    assert.equal(entry['host'], 'shop.example.com');
    assert.equal(entry['uri'], '/clientip');
    assert.equal(entry['status'], 200);
    assert.equal(entry['route'], 'default_web_80');
    assert.match(String(entry['upstream_addr']), /^10\.\d+\.\d+\.\d+:8080$/);
    assert.equal(typeof entry['total_ms'], 'number');
  });

  test('churn under load: pods replaced, 100 routes added and removed, API server and router restarted: no failed request', async () => {
    await routed('shop.example.com', '/hostname');
    const loads = [
      startWrk(ip1, 'shop.example.com', '/hostname', { connections: 4 }),
      startWrk(ip2, 'shop.example.com', '/hostname', { connections: 2, newConnections: true }),
      startWrk(ip2, 'nginx.apps.example.com', '/', { connections: 2 }),
    ];
    try {
      // Every pod behind the route replaced, one by one: the new one Ready, then the old one deleted.
      for (const [old, fresh, node] of [
        ['web-1', 'web-3', 1],
        ['web-2', 'web-4', 2],
      ] as const) {
        cluster.apply(webPod(fresh, cluster.node(node)));
        cluster.waitReady([fresh], 60);
        await sleep(500);
        cluster.k(['delete', 'pod', old]);
      }
      await eventually('only the new pods answer', async () => {
        const seen = new Set<string>();
        for (let i = 0; i < 6; i++) seen.add((await get(ip1, 'shop.example.com', '/hostname')).body);
        return [...seen].every((p) => p === 'web-3' || p === 'web-4');
      });
      // 100 routes (each a Service of its own: 100 backends, so reloads) added, then removed.
      const many = Array.from(
        { length: 100 },
        (_, i) => `apiVersion: v1
kind: Service
metadata: {name: r${i}, annotations: {podnet.io/routes: "r${i}.example.com"}}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
`,
      ).join('');
      cluster.apply(many);
      await routed('r99.example.com', '/hostname');
      await routed('r0.example.com', '/hostname');
      cluster.k(['delete', 'service', ...Array.from({ length: 100 }, (_, i) => `r${i}`)]);
      await eventually('the 100 routes are gone', async () => (await get(ip1, 'r50.example.com', '/')).status === 404);
      // The API server goes away and comes back: the routers keep serving meanwhile.
      const apiserver = JSON.parse(readFileSync(join(cluster.dir, 'pids', 'apiserver.json'), 'utf8')) as {
        pid: number;
      };
      process.kill(apiserver.pid, 'SIGTERM');
      await sleep(3000);
      cluster.upAgain();
      // The router controller on node 1 dies; the kubelet restarts it and it adopts the running HAProxy.
      const runDir = routerRunDir(cluster.dir, cluster.node(1));
      const masterBefore = readFileSync(join(runDir, 'haproxy.pid'), 'utf8').trim();
      const routerPod = ['-n', 'kube-system', 'get', 'pod', routerPodOn(cluster.node(1)), '-o'];
      const haproxyStatus =
        'jsonpath={range .status.containerStatuses[?(@.name=="haproxy")]}{.restartCount} {.state.running.startedAt}{end}';
      const haproxyBefore = cluster.k([...routerPod, haproxyStatus]).trim();
      const controller = sh(['pgrep', '-f', `^${process.execPath} .*router .*--run-dir ${runDir} `])
        .stdout.trim()
        .split('\n');
      for (const pid of controller) if (pid) process.kill(Number(pid), 'SIGKILL');
      await eventually(
        'the router container restarted',
        () =>
          cluster
            .k([
              ...routerPod,
              'jsonpath={.status.containerStatuses[?(@.name=="router")].restartCount} {.status.conditions[?(@.type=="Ready")].status}',
            ])
            .trim() === '1 True',
      );
      assert.equal(cluster.k([...routerPod, haproxyStatus]).trim(), haproxyBefore, 'the haproxy container ran on');
      assert.equal(
        readFileSync(join(runDir, 'haproxy.pid'), 'utf8').trim(),
        masterBefore,
        'the same HAProxy serves on',
      );
      const own = await eventually('the restarted router answers', async () => {
        const text = await fetch(`http://${ip1}:10254/metrics`).then(
          (r) => r.text(),
          () => '',
        );
        return text.includes('podnet_router_config_changes_total') && text;
      });
      assert.match(own, /podnet_router_config_changes_total\{kind="reload"\} 0/, 'adopted without a reload');
      await sleep(1000);
    } finally {
      const results: WrkResult[] = [];
      for (const l of loads) results.push(await l.stop());
      for (const r of results) {
        const failed =
          r.non2xx + r.socketErrors.connect + r.socketErrors.read + r.socketErrors.write + r.socketErrors.timeout;
        assert.equal(failed, 0, `wrk saw ${failed} failed requests of ${r.requests}:\n${r.output}`);
        assert.ok(r.requests > 1000, `the load ran:\n${r.output}`);
      }
    }
  });
});
