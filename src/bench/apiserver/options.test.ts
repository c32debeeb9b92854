import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOptions } from './options.js';

test('defaults are the full-scale run', () => {
  const o = parseOptions([], 'out.json');
  assert.deepEqual(
    [o.services, o.pods, o.slices * o.endpointsPerSlice, o.watchers, o.updates, o.listRuns, o.out],
    [10_000, 10_000, 100_000, 100, 500, 20, 'out.json'],
  );
  assert.equal(o.server, 'bare');
});

test('--server cli picks bin/podnet apiserver', () => {
  assert.equal(parseOptions(['--server', 'cli'], 'x').server, 'cli');
});

test('--quick scales down and explicit flags override it', () => {
  const o = parseOptions(['--quick', '--services', '300'], 'x');
  assert.equal(o.services, 300);
  assert.equal(o.pods, 1000);
  assert.equal(o.watchers, 20);
});

test('bad values name the flag', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--services', 'ten'], /--services "ten"/],
    [['--watchers', '0'], /--watchers "0": want a whole number >= 1/],
    [['--endpoints-per-slice', '5000'], /at most 1000 endpoints/],
    [['--bogus'], /bogus/],
    [['--server', 'etcd'], /--server "etcd": want bare/],
  ];
  for (const [args, re] of cases) assert.throws(() => parseOptions(args, 'x'), re, args.join(' '));
});

test('server node args split on spaces', () => {
  assert.deepEqual(parseOptions(['--server-node-args=--cpu-prof  --cpu-prof-dir=/tmp/p'], 'x').serverNodeArgs, [
    '--cpu-prof',
    '--cpu-prof-dir=/tmp/p',
  ]);
});
