import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostIpOf, nodeIpOf, pickNodeSubnet } from './subnet.js';

test('pickNodeSubnet skips every used prefix, starting at the seed and wrapping', () => {
  const table: [string[], number, string][] = [
    [[], 7, '10.250.7.0/24'],
    [['192.0.2.0/24', '127.0.0.0/8'], 7, '10.250.7.0/24'],
    [['10.250.7.0/24', '10.250.8.1/32'], 7, '10.250.9.0/24'],
    [['10.250.255.0/24'], 255 + 256, '10.250.0.0/24'],
    [['10.250.0.0/17'], 3, '10.250.128.0/24'],
    [['garbage', '10.250.5.0/24'], 5, '10.250.6.0/24'],
  ];
  for (const [used, seed, want] of table) assert.equal(pickNodeSubnet(used, seed), want, JSON.stringify(used));
  assert.throws(() => pickNodeSubnet(['10.250.0.0/16'], 0), /every 10\.250\.X\.0\/24 overlaps/);
});

test('host and node addresses', () => {
  assert.equal(hostIpOf('10.250.9.0/24'), '10.250.9.1');
  assert.equal(nodeIpOf('10.250.9.0/24', 1), '10.250.9.11');
  assert.equal(nodeIpOf('10.250.9.0/24', 3), '10.250.9.13');
});
