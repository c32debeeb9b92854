import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectClusterProcesses, type ProcInfo } from './cluster-processes.js';
import { planLayout } from './layout.js';
import { mountsUnder, parseMountinfo } from './mounts.js';
import { clusterNetns, stopRank } from './teardown.js';

const p = (pid: number, over: Partial<ProcInfo>): ProcInfo => ({
  pid,
  pgid: pid,
  ppid: 1,
  netns: 'HOST',
  argv: ['x'],
  files: [],
  ...over,
});

test('selectClusterProcesses picks only what the cluster runs', () => {
  const procs = [
    p(10, { netns: 'N1' }), // agent or pod in a node netns
    p(11, { netns: 'N1', pgid: 999 }), // in the netns, but its group leader is not ours: signal the pid only
    p(12, { netns: 'GONE', files: ['/s/nodes/t-node1/pods/x/log'] }), // pod whose netns was deleted already
    p(13, { netns: 'HOST', files: ['/s/logs/apiserver.log'], argv: ['tail', '-f', '/s/logs/apiserver.log'] }), // a user's tail: left alone
    p(14, { argv: ['/usr/bin/node', '/w/dist/cli/main.js', 'apiserver', '--state', '/s'] }),
    p(15, { argv: ['/usr/bin/node', '/w/dist/cli/main.js', 'kubectl', '--state', '/s', 'get', 'pods'] }), // the user's kubectl: left alone
    p(16, { argv: ['/usr/bin/node', '/w/dist/cli/main.js', 'apiserver', '--state', '/s2'] }), // another cluster
    p(17, { netns: 'N1' }), // ourselves
    p(18, { netns: 'OTHER', cwd: '/elsewhere' }),
    p(19, { netns: 'OTHER', cwd: '/s/nodes/t-node1' }),
    p(20, { argv: ['node', '/w/dist/cli/main.js', 'node', '--state=/s/nodes/t-node1'] }),
  ];
  const got = selectClusterProcesses(procs, {
    netnsInodes: new Set(['N1']),
    hostNetns: 'HOST',
    stateDir: '/s/',
    exclude: new Set([17]),
  });
  assert.deepEqual(got, [
    { pid: 10, group: true },
    { pid: 11, group: false },
    { pid: 12, group: true },
    { pid: 14, group: true },
    { pid: 19, group: true },
    { pid: 20, group: true },
  ]);
});

test("clusterNetns: this cluster's pod netns first, then node netns; never another cluster's", () => {
  const l = planLayout({ name: 't', stateDir: '/s', subnet: '10.250.1.0/24', backend: 'vxlan', nodes: 2 });
  const names = [
    'podnet-t-node1',
    'podnet-t-node2-web-1',
    'podnet-t-node3',
    'podnet-tt-node1',
    'podnet-node1',
    'podnet-node1-x',
    'podnet-t-node1-a',
    'cni-123',
  ];
  assert.deepEqual(clusterNetns(l, names), ['podnet-t-node2-web-1', 'podnet-t-node1-a', 'podnet-t-node1']);
  const d = planLayout({ stateDir: '/s', subnet: '10.250.1.0/24', backend: 'vxlan', nodes: 1 });
  assert.deepEqual(clusterNetns(d, names), ['podnet-node1-x', 'podnet-node1']);
});

test('mounts under a dir, deepest first, escapes undone', () => {
  const info = [
    '22 1 0:21 / /run rw - tmpfs tmpfs rw',
    '40 22 0:4 net:[4026532300] /run/netns/podnet-t-node1 rw - nsfs nsfs rw',
    '41 1 0:4 net:[4026532301] /s/nodes/t-node1/netns/a rw - nsfs nsfs rw',
    '42 1 0:30 / /s/nodes/t-node1 rw - tmpfs tmpfs rw',
    '43 1 0:31 / /s\\040x/y rw - tmpfs tmpfs rw',
    '44 1 0:32 / /s2/z rw - tmpfs tmpfs rw',
  ].join('\n');
  const points = parseMountinfo(info);
  assert.equal(points[4], '/s x/y');
  assert.deepEqual(mountsUnder(points, '/s'), ['/s/nodes/t-node1/netns/a', '/s/nodes/t-node1']);
  assert.deepEqual(mountsUnder(points, '/s x/'), ['/s x/y']);
});

test("clusterNetns: control-plane netns of --store etcd come last, only this cluster's", () => {
  const l = planLayout({
    name: 't',
    stateDir: '/s',
    subnet: '10.250.1.0/24',
    backend: 'vxlan',
    nodes: 1,
    store: 'etcd',
  });
  const names = [
    'podnet-t-cp2',
    'podnet-t-node1',
    'podnet-cp1',
    'podnet-t-cp1-node1',
    'podnet-t-cp1',
    'podnet-t-node1-a',
  ];
  assert.deepEqual(clusterNetns(l, names), ['podnet-t-node1-a', 'podnet-t-node1', 'podnet-t-cp2', 'podnet-t-cp1']);
});

test('stopRank: agents and the rest, then API servers, etcd last', () => {
  const names = ['etcd2', 'apiserver2', 't-node1', 'apiserver', 'console', 'etcd1'];
  assert.deepEqual(
    names.sort((a, b) => stopRank(a) - stopRank(b) || a.localeCompare(b)),
    ['console', 't-node1', 'apiserver', 'apiserver2', 'etcd1', 'etcd2'],
  );
});
