import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clusterConfigConflicts,
  clusterConfigData,
  clusterConfigFromData,
  DEFAULT_CLUSTER_CONFIG,
  parsePortRange,
  resolveClusterConfig,
} from './cluster-config.js';

test('no flags: the defaults', () => {
  assert.deepEqual(resolveClusterConfig({}), DEFAULT_CLUSTER_CONFIG);
});

test('a new service CIDR moves the kubernetes and DNS addresses along; an explicit DNS address stays', () => {
  const c = resolveClusterConfig({ serviceCidr: '10.100.5.7/16', clusterCidr: '10.200.0.0/16' });
  assert.equal(c.serviceCidr, '10.100.0.0/16', 'canonical form');
  assert.equal(c.kubernetesServiceIp, '10.100.0.1');
  assert.equal(c.clusterDnsIp, '10.100.0.10');
  assert.equal(
    resolveClusterConfig({ serviceCidr: '10.100.0.0/16', clusterDnsIp: '10.100.0.53' }).clusterDnsIp,
    '10.100.0.53',
  );
});

test('each problem names its flag', () => {
  const cases: [Parameters<typeof resolveClusterConfig>[0], RegExp][] = [
    [{ clusterCidr: '10.244.0.0' }, /--cluster-cidr "10\.244\.0\.0" is not an IPv4 CIDR/],
    [{ clusterCidr: '10.96.0.0/16' }, /--cluster-cidr 10\.96\.0\.0\/16 and --service-cidr 10\.96\.0\.0\/12 overlap/],
    [{ serviceCidr: '10.96.0.0/29' }, /--service-cidr 10\.96\.0\.0\/29: the prefix length must be 8 to 28/],
    [{ nodeCidrMaskSize: 8 }, /--node-cidr-mask-size 8 must be between/],
    [{ clusterDnsIp: '10.97.0.10', serviceCidr: '10.96.0.0/16' }, /--cluster-dns 10\.97\.0\.10 must be inside/],
    [{ clusterDnsIp: '10.96.0.1' }, /--cluster-dns 10\.96\.0\.1 must be inside/],
    [{ clusterDomain: 'bad_domain' }, /--cluster-domain "bad_domain"/],
    [{ nodePortRange: { first: 40000, last: 30000 } }, /--service-node-port-range 40000-30000/],
  ];
  for (const [input, want] of cases) assert.throws(() => resolveClusterConfig(input), want, JSON.stringify(input));
  assert.throws(() => parsePortRange('30000'), /--service-node-port-range "30000" is not FIRST-LAST/);
  assert.deepEqual(parsePortRange('20000-20099'), { first: 20000, last: 20099 });
});

test('the ConfigMap data round-trips, and a damaged one says which key', () => {
  const c = resolveClusterConfig({
    clusterCidr: '172.20.0.0/16',
    clusterDomain: 'Corp.Example.',
    nodeCidrMaskSize: 26,
  });
  assert.equal(c.clusterDomain, 'corp.example');
  const data = clusterConfigData(c);
  assert.deepEqual(data, {
    clusterCIDR: '172.20.0.0/16',
    nodeCIDRMaskSize: '26',
    serviceCIDR: '10.96.0.0/12',
    kubernetesServiceIP: '10.96.0.1',
    clusterDNS: '10.96.0.10',
    clusterDomain: 'corp.example',
    serviceNodePortRange: '30000-32767',
  });
  assert.deepEqual(clusterConfigFromData(data), c);
  const { clusterDNS: _gone, ...missing } = data;
  assert.throws(() => clusterConfigFromData(missing), /ConfigMap kube-system\/podnet-config has no "clusterDNS"/);
  assert.throws(
    () => clusterConfigFromData({ ...data, kubernetesServiceIP: '10.96.0.2' }),
    /kube-system\/podnet-config: kubernetesServiceIP is not the first address/,
  );
});

test('conflicts: only flags that are given and differ', () => {
  const c = DEFAULT_CLUSTER_CONFIG;
  assert.deepEqual(clusterConfigConflicts(c, {}), []);
  assert.deepEqual(
    clusterConfigConflicts(c, {
      clusterCidr: '10.244.0.1/16',
      clusterDomain: 'cluster.local.',
      clusterDnsIp: '10.96.0.10',
    }),
    [],
    'the same values written differently agree',
  );
  assert.deepEqual(clusterConfigConflicts(c, { serviceCidr: '10.100.0.0/16', nodePortRange: { first: 1, last: 2 } }), [
    '--service-cidr 10.100.0.0/16 (the cluster has 10.96.0.0/12)',
    '--service-node-port-range 1-2 (the cluster has 30000-32767)',
  ]);
});
