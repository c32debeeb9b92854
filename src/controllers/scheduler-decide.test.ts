import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { filterNodes, needsScheduling, pickNode, tolerates, unschedulableMessage } from './scheduler-decide.js';
import { node, pod } from './testdata.js';
import type { Pod } from './types.js';

describe('needsScheduling', () => {
  const cases: [string, Pod, boolean][] = [
    ['pending pod', pod('a'), true],
    ['bound pod', pod('a', { node: 'n1' }), false],
    ['other scheduler', { ...pod('a'), spec: { schedulerName: 'custom' } }, false],
    ['being deleted', pod('a', { deleting: true }), false],
    ['finished', pod('a', { phase: 'Failed' }), false],
  ];
  for (const [name, p, want] of cases) test(name, () => assert.equal(needsScheduling(p), want));
});

describe('tolerates', () => {
  const taint = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
  const cases: [string, Parameters<typeof tolerates>[0], boolean][] = [
    ['same key, value, effect', { key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }, true],
    ['other value', { key: 'dedicated', value: 'web' }, false],
    ['Exists on the key', { key: 'dedicated', operator: 'Exists' }, true],
    ['Exists with empty key tolerates everything', { operator: 'Exists' }, true],
    ['other effect', { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, false],
  ];
  for (const [name, t, want] of cases) test(name, () => assert.equal(tolerates(t, taint), want));
});

describe('filterNodes and the unschedulable message', () => {
  test("kube's message lists each reason with its count, sorted", () => {
    const nodes = [
      node('n1', { unschedulable: true }),
      node('n2', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
      node('n3', { labels: { disk: 'hdd' } }),
      node('n4', { ready: 'Unknown' }),
      node('n5', { ready: 'False' }),
    ];
    const p: Pod = { ...pod('a'), spec: { nodeSelector: { disk: 'ssd' } } };
    const { feasible, reasons } = filterNodes(p, nodes);
    assert.deepEqual(feasible, []);
    assert.equal(
      unschedulableMessage(nodes.length, reasons),
      "0/5 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: db}, " +
        '1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, ' +
        '1 node(s) were unschedulable. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.',
    );
  });

  test('matching nodeSelector and tolerated taints pass; no nodes at all has its own message', () => {
    const p: Pod = {
      ...pod('a'),
      spec: { nodeSelector: { disk: 'ssd' }, tolerations: [{ key: 'dedicated', operator: 'Exists' }] },
    };
    const { feasible } = filterNodes(p, [
      node('n1', { labels: { disk: 'ssd' }, taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] }),
      node('n2'),
    ]);
    assert.deepEqual(
      feasible.map((n) => n.metadata.name),
      ['n1'],
    );
    assert.equal(unschedulableMessage(0, new Map()), 'no nodes available to schedule pods');
  });

  test('PreferNoSchedule taints do not filter', () => {
    assert.equal(
      filterNodes(pod('a'), [node('n1', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] })]).feasible.length,
      1,
    );
  });
});

describe('pickNode spreads a group', () => {
  const nodes = [node('n1'), node('n2'), node('n3')];
  test('fewest pods of the same group first, then fewest pods, then name', () => {
    const on: Record<string, Pod[]> = {
      n1: [pod('x1', { owner: 'rs1' })],
      n2: [pod('y1', { owner: 'rs2' }), pod('y2', { owner: 'rs2' })],
      n3: [pod('x2', { owner: 'rs1' })],
    };
    assert.equal(pickNode(pod('new', { owner: 'rs1' }), nodes, (n) => on[n] ?? [])!.metadata.name, 'n2');
    assert.equal(pickNode(pod('new', { owner: 'rs2' }), nodes, (n) => on[n] ?? [])!.metadata.name, 'n1');
    assert.equal(pickNode(pod('new', { owner: 'rs3' }), nodes, () => [])!.metadata.name, 'n1');
  });

  test('placing 6 pods one by one puts 2 on each node', () => {
    const on: Record<string, Pod[]> = { n1: [], n2: [], n3: [] };
    for (let i = 0; i < 6; i++) {
      const p = pod(`p${i}`, { labels: { app: 'web' } });
      on[pickNode(p, nodes, (n) => on[n]!)!.metadata.name!]!.push(p);
    }
    assert.deepEqual(
      Object.values(on).map((l) => l.length),
      [2, 2, 2],
    );
  });
});
