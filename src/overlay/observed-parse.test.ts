import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOwnedFdb, parseOwnedNeighs, parseOwnedRoutes } from './observed-parse.js';

test('parseOwnedRoutes keeps unicast routes inside the cluster CIDR, normalized', () => {
  // Shapes as `ip -j route show table main proto 80` prints them.
  const json = [
    { dst: '10.244.3.0/24', gateway: '10.244.3.0', dev: 'podnet.1', flags: ['onlink'] },
    { dst: '10.244.4.0/24', gateway: '192.168.0.4', dev: 'eth0', flags: [] },
    { dst: '10.244.9.9', gateway: '192.168.0.4', dev: 'eth0', flags: [], metric: 5 },
    { dst: '10.99.0.0/24', gateway: '192.168.0.4', dev: 'eth0', flags: [] },
    { type: 'blackhole', dst: '10.244.7.0/24', flags: [] },
    { dst: 'default', gateway: '192.168.0.1', dev: 'eth0', flags: [] },
  ];
  assert.deepEqual(parseOwnedRoutes(json, '10.244.0.0/16'), [
    { dst: '10.244.3.0/24', via: '10.244.3.0', dev: 'podnet.1', onlink: true },
    { dst: '10.244.4.0/24', via: '192.168.0.4', dev: 'eth0', onlink: false },
    { dst: '10.244.9.9/32', via: '192.168.0.4', dev: 'eth0', onlink: false, metric: 5 },
  ]);
});

test('parseOwnedNeighs keeps only permanent IPv4 neighbours', () => {
  const json = [
    { dst: '10.244.3.0', lladdr: '0E:70:00:00:00:03', state: ['PERMANENT'] },
    { dst: '10.244.4.0', lladdr: '0e:70:00:00:00:04', state: ['REACHABLE'] },
    { dst: '10.244.5.0', state: ['FAILED'] },
    { dst: 'fe80::1', lladdr: '0e:70:00:00:00:06', state: ['PERMANENT'] },
  ];
  assert.deepEqual(parseOwnedNeighs(json, 'podnet.1'), [
    { ip: '10.244.3.0', mac: '0e:70:00:00:00:03', dev: 'podnet.1' },
  ]);
});

test('parseOwnedFdb keeps permanent remotes with an IPv4 destination', () => {
  const json = [
    { mac: '0e:70:00:00:00:03', dst: '192.168.0.3', flags: ['self'], state: 'permanent' },
    { mac: '0e:70:00:00:00:03', dst: '192.168.0.33', flags: ['self'], state: 'permanent' },
    { mac: '0e:70:00:00:00:04', flags: ['self'], state: 'permanent' },
    { mac: '0e:70:00:00:00:05', dst: '192.168.0.5', flags: ['self'], state: '' },
  ];
  assert.deepEqual(parseOwnedFdb(json, 'podnet.1'), [
    { mac: '0e:70:00:00:00:03', dst: '192.168.0.3', dev: 'podnet.1' },
    { mac: '0e:70:00:00:00:03', dst: '192.168.0.33', dev: 'podnet.1' },
  ]);
});
