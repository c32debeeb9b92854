import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CniPluginError, parseCniError, parseCniResult, podIPv4 } from './result.js';

const bridgeResult = {
  cniVersion: '1.0.0',
  interfaces: [
    { name: 'cni0', mac: 'aa:aa:aa:aa:aa:aa' },
    { name: 'veth1234', mac: 'bb:bb:bb:bb:bb:bb' },
    { name: 'eth0', mac: 'cc:cc:cc:cc:cc:cc', sandbox: '/run/netns/p' },
  ],
  ips: [{ interface: 2, address: '10.250.3.2/24', gateway: '10.250.3.1' }],
  routes: [{ dst: '0.0.0.0/0' }],
  dns: {},
};

describe('parseCniResult', () => {
  test('a bridge result round-trips', () => {
    assert.deepEqual(parseCniResult('bridge', JSON.stringify(bridgeResult)), bridgeResult);
  });
  const bad: [string, string, RegExp][] = [
    ['not JSON', 'oops', /not JSON/],
    ['no version', '{}', /missing cniVersion/],
    ['ips not a list', '{"cniVersion":"1.0.0","ips":{}}', /ips is not a list/],
    ['address without prefix', '{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2"}]}', /not a CIDR/],
    [
      'dangling interface index',
      '{"cniVersion":"1.0.0","interfaces":[],"ips":[{"address":"10.0.0.2/24","interface":0}]}',
      /points at no interface/,
    ],
    ['route without dst', '{"cniVersion":"1.0.0","routes":[{"gw":"1.2.3.4"}]}', /has no dst/],
  ];
  for (const [name, out, err] of bad)
    test(`rejects ${name}`, () => assert.throws(() => parseCniResult('bridge', out), err));
});

describe('podIPv4', () => {
  test('address on the sandbox interface', () => assert.equal(podIPv4(bridgeResult, 'eth0'), '10.250.3.2'));
  test('other ifname: none', () => assert.equal(podIPv4(bridgeResult, 'net1'), undefined));
  test('IPv6 skipped, entry without interface accepted', () => {
    assert.equal(
      podIPv4({ cniVersion: '1.0.0', ips: [{ address: 'fd00::2/64' }, { address: '10.1.1.5/24' }] }, 'eth0'),
      '10.1.1.5',
    );
  });
});

describe('parseCniError', () => {
  test('a CNI error object', () => {
    const e = parseCniError(
      'host-local',
      'ADD',
      1,
      '{"cniVersion":"1.0.0","code":7,"msg":"bad subnet","details":"10.0.0.0/33"}',
      '',
    );
    assert.ok(e instanceof CniPluginError);
    assert.equal(e.code, 7);
    assert.equal(
      e.message,
      'CNI plugin host-local ADD failed with code 7 (invalid network config): bad subnet — 10.0.0.0/33',
    );
  });
  test('try again later is retryable', () =>
    assert.equal(parseCniError('x', 'ADD', 1, '{"code":11,"msg":"busy"}', '').retryable, true));
  test('plugin-specific code', () =>
    assert.match(parseCniError('bridge', 'DEL', 1, '{"code":999,"msg":"boom"}', '').message, /code 999: boom$/));
  test('no error object: stderr is shown', () => {
    const e = parseCniError('bridge', 'ADD', 2, '', 'panic: runtime error\n');
    assert.equal(e.code, -1);
    assert.match(e.message, /exited 2 without a CNI error object — panic: runtime error/);
  });
});
