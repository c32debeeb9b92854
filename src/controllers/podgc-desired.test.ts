import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orphanedPods } from './podgc-desired.js';
import type { Node, Pod } from './types.js';

const pod = (name: string, nodeName?: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { nodeName },
});
const node = (name: string): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });

test('orphans are collected only after the node has been missing for the quarantine', () => {
  const cases: {
    name: string;
    pods: Pod[];
    nodes: Node[];
    since: [string, number][];
    now: number;
    want: string[];
    wantSince: [string, number][];
  }[] = [
    {
      name: 'node present: nothing',
      pods: [pod('a', 'n1')],
      nodes: [node('n1')],
      since: [],
      now: 100_000,
      want: [],
      wantSince: [],
    },
    { name: 'unscheduled pod: nothing', pods: [pod('a')], nodes: [], since: [], now: 100_000, want: [], wantSince: [] },
    {
      name: 'node just went missing: start the clock',
      pods: [pod('a', 'gone')],
      nodes: [],
      since: [],
      now: 100_000,
      want: [],
      wantSince: [['gone', 100_000]],
    },
    {
      name: 'still within quarantine',
      pods: [pod('a', 'gone')],
      nodes: [],
      since: [['gone', 100_000]],
      now: 139_999,
      want: [],
      wantSince: [['gone', 100_000]],
    },
    {
      name: 'quarantine over: collect every pod of the node',
      pods: [pod('a', 'gone'), pod('b', 'gone'), pod('c', 'n1')],
      nodes: [node('n1')],
      since: [['gone', 100_000]],
      now: 140_000,
      want: ['a', 'b'],
      wantSince: [['gone', 100_000]],
    },
    {
      name: 'node came back: clock dropped',
      pods: [pod('a', 'back')],
      nodes: [node('back')],
      since: [['back', 1]],
      now: 140_000,
      want: [],
      wantSince: [],
    },
  ];
  for (const c of cases) {
    const r = orphanedPods(c.pods, c.nodes, new Map(c.since), c.now);
    assert.deepEqual(
      r.collect.map((p) => p.metadata.name),
      c.want,
      c.name,
    );
    assert.deepEqual([...r.missingSince], c.wantSince, c.name);
  }
});
