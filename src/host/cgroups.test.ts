import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensurePodsCgroupCpu, sharesToWeight } from './cgroups.js';

test('cpu.shares to cpu.weight as runc and the kubelet convert them', () => {
  const cases: [number, number][] = [
    [2, 1],
    [1024, 39],
    [2048, 79],
    [262144, 10000],
  ];
  for (const [shares, weight] of cases) assert.equal(sharesToWeight(shares), weight, `shares ${shares}`);
});

test("the pods' cgroup gets the node's CPUs as its weight, on cgroup v1 and v2", (t) => {
  const root = mkdtempSync(join(tmpdir(), 'podnet-cgroups-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const v1 = join(root, 'v1');
  mkdirSync(join(v1, 'cpu'), { recursive: true });
  assert.equal(ensurePodsCgroupCpu(2, v1), undefined);
  assert.equal(readFileSync(join(v1, 'cpu', 'podnet', 'cpu.shares'), 'utf8'), '2048');

  const v2 = join(root, 'v2');
  mkdirSync(v2);
  writeFileSync(join(v2, 'cgroup.controllers'), 'cpu memory pids\n');
  assert.equal(ensurePodsCgroupCpu(2, v2), undefined);
  assert.equal(readFileSync(join(v2, 'podnet', 'cpu.weight'), 'utf8'), '79');

  // A hierarchy it cannot write to is reported, not thrown.
  const broken = join(root, 'broken');
  mkdirSync(broken);
  writeFileSync(join(broken, 'cpu'), 'not a directory');
  assert.match(ensurePodsCgroupCpu(2, broken) ?? '', /cannot set .*cpu\.shares to 2048/);
});
