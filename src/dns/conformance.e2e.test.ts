/**
 * Conformance: the Kubernetes DNS spec 1.1.0 records and negative cases,
 * business names, forwarding — against a real API server and `podnet dns`
 * on loopback, asked by real dig and by our codec.
 *
 * IP conventions: clients 127.0.0.21 (pod in "shop") and 127.0.0.22 (pod in
 * "other"); the fake upstream listens on 127.0.0.53; headless endpoints are
 * 10.244.1.5 (hostname db-0), .6 (no hostname), .7 (not ready).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type RunningApiServer } from '../apiserver/server.js';
import { findResource } from '../api/resources.js';
import { KubeClient } from '../client/client.js';
import { startDns, type RunningDns } from './index.js';
import { dig, exchange, query } from './testing/clients.js';
import { startFakeUpstream, type FakeUpstream } from './testing/fake-upstream.js';
import { RRType, Rcode, type ResourceRecord } from './wire/types.js';
import { installed, needs } from '../testing/requirements.js';

const R = {
  ns: findResource('', 'v1', 'namespaces')!,
  svc: findResource('', 'v1', 'services')!,
  pods: findResource('', 'v1', 'pods')!,
  events: findResource('', 'v1', 'events')!,
  slices: findResource('discovery.k8s.io', 'v1', 'endpointslices')!,
};

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const upstreamRecords: ResourceRecord[] = [
  { name: 'example.test', type: RRType.A, class: 1, ttl: 60, data: '192.0.2.1' },
  // 40 A records: more than 512 bytes, so the UDP answer is truncated and the forwarder must retry over TCP.
  ...Array.from({ length: 40 }, (_, i): ResourceRecord => ({
    name: 'big.test',
    type: RRType.A,
    class: 1,
    ttl: 60,
    data: `198.51.100.${i + 1}`,
  })),
];

describe('podnet dns conformance', { skip: needs(installed('/usr/bin/dig', 'dnsutils')), timeout: 120_000 }, () => {
  let dir: string;
  let api: RunningApiServer;
  let client: KubeClient;
  let upstream: FakeUpstream;
  let dns: RunningDns;
  let webIP = '',
    ordersIP = '',
    pubIP = '';
  const P = () => dns.port;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'podnet-dns-'));
    api = await startApiServer({ stateDir: dir, host: '127.0.0.1', port: 0, insecureHttp: true, controllers: false });
    client = new KubeClient({ server: api.url });
    upstream = await startFakeUpstream('127.0.0.53', upstreamRecords);
    for (const name of ['shop', 'shop2', 'other'])
      await client.create(R.ns, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    const svc = async (ns: string, name: string, spec: object, annotations?: Record<string, string>) =>
      (
        (await client.create(R.svc, ns, {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name, annotations },
          spec,
        })) as unknown as { spec: { clusterIP: string } }
      ).spec.clusterIP;
    webIP = await svc('default', 'web', {
      selector: { app: 'web' },
      ports: [
        { name: 'http', port: 80 },
        { port: 81, name: 'plain' },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
    });
    await svc('default', 'db', { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432 }] });
    await svc('default', 'ext', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' });
    await svc('default', 'outside', { type: 'ExternalName', externalName: 'example.test' });
    ordersIP = await svc(
      'shop',
      'orders',
      { selector: { app: 'orders' }, ports: [{ name: 'http', port: 8080 }] },
      { 'podnet.io/dns-names': 'orders.mall, api.orders.mall' },
    );
    pubIP = await svc(
      'shop',
      'pub',
      { selector: { app: 'pub' }, ports: [{ port: 80 }] },
      { 'podnet.io/dns-names': 'public.mall', 'podnet.io/dns-scope': 'cluster' },
    );
    await new Promise((r) => setTimeout(r, 1100)); // creationTimestamp has 1 s resolution: make "catalog" strictly younger
    await svc(
      'shop2',
      'catalog',
      { selector: { app: 'catalog' }, ports: [{ port: 80 }] },
      { 'podnet.io/dns-names': 'orders.mall' },
    );
    await client.create(R.slices, 'default', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'db-abc', labels: { 'kubernetes.io/service-name': 'db' } },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.244.1.5'], hostname: 'db-0', conditions: { ready: true } },
        { addresses: ['10.244.1.6'], conditions: { ready: true } },
        { addresses: ['10.244.1.7'], conditions: { ready: false } },
      ],
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
    });
    for (const [ns, name, ip] of [
      ['shop', 'client-a', '127.0.0.21'],
      ['other', 'client-b', '127.0.0.22'],
    ] as const) {
      await client.create(R.pods, ns, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      });
      await client.patch(
        R.pods,
        ns,
        name,
        'merge',
        { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } },
        { subresource: 'status' },
      );
    }
    dns = await startDns({
      client: new KubeClient({ server: api.url }),
      listen: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      upstreams: [{ host: upstream.host, port: upstream.port }],
      log: () => {},
    });
    await dns.waitForSync();
    await eventually('pods indexed', async () => dns.state.pods.namespaceOf('127.0.0.22') === 'other');
  });

  after(async () => {
    await dns?.stop();
    await upstream?.close();
    client?.close();
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const SOA = 'cluster.local. SOA ns.dns.cluster.local. hostmaster.cluster.local.';
  // Each row: question -> status, whether AA is set, exact answers (order-insensitive), and whether the zone SOA is in authority.
  const rows = () => [
    {
      q: 'dns-version.cluster.local',
      t: 'TXT',
      status: 'NOERROR',
      aa: true,
      answers: ['dns-version.cluster.local. TXT "1.1.0"'],
    },
    {
      q: 'web.default.svc.cluster.local',
      t: 'A',
      status: 'NOERROR',
      aa: true,
      answers: [`web.default.svc.cluster.local. A ${webIP}`],
    },
    {
      q: 'WEB.Default.Svc.Cluster.Local',
      t: 'A',
      status: 'NOERROR',
      aa: true,
      answers: [`WEB.Default.Svc.Cluster.Local. A ${webIP}`],
    },
    { q: 'web.default.svc.cluster.local', t: 'AAAA', status: 'NOERROR', aa: true, answers: [], soa: true },
    { q: 'nope.default.svc.cluster.local', t: 'A', status: 'NXDOMAIN', aa: true, answers: [], soa: true },
    { q: 'web.nosuchns.svc.cluster.local', t: 'A', status: 'NXDOMAIN', aa: true, answers: [], soa: true },
    { q: 'default.svc.cluster.local', t: 'A', status: 'NOERROR', aa: true, answers: [], soa: true },
    { q: 'svc.cluster.local', t: 'A', status: 'NOERROR', aa: true, answers: [], soa: true },
    {
      q: '_http._tcp.web.default.svc.cluster.local',
      t: 'SRV',
      status: 'NOERROR',
      aa: true,
      answers: ['_http._tcp.web.default.svc.cluster.local. SRV 0 100 80 web.default.svc.cluster.local.'],
    },
    {
      q: '_dns._udp.web.default.svc.cluster.local',
      t: 'SRV',
      status: 'NOERROR',
      aa: true,
      answers: ['_dns._udp.web.default.svc.cluster.local. SRV 0 100 53 web.default.svc.cluster.local.'],
    },
    { q: '_http._udp.web.default.svc.cluster.local', t: 'SRV', status: 'NXDOMAIN', aa: true, answers: [], soa: true },
    { q: '_http._tcp.web.default.svc.cluster.local', t: 'A', status: 'NOERROR', aa: true, answers: [], soa: true },
    {
      q: `${webIP.split('.').reverse().join('.')}.in-addr.arpa`,
      t: 'PTR',
      status: 'NOERROR',
      aa: true,
      answers: [`${webIP.split('.').reverse().join('.')}.in-addr.arpa. PTR web.default.svc.cluster.local.`],
    },
    {
      q: 'db.default.svc.cluster.local',
      t: 'A',
      status: 'NOERROR',
      aa: true,
      answers: ['db.default.svc.cluster.local. A 10.244.1.5', 'db.default.svc.cluster.local. A 10.244.1.6'],
    },
    {
      q: 'db-0.db.default.svc.cluster.local',
      t: 'A',
      status: 'NOERROR',
      aa: true,
      answers: ['db-0.db.default.svc.cluster.local. A 10.244.1.5'],
    },
    {
      q: '10-244-1-6.db.default.svc.cluster.local',
      t: 'A',
      status: 'NOERROR',
      aa: true,
      answers: ['10-244-1-6.db.default.svc.cluster.local. A 10.244.1.6'],
    },
    { q: '10-244-1-7.db.default.svc.cluster.local', t: 'A', status: 'NXDOMAIN', aa: true, answers: [], soa: true },
    {
      q: '_pg._tcp.db.default.svc.cluster.local',
      t: 'SRV',
      status: 'NOERROR',
      aa: true,
      answers: [
        '_pg._tcp.db.default.svc.cluster.local. SRV 0 50 5432 10-244-1-6.db.default.svc.cluster.local.',
        '_pg._tcp.db.default.svc.cluster.local. SRV 0 50 5432 db-0.db.default.svc.cluster.local.',
      ],
    },
    {
      q: '5.1.244.10.in-addr.arpa',
      t: 'PTR',
      status: 'NOERROR',
      aa: true,
      answers: ['5.1.244.10.in-addr.arpa. PTR db-0.db.default.svc.cluster.local.'],
    },
    {
      q: 'ext.default.svc.cluster.local',
      t: 'A',
      status: 'NOERROR',
      aa: true,
      answers: [
        'ext.default.svc.cluster.local. CNAME web.default.svc.cluster.local.',
        `web.default.svc.cluster.local. A ${webIP}`,
      ],
    },
    {
      q: 'ext.default.svc.cluster.local',
      t: 'CNAME',
      status: 'NOERROR',
      aa: true,
      answers: ['ext.default.svc.cluster.local. CNAME web.default.svc.cluster.local.'],
    },
    {
      q: 'outside.default.svc.cluster.local',
      t: 'A',
      status: 'NOERROR',
      aa: false,
      answers: ['outside.default.svc.cluster.local. CNAME example.test.', 'example.test. A 192.0.2.1'],
    },
    {
      q: 'cluster.local',
      t: 'SOA',
      status: 'NOERROR',
      aa: true,
      answers: [/* checked by prefix below */],
      soaAnswer: true,
    },
    { q: 'cluster.local', t: 'NS', status: 'NOERROR', aa: true, answers: ['cluster.local. NS ns.dns.cluster.local.'] },
    {
      q: '10-244-1-9.default.pod.cluster.local',
      t: 'A',
      status: 'NOERROR',
      aa: true,
      answers: ['10-244-1-9.default.pod.cluster.local. A 10.244.1.9'],
    },
    { q: 'not-an-ip.default.pod.cluster.local', t: 'A', status: 'NXDOMAIN', aa: true, answers: [], soa: true },
    { q: 'example.test', t: 'A', status: 'NOERROR', aa: false, answers: ['example.test. A 192.0.2.1'] },
    { q: 'missing.test', t: 'A', status: 'NXDOMAIN', aa: false, answers: [] },
    { q: '99.99.99.99.in-addr.arpa', t: 'PTR', status: 'NXDOMAIN', aa: false, answers: [] },
  ];

  test('spec records and negative answers (dig, UDP and TCP)', async () => {
    for (const tcp of [false, true]) {
      for (const row of rows()) {
        const r = await dig(P(), row.q, row.t, { tcp });
        const what = `${row.q} ${row.t}${tcp ? ' over TCP' : ''}\n${r.raw}`;
        assert.equal(r.status, row.status, what);
        assert.equal(r.flags.includes('aa'), row.aa, `AA flag for ${what}`);
        if (row.soaAnswer) assert.ok(r.answers.length === 1 && r.answers[0]!.startsWith(SOA), what);
        else assert.deepEqual([...r.answers].sort(), [...row.answers].sort(), what);
        if (row.soa)
          assert.ok(r.authority.length === 1 && r.authority[0]!.startsWith(SOA), `SOA in authority for ${what}`);
      }
    }
  });

  test('the same table through our codec, with EDNS', async () => {
    const types: Record<string, number> = { A: 1, AAAA: 28, TXT: 16, SRV: 33, PTR: 12, CNAME: 5, SOA: 6, NS: 2 };
    for (const row of rows()) {
      const m = await query(P(), row.q, types[row.t]!, { edns: true });
      const rcode = row.status === 'NXDOMAIN' ? Rcode.NXDOMAIN : Rcode.NOERROR;
      assert.equal(m.rcode, rcode, `${row.q} ${row.t}`);
      assert.equal(m.aa, row.aa, `${row.q} ${row.t} AA`);
      assert.equal(m.answers.length, row.soaAnswer ? 1 : row.answers.length, `${row.q} ${row.t} answers`);
      assert.equal(m.questions[0]!.name, row.q, 'question case kept');
      assert.ok(
        m.additionals.some((r) => r.type === RRType.OPT),
        'EDNS answered with OPT',
      );
    }
  });

  test('zone transfers are refused; other classes refused; ANY answers what the name holds', async () => {
    assert.equal((await query(P(), 'cluster.local', RRType.AXFR, { tcp: true })).rcode, Rcode.REFUSED);
    assert.equal((await query(P(), 'cluster.local', RRType.IXFR)).rcode, Rcode.REFUSED);
    const any = await query(P(), 'cluster.local', RRType.ANY);
    assert.deepEqual(any.answers.map((a) => a.type).sort(), [RRType.NS, RRType.SOA].sort());
  });

  test('malformed packets: FORMERR or dropped, and the server keeps answering', async () => {
    const loop = Buffer.from([0, 7, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    const reply = await exchange(P(), loop);
    assert.equal(reply.readUInt16BE(0), 7);
    assert.equal(reply[3]! & 0xf, Rcode.FORMERR);
    await assert.rejects(
      exchange(P(), Buffer.from([1, 2, 3]), { timeoutMs: 300 }),
      /timed out/,
      'runt packets are dropped',
    );
    assert.equal((await query(P(), 'web.default.svc.cluster.local', RRType.A)).answers.length, 1);
  });

  test('forwarding: TC from upstream -> retried over TCP; EDNS passed through; answers cached', async () => {
    const before = upstream.tcpQueries;
    const big = await query(P(), 'big.test', RRType.A, { tcp: true });
    assert.equal(big.answers.length, 40);
    assert.ok(upstream.tcpQueries > before, 'the forwarder retried over TCP after TC');
    assert.equal(upstream.lastHadEdns, true);
    const udpBefore = upstream.udpQueries;
    const again = await query(P(), 'big.test', RRType.A, { edns: true });
    assert.equal(again.answers.length, 40, 'fits in the client EDNS size (1232)');
    assert.equal(upstream.udpQueries, udpBefore, 'second answer came from the cache');
    const plain = await query(P(), 'big.test', RRType.A);
    assert.equal(plain.tc, true, 'a plain 512-byte UDP client is told to retry over TCP');
    const viaDig = await dig(P(), 'big.test', 'A');
    assert.equal(viaDig.answers.length, 40, 'dig retries over TCP by itself');
  });

  test('business names: visible in their namespace, invisible elsewhere, scope cluster widens', async () => {
    const a = await dig(P(), 'orders.mall', 'A', { source: '127.0.0.21' });
    assert.equal(a.status, 'NOERROR', a.raw);
    assert.deepEqual(a.answers, [`orders.mall. A ${ordersIP}`]);
    const api = await dig(P(), 'API.orders.mall', 'A', { source: '127.0.0.21' });
    assert.deepEqual(api.answers, [`API.orders.mall. A ${ordersIP}`]);
    const srv = await dig(P(), '_http._tcp.orders.mall', 'SRV', { source: '127.0.0.21' });
    assert.deepEqual(srv.answers, ['_http._tcp.orders.mall. SRV 0 100 8080 orders.mall.']);
    const b = await dig(P(), 'orders.mall', 'A', { source: '127.0.0.22' });
    assert.equal(b.status, 'NXDOMAIN', `other namespace falls through to upstream, which does not know it\n${b.raw}`);
    assert.deepEqual(b.answers, []);
    const pubOther = await dig(P(), 'public.mall', 'A', { source: '127.0.0.22' });
    assert.deepEqual(pubOther.answers, [`public.mall. A ${pubIP}`]);
    // Repeat from both sides: the answer cache must keep namespaces apart.
    assert.deepEqual((await dig(P(), 'orders.mall', 'A', { source: '127.0.0.22' })).answers, []);
    assert.deepEqual((await dig(P(), 'orders.mall', 'A', { source: '127.0.0.21' })).answers, [
      `orders.mall. A ${ordersIP}`,
    ]);
  });

  test('two Services claim one name: the older wins, the loser gets a Warning Event', async () => {
    const ev = await eventually('DNSNameConflict event on shop2/catalog', async () => {
      const list = await client.list(R.events, 'shop2');
      return list.items.find((e) => (e as { reason?: string }).reason === 'DNSNameConflict') as
        { type: string; message: string; involvedObject: { name: string } } | undefined;
    });
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.involvedObject.name, 'catalog');
    assert.match(ev.message, /orders\.mall.*shop\/orders/);
  });

  test('changes show up promptly: new Service, endpoint change, annotation change, deletion', async () => {
    const ip = (
      (await client.create(R.svc, 'default', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'late' },
        spec: { ports: [{ port: 80 }] },
      })) as unknown as { spec: { clusterIP: string } }
    ).spec.clusterIP;
    await eventually(
      'late resolves',
      async () => (await query(P(), 'late.default.svc.cluster.local', RRType.A)).answers[0]?.data === ip,
    );
    await client.patch(R.slices, 'default', 'db-abc', 'merge', {
      endpoints: [{ addresses: ['10.244.1.8'], conditions: { ready: true } }],
    });
    await eventually('db follows its endpoints', async () => {
      const m = await query(P(), 'db.default.svc.cluster.local', RRType.A);
      return m.answers.length === 1 && m.answers[0]!.data === '10.244.1.8';
    });
    await client.patch(R.svc, 'default', 'late', 'merge', {
      metadata: { annotations: { 'podnet.io/dns-names': 'late.mall', 'podnet.io/dns-scope': 'cluster' } },
    });
    await eventually(
      'late.mall appears',
      async () => (await query(P(), 'late.mall', RRType.A)).answers[0]?.data === ip,
    );
    await client.delete(R.svc, 'default', 'late');
    await eventually(
      'late is gone',
      async () => (await query(P(), 'late.default.svc.cluster.local', RRType.A)).rcode === Rcode.NXDOMAIN,
    );
  });

  test('/healthz, /readyz and /metrics', async () => {
    const base = `http://127.0.0.1:${dns.httpPort}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    const text = await (await fetch(`${base}/metrics`)).text();
    // CoreDNS's names and labels (plugin/metrics, cache, forward), so its dashboards work.
    const server = `server="dns://127.0.0.1:${dns.port}",zone=".",view=""`;
    assert.match(text, new RegExp(`coredns_dns_requests_total\\{${server},proto="udp",family="1",type="A"\\} [1-9]`));
    assert.match(
      text,
      new RegExp(`coredns_dns_responses_total\\{${server},rcode="NXDOMAIN",plugin="kubernetes"\\} [1-9]`),
    );
    assert.match(
      text,
      new RegExp(`coredns_dns_request_duration_seconds_bucket\\{${server},type="A",le="\\+Inf"\\} [1-9]`),
    );
    assert.match(text, /coredns_cache_hits_total\{server="[^"]+",zones="\.",type="(success|denial)"\} [1-9]/);
    assert.match(text, /coredns_cache_requests_total\{server="[^"]+",zones="\."\} [1-9]/);
    assert.match(
      text,
      /coredns_proxy_request_duration_seconds_count\{proxy_name="forward",to="[^"]+",rcode="NOERROR"\} [1-9]/,
    );
    assert.match(text, /^process_resident_memory_bytes [1-9]/m);
  });
});
