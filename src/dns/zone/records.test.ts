import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceRecords } from './records.js';
import { parseDnsNames, businessClaims, BusinessNames } from './business.js';
import { reverseName, undashIp } from './names.js';
import type { DnsService } from './objects.js';

const p = { domain: 'cluster.local', ttl: 5 };
const svc = (name: string, spec: DnsService['spec'], extra: Partial<DnsService['metadata']> = {}): DnsService => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'ns1', ...extra },
  spec,
});
const show = (rrs: ReturnType<typeof serviceRecords>) =>
  rrs.map((r) => `${r.name} ${r.type} ${JSON.stringify(r.data)}`);

test('a ClusterIP Service stores no records (they are derived per question, cluster-ips.ts)', () => {
  assert.deepEqual(
    serviceRecords(svc('web', { clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 80 }] }), [], p),
    [],
  );
});

test('headless without ready endpoints publishes nothing; ExternalName is a CNAME; invalid externalName none', () => {
  assert.deepEqual(serviceRecords(svc('h', { clusterIP: 'None' }), [], p), []);
  assert.deepEqual(show(serviceRecords(svc('e', { type: 'ExternalName', externalName: 'Example.COM.' }), [], p)), [
    'e.ns1.svc.cluster.local 5 "example.com"',
  ]);
  assert.deepEqual(serviceRecords(svc('e', { type: 'ExternalName', externalName: 'bad name!' }), [], p), []);
});

test('publishNotReadyAddresses publishes unready endpoints', () => {
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 's' },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.0.9'], conditions: { ready: false } }],
  };
  assert.equal(serviceRecords(svc('h', { clusterIP: 'None' }), [slice], p).length, 0);
  assert.equal(serviceRecords(svc('h', { clusterIP: 'None', publishNotReadyAddresses: true }), [slice], p).length, 3); // A, hostname A, PTR
});

test('business-name annotation parsing', () => {
  assert.deepEqual(parseDnsNames(' Orders.Mall., api.orders.mall,orders.mall ', 'cluster.local').names, [
    'orders.mall',
    'api.orders.mall',
  ]);
  const r = parseDnsNames('x.cluster.local, single, ok.shop', 'cluster.local');
  assert.deepEqual(r.names, ['ok.shop']);
  assert.equal(r.rejected.length, 2);
});

test('claims: oldest wins, ties by namespace/name; deleting the winner promotes the next', () => {
  const b = new BusinessNames();
  const mk = (ns: string, name: string, ts: string, ip: string) =>
    businessClaims(
      {
        ...svc(name, { clusterIP: ip }),
        metadata: { name, namespace: ns, creationTimestamp: ts, annotations: { 'podnet.io/dns-names': 'x.mall' } },
      },
      [],
      p,
    );
  b.setService('b/two', mk('b', 'two', '2024-01-01T00:00:00Z', '10.96.0.2'));
  const out = b.setService('a/one', mk('a', 'one', '2024-01-01T00:00:00Z', '10.96.0.1'));
  assert.equal(out[0]!.winner!.serviceKey, 'a/one');
  assert.deepEqual(
    out[0]!.losers.map((l) => l.serviceKey),
    ['b/two'],
  );
  assert.equal(b.lookup('x.mall', 'a')!.rrsets.get(1)![0]!.data, '10.96.0.1');
  assert.equal(b.lookup('x.mall', 'b'), undefined, 'namespace scope: the winner is in "a"');
  b.setService('a/one', []);
  assert.equal(b.lookup('x.mall', 'b')!.rrsets.get(1)![0]!.data, '10.96.0.2');
});

test('reverse names and dashed pod IPs', () => {
  assert.equal(reverseName('10.1.2.3'), '3.2.1.10.in-addr.arpa');
  assert.equal(reverseName('nope'), undefined);
  assert.equal(undashIp('10-244-1-5'), '10.244.1.5');
  assert.equal(undashIp('10-244-1-500'), undefined);
  assert.equal(undashIp('fd00--1'), 'fd00::1');
});
