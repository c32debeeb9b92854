import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResolvConf, podDNSConfig, renderResolvConf, type NodeDNS } from './dns.js';
import { podHostname, renderHosts } from './hosts.js';
import type { Pod, PodSpec } from './types.js';

const node: NodeDNS = {
  hostResolvConf:
    '# host\nnameserver 192.168.1.1\nnameserver 192.168.1.2\nsearch corp.example. lab.example\noptions edns0 timeout:2\n',
  clusterDns: ['10.96.0.10'],
  clusterDomain: 'cluster.local',
};
const pod = (spec: Partial<PodSpec> = {}, name = 'web-0'): Pod => ({
  metadata: { name, namespace: 'shop', uid: 'u1' },
  spec: { containers: [], ...spec },
});

describe('parseResolvConf', () => {
  test('nameservers accumulate, last search/options win, trailing dots trimmed', () => {
    assert.deepEqual(
      parseResolvConf('search a.\nnameserver 1.1.1.1\nsearch b c.\n  # x\nnameserver 8.8.8.8\noptions ndots:1\n'),
      { nameservers: ['1.1.1.1', '8.8.8.8'], searches: ['b', 'c'], options: ['ndots:1'] },
    );
  });
});

describe('renderResolvConf per dnsPolicy', () => {
  const cluster =
    'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\nnameserver 10.96.0.10\noptions ndots:5\n';
  const host =
    'search corp.example lab.example\nnameserver 192.168.1.1\nnameserver 192.168.1.2\noptions edns0 timeout:2\n';
  const cases: [string, Partial<PodSpec>, string][] = [
    ['ClusterFirst is the default', {}, cluster],
    ['ClusterFirst', { dnsPolicy: 'ClusterFirst' }, cluster],
    ['ClusterFirst on hostNetwork falls back to Default', { dnsPolicy: 'ClusterFirst', hostNetwork: true }, host],
    ['ClusterFirstWithHostNet on hostNetwork', { dnsPolicy: 'ClusterFirstWithHostNet', hostNetwork: true }, cluster],
    ['Default', { dnsPolicy: 'Default' }, host],
    [
      'None with dnsConfig only',
      {
        dnsPolicy: 'None',
        dnsConfig: { nameservers: ['1.1.1.1'], searches: ['x.example'], options: [{ name: 'ndots', value: '2' }] },
      },
      'search x.example\nnameserver 1.1.1.1\noptions ndots:2\n',
    ],
    ['None without dnsConfig is empty', { dnsPolicy: 'None' }, ''],
    [
      'dnsConfig merges: servers/searches appended and deduped, options overridden by name',
      {
        dnsConfig: {
          nameservers: ['10.96.0.10', '1.1.1.1'],
          searches: ['cluster.local', 'extra.example'],
          options: [{ name: 'ndots', value: '2' }, { name: 'single-request' }],
        },
      },
      'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example extra.example\nnameserver 10.96.0.10\nnameserver 1.1.1.1\noptions ndots:2 single-request\n',
    ],
  ];
  for (const [name, spec, want] of cases) test(name, () => assert.equal(renderResolvConf(pod(spec), node), want));

  test('ClusterFirst without cluster DNS falls back to the host config with a warning', () => {
    const d = podDNSConfig(pod(), { ...node, clusterDns: [] });
    assert.deepEqual(d.nameservers, ['192.168.1.1', '192.168.1.2']);
    assert.match(d.warnings[0]!, /does not have ClusterDNS IP configured/);
  });
  test('host search domains duplicating cluster ones count once', () => {
    const d = podDNSConfig(pod(), { ...node, hostResolvConf: 'search svc.cluster.local other\n' });
    assert.deepEqual(d.searches, ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'other']);
  });
});

describe('DNS limits', () => {
  test('at most 3 nameservers', () => {
    const d = podDNSConfig(pod({ dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3'] } }), node);
    assert.deepEqual(d.nameservers, ['10.96.0.10', '1.1.1.1', '2.2.2.2']);
    assert.match(d.warnings.join(), /Nameserver limits were exceeded/);
  });
  test('at most 32 search domains', () => {
    const searches = Array.from({ length: 40 }, (_, i) => `d${i}.example`);
    const d = podDNSConfig(pod({ dnsPolicy: 'None', dnsConfig: { searches } }), node);
    assert.equal(d.searches.length, 32);
    assert.match(d.warnings.join(), /Search Line limits were exceeded/);
  });
  test('search line cut from the end to 2048 characters; domains over 253 dropped', () => {
    const long = 'a'.repeat(254);
    const big = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')}${'b'.repeat(150)}`);
    const d = podDNSConfig(pod({ dnsPolicy: 'None', dnsConfig: { searches: [long, ...big] } }), node);
    assert.ok(!d.searches.includes(long));
    assert.ok(d.searches.join(' ').length <= 2048);
    assert.equal(d.searches.length, 13); // 13 * 152 + 12 = 1988; 14 would be 2141
  });
});

describe('podHostname', () => {
  const cases: [string, Partial<PodSpec>, string, object][] = [
    ['pod name', {}, 'web-0', { hostname: 'web-0', kernelHostname: 'web-0' }],
    ['spec.hostname wins', { hostname: 'db' }, 'web-0', { hostname: 'db', kernelHostname: 'db' }],
    [
      'subdomain gives an FQDN',
      { subdomain: 'svc' },
      'web-0',
      { hostname: 'web-0', fqdn: 'web-0.svc.shop.svc.cluster.local', kernelHostname: 'web-0' },
    ],
    [
      'setHostnameAsFQDN',
      { subdomain: 'svc', setHostnameAsFQDN: true },
      'web-0',
      {
        hostname: 'web-0',
        fqdn: 'web-0.svc.shop.svc.cluster.local',
        kernelHostname: 'web-0.svc.shop.svc.cluster.local',
      },
    ],
    [
      'long names truncate to 63 without trailing - or .',
      {},
      `${'a'.repeat(61)}--b`,
      { hostname: 'a'.repeat(61), kernelHostname: 'a'.repeat(61) },
    ],
  ];
  for (const [name, spec, podName, want] of cases)
    test(name, () => assert.deepEqual(podHostname(pod(spec, podName), 'cluster.local'), want));
  test('an FQDN over 64 characters with setHostnameAsFQDN is an error', () => {
    assert.throws(
      () => podHostname(pod({ subdomain: 's'.repeat(30), setHostnameAsFQDN: true }, 'p'.repeat(30)), 'cluster.local'),
      /too long \(64 characters is the max/,
    );
  });
});

describe('renderHosts', () => {
  const base =
    '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';
  test('plain pod', () =>
    assert.equal(renderHosts(pod(), '10.244.1.5', { clusterDomain: 'cluster.local' }), base + '10.244.1.5\tweb-0\n'));
  test('subdomain and host aliases', () => {
    const p = pod({
      subdomain: 'db',
      hostAliases: [
        { ip: '1.2.3.4', hostnames: ['foo', 'bar'] },
        { ip: '5.6.7.8', hostnames: ['baz'] },
      ],
    });
    assert.equal(
      renderHosts(p, ['10.244.1.5'], { clusterDomain: 'cluster.local' }),
      base +
        '10.244.1.5\tweb-0.db.shop.svc.cluster.local\tweb-0\n\n# Entries added by HostAliases.\n1.2.3.4\tfoo\tbar\n5.6.7.8\tbaz\n',
    );
  });
  test('hostNetwork pods get the node file plus aliases', () => {
    const p = pod({ hostNetwork: true, hostAliases: [{ ip: '1.2.3.4', hostnames: ['foo'] }] });
    assert.equal(
      renderHosts(p, '192.168.1.10', { clusterDomain: 'cluster.local', nodeHosts: '127.0.0.1 localhost\n' }),
      '# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n\n# Entries added by HostAliases.\n1.2.3.4\tfoo\n',
    );
    assert.throws(
      () => renderHosts(p, '192.168.1.10', { clusterDomain: 'cluster.local' }),
      /pass the node's \/etc\/hosts/,
    );
  });
});
