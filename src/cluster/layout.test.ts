import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findNode, planLayout, reconcileLayout } from './layout.js';
import { clusterHash } from './names.js';

const base = () => planLayout({ name: 't1', stateDir: '/s', subnet: '10.250.4.0/24', backend: 'vxlan', nodes: 2 });

test('planLayout names and addresses every node', () => {
  const l = base();
  const h = clusterHash('t1');
  assert.equal(l.bridge, `podnet${h}`);
  assert.equal(l.hostIp, '10.250.4.1');
  assert.deepEqual(l.nodes, [
    { index: 1, name: 't1-node1', netns: 'podnet-t1-node1', hostVeth: `podnet${h}v1`, ip: '10.250.4.11' },
    { index: 2, name: 't1-node2', netns: 'podnet-t1-node2', hostVeth: `podnet${h}v2`, ip: '10.250.4.12' },
  ]);
  const d = planLayout({ stateDir: '/s', subnet: '10.250.4.0/24', backend: 'host-gw', nodes: 1 });
  assert.equal(d.nodes[0]!.name, 'node1');
  assert.equal(d.nodes[0]!.netns, 'podnet-node1');
});

test('reconcileLayout: same, grow, refuse shrink, name or backend change', () => {
  const l = base();
  const table: [Parameters<typeof reconcileLayout>[1], string | number][] = [
    [{}, 2],
    [{ nodes: 2, name: 't1', backend: 'vxlan' }, 2],
    [{ nodes: 4 }, 4],
    [{ nodes: 1 }, 'would drop t1-node2'],
    [{ name: 'other' }, 'holds cluster "t1"'],
    [{ backend: 'host-gw' }, 'uses --backend vxlan'],
    [{ nodes: 241 }, 'more than the 240'],
  ];
  for (const [req, want] of table) {
    const r = reconcileLayout(l, req);
    if (typeof want === 'number') {
      assert.ok('layout' in r, JSON.stringify(req));
      assert.equal(r.layout.nodes.length, want);
      assert.deepEqual(r.layout.nodes.slice(0, 2), l.nodes, 'existing nodes are kept as they are');
    } else {
      assert.ok('error' in r && r.error.includes(want), `${JSON.stringify(req)}: ${JSON.stringify(r)}`);
    }
  }
  const grown = reconcileLayout(l, { nodes: 3 });
  assert.ok('layout' in grown);
  assert.equal(grown.layout.nodes[2]!.ip, '10.250.4.13');
});

test("reconcileLayout keeps the cluster's shape: same flags pass, other ones are refused", () => {
  const l = planLayout({
    stateDir: '/s',
    subnet: '10.250.4.0/24',
    backend: 'vxlan',
    nodes: 1,
    cluster: { serviceCidr: '10.100.0.0/16' },
  });
  assert.deepEqual(
    planLayout({ stateDir: '/s', subnet: '10.250.4.0/24', backend: 'vxlan', nodes: 1, cluster: {} }).cluster,
    undefined,
  );
  const same = reconcileLayout(l, { cluster: { serviceCidr: '10.100.0.0/16', clusterCidr: '10.244.0.0/16' } });
  assert.ok('layout' in same && same.layout.cluster?.serviceCidr === '10.100.0.0/16');
  const other = reconcileLayout(l, { cluster: { serviceCidr: '10.96.0.0/12' } });
  assert.ok('error' in other && other.error.includes('--service-cidr 10.96.0.0/12 (the cluster has 10.100.0.0/16)'));
  const domain = reconcileLayout(base(), { cluster: { clusterDomain: 'corp.example' } });
  assert.ok(
    'error' in domain && domain.error.includes('--cluster-domain corp.example (the cluster has cluster.local)'),
  );
});

test('findNode accepts the full or the short name', () => {
  const l = base();
  assert.equal(findNode(l, 't1-node2')?.index, 2);
  assert.equal(findNode(l, 'node2')?.index, 2);
  assert.equal(findNode(l, 'node9'), undefined);
});

test('planLayout --store etcd: three control-plane namespaces below the nodes, API servers counted', () => {
  const h = clusterHash('t1');
  const l = planLayout({
    name: 't1',
    stateDir: '/s',
    subnet: '10.250.4.0/24',
    backend: 'vxlan',
    nodes: 2,
    store: 'etcd',
    apiservers: 2,
  });
  assert.equal(l.store, 'etcd');
  assert.equal(l.apiservers, 2);
  assert.deepEqual(l.controlPlanes, [
    { index: 1, name: 't1-cp1', netns: 'podnet-t1-cp1', hostVeth: `podnet${h}c1`, ip: '10.250.4.2' },
    { index: 2, name: 't1-cp2', netns: 'podnet-t1-cp2', hostVeth: `podnet${h}c2`, ip: '10.250.4.3' },
    { index: 3, name: 't1-cp3', netns: 'podnet-t1-cp3', hostVeth: `podnet${h}c3`, ip: '10.250.4.4' },
  ]);
  assert.equal(base().store, undefined, 'SQLite stays the default and records nothing');
  assert.equal(base().controlPlanes, undefined);
});

test('reconcileLayout: the store is fixed; API servers only grow, and only on etcd', () => {
  const etcd = planLayout({
    stateDir: '/s',
    subnet: '10.250.4.0/24',
    backend: 'vxlan',
    nodes: 1,
    store: 'etcd',
    apiservers: 2,
  });
  const table: [ReturnType<typeof planLayout>, Parameters<typeof reconcileLayout>[1], string | number][] = [
    [etcd, {}, 2],
    [etcd, { store: 'etcd', apiservers: 3 }, 3],
    [etcd, { apiservers: 1 }, 'never stops one'],
    [etcd, { store: 'sqlite' }, 'keeps its state in etcd'],
    [base(), { store: 'etcd' }, 'keeps its state in sqlite'],
    [base(), { apiservers: 2 }, 'needs --store etcd'],
    [etcd, { apiservers: 9 }, '--apiservers must be 1..5'],
  ];
  for (const [recorded, req, want] of table) {
    const r = reconcileLayout(recorded, req);
    if (typeof want === 'number') {
      assert.ok('layout' in r, JSON.stringify(req));
      assert.equal(r.layout.apiservers, want);
      assert.deepEqual(r.layout.controlPlanes, recorded.controlPlanes);
    } else {
      assert.ok('error' in r && r.error.includes(want), `${JSON.stringify(req)}: ${JSON.stringify(r)}`);
    }
  }
});

test('a new cluster records runc unless told otherwise; a rerun keeps what was recorded', () => {
  assert.equal(base().runtime, 'runc');
  const proc = planLayout({ stateDir: '/s', subnet: '10.250.4.0/24', backend: 'vxlan', nodes: 1, runtime: 'process' });
  const rerun = reconcileLayout(proc, {});
  assert.ok('layout' in rerun);
  assert.equal(rerun.layout.runtime, 'process');
  const { runtime: _dropped, ...legacy } = base();
  const legacyRerun = reconcileLayout(legacy, {});
  assert.ok('layout' in legacyRerun);
  assert.equal(legacyRerun.layout.runtime, undefined, 'a layout without one stays without (its agents get process)');
});
