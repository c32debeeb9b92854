import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { confListForPod, podMtuFor, renderLoopbackConfList, renderPodNetworkConfList } from './conflist.js';

describe('renderPodNetworkConfList', () => {
  test('bridge + host-local + portmap for the node', () => {
    assert.deepEqual(
      renderPodNetworkConfList({ podCIDR: '10.244.1.0/24', mtu: 1450, ipamDataDir: '/var/lib/podnet/cni/networks' }),
      {
        cniVersion: '1.0.0',
        name: 'podnet',
        plugins: [
          {
            type: 'bridge',
            bridge: 'cni0',
            isGateway: true,
            ipMasq: false,
            hairpinMode: true,
            mtu: 1450,
            ipam: {
              type: 'host-local',
              ranges: [[{ subnet: '10.244.1.0/24' }]],
              routes: [{ dst: '0.0.0.0/0' }],
              dataDir: '/var/lib/podnet/cni/networks',
            },
          },
          { type: 'portmap', capabilities: { portMappings: true } },
        ],
      },
    );
  });
  const bad: [string, { podCIDR: string; mtu: number; ipamDataDir: string }, RegExp][] = [
    ['missing podCIDR', { podCIDR: '', mtu: 1450, ipamDataDir: '/x' }, /invalid podCIDR/],
    ['IPv6 podCIDR', { podCIDR: 'fd00::/64', mtu: 1450, ipamDataDir: '/x' }, /invalid podCIDR/],
    ['MTU out of range', { podCIDR: '10.0.0.0/24', mtu: 100, ipamDataDir: '/x' }, /invalid pod MTU/],
    ['relative data dir', { podCIDR: '10.0.0.0/24', mtu: 1500, ipamDataDir: 'x' }, /must be absolute/],
  ];
  for (const [name, facts, err] of bad)
    test(`rejects ${name}`, () => assert.throws(() => renderPodNetworkConfList(facts), err));
  test('MTU per backend', () => {
    assert.equal(podMtuFor('vxlan'), 1450);
    assert.equal(podMtuFor('host-gw'), 1500);
  });
  test('loopback network', () => {
    assert.deepEqual(renderLoopbackConfList(), {
      cniVersion: '1.0.0',
      name: 'cni-loopback',
      plugins: [{ type: 'loopback' }],
    });
  });
});

describe('confListForPod', () => {
  const list = renderPodNetworkConfList({
    podCIDR: '10.244.1.0/24',
    mtu: 1450,
    ipamDataDir: '/var/lib/podnet/cni/networks',
  });
  test('keeps portmap only for pods that map a hostPort', () => {
    const cases: [number, string[]][] = [
      [0, ['bridge']],
      [1, ['bridge', 'portmap']],
      [3, ['bridge', 'portmap']],
    ];
    for (const [hostPorts, want] of cases)
      assert.deepEqual(
        confListForPod(list, hostPorts).plugins.map((p) => p.type),
        want,
        `${hostPorts} hostPorts`,
      );
    assert.equal(list.plugins.length, 2, 'the node list is not changed');
  });
});
