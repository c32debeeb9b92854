import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalCidr,
  cidrContains,
  cidrsOverlap,
  ipv4ToNumber,
  isIpv4,
  numberToIpv4,
  parseIpv4Cidr,
  tryParseCidr,
} from './ipv4.js';

test('ipv4ToNumber and numberToIpv4 round-trip; anything else is undefined', () => {
  for (const [ip, n] of [
    ['0.0.0.0', 0],
    ['10.96.0.10', 0x0a60000a],
    ['255.255.255.255', 0xffffffff],
    ['192.168.0.11', 0xc0a8000b],
  ] as const) {
    assert.equal(ipv4ToNumber(ip), n, ip);
    assert.equal(numberToIpv4(n), ip, ip);
  }
  assert.equal(numberToIpv4(0xc0a8000b | 0), '192.168.0.11', 'a signed int32 prints the same');
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', 'a.b.c.d', '1.2.3.4/32', '::1']) {
    assert.equal(ipv4ToNumber(bad), undefined, bad);
    assert.equal(isIpv4(bad), false, bad);
  }
});

test('parseIpv4Cidr masks the address; invalid CIDRs throw, tryParseCidr says undefined', () => {
  assert.deepEqual(parseIpv4Cidr('10.244.1.7/24'), { base: 0x0af40100, prefix: 24, size: 256 });
  assert.deepEqual(parseIpv4Cidr('0.0.0.0/0'), { base: 0, prefix: 0, size: 2 ** 32 });
  assert.equal(canonicalCidr('10.244.1.7/24'), '10.244.1.0/24');
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0.0/x', 'fd00::/64']) {
    assert.throws(() => parseIpv4Cidr(bad), /invalid CIDR/, bad);
    assert.equal(tryParseCidr(bad), undefined, bad);
  }
});

test('cidrContains: a CIDR or an address inside another', () => {
  assert.throws(() => cidrContains('10.0.0.0/8', 'example.com'), /invalid CIDR/);
  for (const [outer, inner, want] of [
    ['10.244.0.0/16', '10.244.3.0/24', true],
    ['10.244.0.0/16', '10.245.0.0/24', false],
    ['10.244.0.0/16', '10.0.0.0/8', false],
    ['192.168.0.0/24', '192.168.0.7', true],
    ['192.168.0.0/24', '192.168.1.7', false],
    ['127.0.0.0/8', '127.0.0.1', true],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['10.96.0.10', '10.96.0.10', true],
    ['10.96.0.10', '10.96.0.11', false],
  ] as const)
    assert.equal(cidrContains(outer, inner), want, `${outer} contains ${inner}`);
});

test('cidrsOverlap is symmetric', () => {
  const table: [string, string, boolean][] = [
    ['10.250.3.0/24', '10.250.3.0/24', true],
    ['10.250.3.0/24', '10.250.0.0/16', true],
    ['10.250.3.7/32', '10.250.3.0/24', true],
    ['10.250.3.0/24', '10.250.4.0/24', false],
    ['192.0.2.0/24', '10.250.3.0/24', false],
    ['0.0.0.0/0', '10.250.3.0/24', true],
  ];
  for (const [a, b, want] of table) {
    assert.equal(cidrsOverlap(a, b), want, `${a} ${b}`);
    assert.equal(cidrsOverlap(b, a), want, `${b} ${a}`);
  }
});
