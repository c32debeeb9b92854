/**
 * Cluster DNS end to end, as a new user would check it: `podnet up` runs
 * two `podnet dns` replicas behind kube-dns (10.96.0.10); pods in two
 * namespaces ask through their own resolv.conf (dig and getent inside the
 * pod, via agnhost's /shell), for every kind of name the spec defines plus
 * the business domains of the walkthrough. The upstream is a DNS server this
 * test runs on this machine (reached from the nodes over the cluster bridge).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterSkip, podnetBin as podnet, sh } from './cluster.js';
import { eventually } from './harness.js';
import { startFakeUpstream, type FakeUpstream } from '../dns/testing/fake-upstream.js';
import { RRClass, RRType } from '../dns/wire/types.js';

/** Like sh, but without blocking this process: the upstream DNS server lives in it and must answer meanwhile. */
function shAsync(argv: string[], timeout = 60_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

const EXTERNAL_IP = '203.0.113.7';

describe('cluster DNS on podnet up', { skip: clusterSkip, timeout: 600_000 }, () => {
  const name = `t${Math.random().toString(36).slice(2, 7).replace(/^\d/, 'x')}`;
  const dir = mkdtempSync(join(tmpdir(), 'podnet-dns-e2e-'));
  const kc = join(dir, 'kubeconfig');
  const kubectl = (...args: string[]) => sh(['kubectl', ...args], { env: { KUBECONFIG: kc } });
  const node1 = `${name}-node1`;
  let upstream: FakeUpstream;
  const podIps = new Map<string, string>();
  let ordersIp = '';

  /** Runs a shell command inside pod ns/name (agnhost /shell), returning its output. */
  const inPod = async (pod: string, command: string): Promise<string> => {
    const url = `http://${podIps.get(pod)}:8080/shell?shellCommand=${encodeURIComponent(command)}`;
    const r = await shAsync([
      process.execPath,
      podnet,
      'node-exec',
      node1,
      '--state',
      dir,
      '--',
      'curl',
      '-s',
      '-m',
      '30',
      url,
    ]);
    assert.equal(r.code, 0, `curl ${url}: ${r.out}`);
    return (JSON.parse(r.out) as { output?: string }).output?.trim() ?? '';
  };
  const digShort = async (pod: string, args: string) =>
    (await inPod(pod, `dig +short +tries=2 +time=3 ${args}`)).split('\n').filter((l) => l && !l.startsWith(';'));

  before(async () => {
    // On all addresses: the nodes reach this machine on the cluster bridge, which exists only once `up` made it.
    upstream = await startFakeUpstream('0.0.0.0', [
      { name: 'external.example', type: RRType.A, class: RRClass.IN, ttl: 30, data: EXTERNAL_IP },
    ]);
    const up = sh(
      [
        process.execPath,
        podnet,
        'up',
        '--nodes',
        '2',
        '--name',
        name,
        '--state',
        dir,
        '--dns-upstream',
        `host:${upstream.port}`,
      ],
      { timeoutMs: 300_000 },
    );
    assert.equal(up.code, 0, up.out);

    const agnhost = (ns: string, pod: string, labels: Record<string, string>, extra: Record<string, unknown> = {}) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: pod, namespace: ns, labels },
      spec: {
        ...extra,
        containers: [
          {
            name: 'c',
            image: 'podnet/agnhost',
            args: ['netexec', '--http-port', '8080'],
            ports: [{ name: 'http', containerPort: 8080 }],
          },
        ],
      },
    });
    const objects = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } },
      agnhost('shop', 'orders-1', { app: 'orders' }),
      agnhost('shop', 'db-0', { app: 'db' }, { hostname: 'db-0', subdomain: 'db' }),
      agnhost('shop', 'client', { app: 'client' }),
      agnhost('other', 'client', { app: 'client' }),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: 'orders',
          namespace: 'shop',
          annotations: { 'podnet.io/dns-names': 'orders.mall, api.orders.mall' },
        },
        spec: { selector: { app: 'orders' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'db', namespace: 'shop' },
        spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'http', port: 8080 }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'ext', namespace: 'shop' },
        spec: { type: 'ExternalName', externalName: 'external.example' },
      },
    ];
    const f = join(dir, 'objects.json');
    writeFileSync(f, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    const created = kubectl('create', '-f', f);
    assert.equal(created.code, 0, created.out);
    for (const [ns, pod] of [
      ['shop', 'orders-1'],
      ['shop', 'db-0'],
      ['shop', 'client'],
      ['other', 'client'],
    ] as const) {
      const w = kubectl('wait', '-n', ns, '--for=condition=Ready', `pod/${pod}`, '--timeout=120s');
      assert.equal(w.code, 0, w.out);
      podIps.set(`${ns}/${pod}`, kubectl('get', 'pod', '-n', ns, pod, '-o', 'jsonpath={.status.podIP}').out.trim());
    }
    ordersIp = kubectl('get', 'svc', '-n', 'shop', 'orders', '-o', 'jsonpath={.spec.clusterIP}').out.trim();
    assert.match(ordersIp, /^10\.\d+\.\d+\.\d+$/);
  });

  after(async () => {
    const down = sh([process.execPath, podnet, 'down', '--state', dir, '--purge'], { timeoutMs: 120_000 });
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
    assert.equal(down.code, 0, down.out);
    assert.equal(sh(['ip', 'netns', 'list']).out.includes(`podnet-${name}-`), false, 'no netns of the cluster is left');
  });

  test('a pod resolves short names through its search path, name.namespace and FQDNs', async () => {
    await eventually(
      'short name orders from its own namespace',
      async () => ((await inPod('shop/client', 'getent hosts orders')).startsWith(ordersIp) ? true : undefined),
      60_000,
    );
    assert.match(
      await inPod('other/client', 'getent hosts orders.shop'),
      new RegExp(`^${ordersIp.replaceAll('.', '\\.')}\\s+orders\\.shop\\.svc\\.cluster\\.local`),
    );
    assert.deepEqual(await digShort('other/client', 'orders.shop.svc.cluster.local'), [ordersIp]);
    const resolvConf = await inPod('shop/client', 'cat /etc/resolv.conf');
    assert.match(resolvConf, /^nameserver 10\.96\.0\.10$/m);
    assert.match(resolvConf, /^search shop\.svc\.cluster\.local svc\.cluster\.local cluster\.local/m);
  });

  test('SRV and PTR answer per spec', async () => {
    assert.deepEqual(await digShort('shop/client', 'SRV _http._tcp.orders.shop.svc.cluster.local'), [
      '0 100 80 orders.shop.svc.cluster.local.',
    ]);
    assert.deepEqual(await digShort('shop/client', `-x ${ordersIp}`), ['orders.shop.svc.cluster.local.']);
  });

  test('a headless Service answers its ready endpoints and their hostnames', async () => {
    const dbIp = podIps.get('shop/db-0')!;
    assert.deepEqual(await digShort('shop/client', 'db.shop.svc.cluster.local'), [dbIp]);
    assert.deepEqual(await digShort('shop/client', 'db-0.db.shop.svc.cluster.local'), [dbIp]);
    assert.deepEqual(await digShort('shop/client', 'SRV _http._tcp.db.shop.svc.cluster.local'), [
      '0 100 8080 db-0.db.shop.svc.cluster.local.',
    ]);
  });

  test('ExternalName is a CNAME, chased through the upstream this test runs', async () => {
    assert.deepEqual(await digShort('shop/client', 'ext.shop.svc.cluster.local'), ['external.example.', EXTERNAL_IP]);
    assert.deepEqual(await digShort('other/client', 'external.example'), [EXTERNAL_IP]);
  });

  test('business domains answer in their namespace only', async () => {
    assert.deepEqual(await digShort('shop/client', 'orders.mall'), [ordersIp]);
    assert.deepEqual(await digShort('shop/client', 'API.orders.mall'), [ordersIp]);
    const fromOther = await inPod('other/client', 'dig +tries=2 +time=3 orders.mall');
    assert.match(
      fromOther,
      /status: NXDOMAIN/,
      'another namespace does not see the name (the upstream answers NXDOMAIN)',
    );
  });

  test('an annotation change shows up in DNS', async () => {
    assert.equal(
      kubectl(
        'annotate',
        '--overwrite',
        'svc',
        '-n',
        'shop',
        'orders',
        'podnet.io/dns-names=orders.mall, checkout.mall',
      ).code,
      0,
    );
    await eventually(
      'checkout.mall',
      async () => ((await digShort('shop/client', 'checkout.mall'))[0] === ordersIp ? true : undefined),
      60_000,
    );
  });

  test('upstream down: SERVFAIL, not a hang', async () => {
    upstream.silent = true;
    try {
      const r = await inPod('shop/client', 'dig +tries=1 +time=8 nobody-home.example');
      assert.match(r, /status: SERVFAIL/, r);
    } finally {
      upstream.silent = false;
    }
  });
});
