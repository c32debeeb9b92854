import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StateLayout } from './layout.js';
import { podNetnsName, sandboxIdFor } from './names.js';

describe('names', () => {
  const table: [string, string, string][] = [
    ['node-1', '1f0c2a4b-9d3e-4c5f-8a6b-7c8d9e0f1a2b', 'podnet-node-1-1f0c2a4b9d3e'],
    ['n', 'abc', 'podnet-n-abc'],
  ];
  for (const [node, uid, want] of table)
    test(`netns for ${node}/${uid}`, () => assert.equal(podNetnsName(node, uid), want));
  test('bad inputs are refused before they reach a path or a command', () => {
    assert.throws(() => podNetnsName('node', '../etc'), /invalid pod UID/);
    assert.throws(() => podNetnsName('Node_1', 'abc'), /invalid node name/);
    assert.throws(() => sandboxIdFor(''), /invalid pod UID/);
  });
  test('sandbox ID', () => assert.equal(sandboxIdFor('1f0c2a4b-9d3e'), '1f0c2a4b9d3e'));
  test('layout', () => {
    const L = new StateLayout('/var/lib/podnet/runtime');
    assert.equal(L.logPath('u-1', 'web', 2), '/var/lib/podnet/runtime/sandboxes/u-1/containers/web/2/log');
    assert.equal(L.ipamDataDir, '/var/lib/podnet/runtime/cni/networks');
    assert.throws(() => L.containerDir('u-1', 'Web', 0), /invalid container name/);
    assert.throws(() => L.containerDir('u-1', 'web', -1), /invalid container attempt/);
    assert.throws(() => new StateLayout('relative'), /absolute/);
  });
});
