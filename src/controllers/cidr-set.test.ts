import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CidrSet, parseCidr } from './cidr-set.js';

test('hands out /24s in order, never one that is occupied, and reuses released ones last', () => {
  const s = new CidrSet('10.244.0.0/16');
  assert.equal(s.size, 256);
  assert.ok(s.occupy('10.244.1.0/24'));
  assert.deepEqual(
    [s.allocateNext(), s.allocateNext(), s.allocateNext()],
    ['10.244.0.0/24', '10.244.2.0/24', '10.244.3.0/24'],
  );
  s.release('10.244.0.0/24');
  assert.equal(s.allocateNext(), '10.244.4.0/24', 'round robin: a just-freed subnet is not handed out again at once');
});

test('foreign or malformed CIDRs are not ours', () => {
  const s = new CidrSet('10.244.0.0/16');
  for (const c of ['10.245.0.0/24', '10.244.0.0/25', '10.244.0.128/24', 'nonsense', '10.244.300.0/24'])
    assert.equal(s.occupy(c), false, c);
  assert.equal(s.allocated, 0);
});

test('a full set returns undefined', () => {
  const s = new CidrSet('10.0.0.0/30', 31);
  assert.equal(s.allocateNext(), '10.0.0.0/31');
  assert.equal(s.allocateNext(), '10.0.0.2/31');
  assert.equal(s.allocateNext(), undefined);
});

test('bad configuration fails with a clear message', () => {
  assert.throws(() => parseCidr('10.244.0.0'), /invalid CIDR "10.244.0.0"/);
  assert.throws(() => new CidrSet('10.244.0.0/16', 8), /does not fit/);
});
