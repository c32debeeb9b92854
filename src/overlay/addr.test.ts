import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUnicastMac, networkAddress, vtepAddressFor, vtepMacFor } from './addr.js';
import { backendMtu } from './mtu.js';
import { underlayFromAddrs } from './underlay.js';
import { vxlanMismatches } from './vxlan-device.js';

test('addresses: network address, VTEP /32', () => {
  assert.equal(networkAddress('10.244.1.0/24'), '10.244.1.0');
  assert.equal(vtepAddressFor('10.244.1.9/24'), '10.244.1.0/32');
});

test('vtepMacFor: stable, locally administered unicast, distinct per IP', () => {
  assert.equal(vtepMacFor('192.168.0.11'), '0e:70:c0:a8:00:0b');
  assert.equal(isUnicastMac(vtepMacFor('10.0.0.1')), true);
  assert.notEqual(vtepMacFor('10.0.0.1'), vtepMacFor('10.0.0.2'));
  assert.equal(isUnicastMac('01:00:5e:00:00:01'), false);
  assert.throws(() => vtepMacFor('nope'), /IPv4/);
});

test('backendMtu: vxlan loses 50 bytes, host-gw none', () => {
  assert.equal(backendMtu('vxlan'), 1450);
  assert.equal(backendMtu('host-gw'), 1500);
  assert.equal(backendMtu('vxlan', 9001), 8951);
});

test('underlayFromAddrs finds the interface holding the public IP', () => {
  const json = [
    { ifname: 'lo', mtu: 65536, addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }] },
    {
      ifname: 'eth0',
      mtu: 9000,
      addr_info: [
        { family: 'inet6', local: 'fe80::1', prefixlen: 64 },
        { family: 'inet', local: '192.168.0.11', prefixlen: 24 },
      ],
    },
  ];
  assert.deepEqual(underlayFromAddrs(json, '192.168.0.11'), { dev: 'eth0', mtu: 9000, cidr: '192.168.0.0/24' });
  assert.equal(underlayFromAddrs(json, '192.168.0.12'), undefined);
});

test('vxlanMismatches: keeps a matching device, names every difference otherwise', () => {
  const spec = { local: '192.168.0.11', underlayDev: 'eth0', mac: '0e:70:c0:a8:00:0b', mtu: 1450 };
  const ok = {
    linkinfo: {
      info_kind: 'vxlan',
      info_data: { id: 1, local: '192.168.0.11', port: 8472, learning: false, link: 'eth0' },
    },
  };
  assert.deepEqual(vxlanMismatches(ok, spec), []);
  assert.deepEqual(
    vxlanMismatches(
      {
        linkinfo: {
          info_kind: 'vxlan',
          info_data: { id: 2, local: '10.0.0.1', port: 4789, learning: true, link: 'eth1' },
        },
      },
      spec,
    ),
    [
      'VNI 2, want 1',
      'port 4789, want 8472',
      'local 10.0.0.1, want 192.168.0.11',
      'learning on, want off',
      'underlay eth1, want eth0',
    ],
  );
  assert.deepEqual(vxlanMismatches({ linkinfo: { info_kind: 'bridge' } }, spec), ['it is a bridge device, not vxlan']);
});
