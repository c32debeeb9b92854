import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bridgeName,
  clusterHash,
  clusterNameProblem,
  hostVethName,
  isClusterLink,
  MAX_NODES,
  nodeName,
  nodeNetns,
  ownerOfNetns,
} from './names.js';

test('cluster names: DNS-ish, no node<N> part', () => {
  const table: [string, boolean][] = [
    ['dev', true],
    ['t1', true],
    ['t-abc1', true],
    ['a'.repeat(30), true],
    ['', false],
    ['1abc', false],
    ['Dev', false],
    ['a_b', false],
    ['a-', false],
    ['-a', false],
    ['a--b', false],
    ['a'.repeat(31), false],
    ['node1', false],
    ['x-node2', false],
    ['node1-x', false],
    ['nodes', true],
    ['xnode1', true],
  ];
  for (const [name, ok] of table) assert.equal(clusterNameProblem(name) === undefined, ok, name);
});

test('link names fit in 15 characters and differ per cluster', () => {
  const a = clusterHash('a'),
    b = clusterHash('b'),
    d = clusterHash(undefined);
  assert.equal(new Set([a, b, d]).size, 3);
  assert.match(a, /^[0-9a-f]{5}$/);
  assert.equal(clusterHash('a'), a, 'stable');
  assert.equal(bridgeName(a), `podnet${a}`);
  assert.ok(hostVethName(a, MAX_NODES).length <= 15);
  assert.throws(() => hostVethName(a, 1000), /longer than 15/);
});

test("isClusterLink matches only this cluster's bridge and veths", () => {
  const h = 'ab12c';
  const table: [string, boolean][] = [
    ['podnetab12c', true],
    ['podnetab12cv1', true],
    ['podnetab12cv240', true],
    ['podnetab12cc3', true], // control-plane namespace 3 (--store etcd)
    ['podnetab12cc', false],
    ['podnetab12d', false],
    ['podnetab12cx', false],
    ['podnetab12cv', false],
    ['eth0', false],
    ['podnetdoc1a2b', false],
  ];
  for (const [link, ok] of table) assert.equal(isClusterLink(h, link), ok, link);
});

test('node names and their netns', () => {
  assert.equal(nodeName(undefined, 3), 'node3');
  assert.equal(nodeName('t1', 3), 't1-node3');
  assert.equal(nodeNetns('t1-node3'), 'podnet-t1-node3');
});

test('ownerOfNetns tells node netns from pod netns, across clusters', () => {
  const table: [string, { node: string; pod: boolean } | undefined][] = [
    ['podnet-node1', { node: 'node1', pod: false }],
    ['podnet-node1-web-1a2b', { node: 'node1', pod: true }],
    ['podnet-t1-node2', { node: 't1-node2', pod: false }],
    ['podnet-t1-node2-abc', { node: 't1-node2', pod: true }],
    ['podnet-t1-node2-node3-x', { node: 't1-node2', pod: true }],
    ['podnet-t1', undefined],
    ['podnetdoc1234', undefined],
    ['cni-1234', undefined],
  ];
  for (const [ns, want] of table) assert.deepEqual(ownerOfNetns(ns), want, ns);
});
