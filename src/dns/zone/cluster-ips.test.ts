import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterIpServices } from './cluster-ips.js';
import type { DnsService } from './objects.js';

const p = { domain: 'cluster.local', ttl: 5 };
const svc = (ns: string, name: string, spec: DnsService['spec']): DnsService => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns },
  spec,
});

function table(...services: DnsService[]): { idx: ClusterIpServices; map: Map<string, DnsService> } {
  const map = new Map<string, DnsService>();
  const idx = new ClusterIpServices(p, map);
  for (const s of services) {
    map.set(`${s.metadata.namespace}/${s.metadata.name}`, s);
    idx.update(undefined, s);
  }
  return { idx, map };
}

const show = (idx: ClusterIpServices, name: string): string[] =>
  (idx.rrsets(name)?.values() ?? [])
    .flat()
    .map((r) => `${r.type} ${typeof r.data === 'string' ? r.data : JSON.stringify(r.data)}`);

const web = svc('ns1', 'web', {
  clusterIP: '10.96.0.5',
  clusterIPs: ['10.96.0.5', 'fd00::5'],
  ports: [{ name: 'HTTP', port: 80, protocol: 'TCP' }, { port: 81 }, { name: 'dns', port: 53, protocol: 'UDP' }],
});
const dns = svc('kube-system', 'kube-dns', { clusterIP: '10.96.0.10' });
const headless = svc('ns1', 'db', { clusterIP: 'None' });
const external = svc('ns1', 'ext', { type: 'ExternalName', externalName: 'example.com' });

test('records derived per question: A, AAAA, SRV for named ports, PTR in both reverse zones, the nameserver name', () => {
  const { idx } = table(web, dns, headless, external);
  const rows: [string, string[]][] = [
    ['web.ns1.svc.cluster.local', ['1 10.96.0.5', '28 fd00::5']],
    [
      '_http._tcp.web.ns1.svc.cluster.local',
      ['33 {"priority":0,"weight":100,"port":80,"target":"web.ns1.svc.cluster.local"}'],
    ],
    [
      '_dns._udp.web.ns1.svc.cluster.local',
      ['33 {"priority":0,"weight":100,"port":53,"target":"web.ns1.svc.cluster.local"}'],
    ],
    ['_dns._tcp.web.ns1.svc.cluster.local', []],
    ['_plain._tcp.web.ns1.svc.cluster.local', []],
    ['5.0.96.10.in-addr.arpa', ['12 web.ns1.svc.cluster.local']],
    ['5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa', ['12 web.ns1.svc.cluster.local']],
    ['6.0.96.10.in-addr.arpa', []],
    ['ns.dns.cluster.local', ['1 10.96.0.10']],
    ['db.ns1.svc.cluster.local', []], // headless: stored records, not here
    ['ext.ns1.svc.cluster.local', []],
    ['web.ns2.svc.cluster.local', []],
    ['x.web.ns1.svc.cluster.local', []],
  ];
  for (const [name, want] of rows) assert.deepEqual(show(idx, name), want, name);
});

test('existence: empty non-terminals above and between derived records exist, everything else does not', () => {
  const { idx } = table(web, dns);
  const rows: [string, boolean][] = [
    ['svc.cluster.local', true],
    ['ns1.svc.cluster.local', true],
    ['ns2.svc.cluster.local', false],
    ['web.ns1.svc.cluster.local', true],
    ['_tcp.web.ns1.svc.cluster.local', true],
    ['_udp.web.ns1.svc.cluster.local', true],
    ['_sctp.web.ns1.svc.cluster.local', false],
    ['_nope._tcp.web.ns1.svc.cluster.local', false],
    ['dns.cluster.local', true],
    ['in-addr.arpa', true],
    ['10.in-addr.arpa', true],
    ['96.10.in-addr.arpa', true],
    ['0.96.10.in-addr.arpa', true],
    ['1.96.10.in-addr.arpa', false],
    ['11.in-addr.arpa', false],
    ['d.f.ip6.arpa', true],
    ['e.f.ip6.arpa', false],
    ['ip6.arpa', true],
  ];
  for (const [name, want] of rows) assert.equal(idx.exists(name), want, name);
});

test('updates move the indexes; deleting the last Service empties them', () => {
  const { idx, map } = table(web);
  const moved = svc('ns1', 'web', { clusterIP: '10.96.0.9' });
  map.set('ns1/web', moved);
  idx.update(web, moved);
  assert.deepEqual(show(idx, '5.0.96.10.in-addr.arpa'), []);
  assert.deepEqual(show(idx, '9.0.96.10.in-addr.arpa'), ['12 web.ns1.svc.cluster.local']);
  assert.equal(idx.exists('d.f.ip6.arpa'), false);
  map.delete('ns1/web');
  idx.update(moved, undefined);
  for (const name of ['svc.cluster.local', 'ns1.svc.cluster.local', 'in-addr.arpa', '10.in-addr.arpa', 'ip6.arpa'])
    assert.equal(idx.exists(name), false, name);
});

test('a Service changing to ExternalName leaves the index', () => {
  const { idx, map } = table(web);
  const ext = svc('ns1', 'web', { type: 'ExternalName', externalName: 'example.com' });
  map.set('ns1/web', ext);
  idx.update(web, ext);
  assert.equal(idx.rrsets('web.ns1.svc.cluster.local'), undefined);
  assert.equal(idx.exists('ns1.svc.cluster.local'), false);
});
