import { test } from 'node:test';
import assert from 'node:assert/strict';
import { staleUdpFlows } from './conntrack.js';
import { buildProxyState } from './model.js';
import { NODE, slice, svc } from './testdata.js';

const dns = svc('dns', {
  type: 'NodePort',
  clusterIP: '10.96.0.17',
  ports: [{ protocol: 'UDP', port: 53, nodePort: 30053 }],
});
const state = (...ips: string[]) =>
  buildProxyState([dns], ips.length ? [slice('dns', [{ port: 53, protocol: 'UDP' }], ips)] : [], NODE);

test('UDP endpoint replaced: flows to the old one are deleted (ClusterIP and NodePort)', () => {
  assert.deepEqual(staleUdpFlows(state('10.244.1.5'), state('10.244.2.6')), [
    ['-D', '-p', 'udp', '--orig-dst', '10.96.0.17', '--orig-port-dst', '53', '--dst-nat', '10.244.1.5'],
    ['-D', '-p', 'udp', '--orig-port-dst', '30053', '--dst-nat', '10.244.1.5'],
  ]);
});

test('UDP service from no endpoints to some: flows to the service address are cleared', () => {
  assert.deepEqual(staleUdpFlows(state(), state('10.244.2.6')), [
    ['-D', '-p', 'udp', '--orig-dst', '10.96.0.17', '--orig-port-dst', '53'],
    ['-D', '-p', 'udp', '--orig-port-dst', '30053'],
  ]);
});

test('unchanged or TCP-only changes delete nothing', () => {
  assert.deepEqual(staleUdpFlows(state('10.244.1.5'), state('10.244.1.5', '10.244.2.6')), []);
  const web = (ip: string) =>
    buildProxyState(
      [svc('web', { clusterIP: '10.96.0.5', ports: [{ port: 80 }] })],
      [slice('web', [{ port: 80 }], [ip])],
      NODE,
    );
  assert.deepEqual(staleUdpFlows(web('10.244.1.1'), web('10.244.1.2')), []);
});
