import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentProcess, apiserverProcess } from './commands.js';
import { planLayout } from './layout.js';
import { redact } from './supervisor.js';

test('agent argv passes a token that starts with "-" as one --token=T argument, and logs redact it', () => {
  const layout = planLayout({ name: 't', stateDir: '/s', subnet: '10.250.1.0/24', backend: 'vxlan', nodes: 1 });
  const { argv } = agentProcess(layout, layout.nodes[0]!, {
    node: '/usr/bin/node',
    entry: '/p/bin/podnet',
    token: '-abc_123',
    caPath: '/s/pki/ca.crt',
  });
  assert.ok(argv.includes('--token=-abc_123'), argv.join(' '));
  assert.ok(!argv.includes('--token'));
  assert.deepEqual(
    argv.map(redact).filter((a) => a.includes('abc')),
    [],
  );
  assert.deepEqual(['x', '--token', 'secret'].map(redact), ['x', '--token', '<redacted>']);
});

test("the API server gets exactly the shape flags up was given, so a rerun's command line is the same", () => {
  const bin = { node: '/usr/bin/node', entry: '/p/bin/podnet' };
  const plain = planLayout({ stateDir: '/s', subnet: '10.250.1.0/24', backend: 'vxlan', nodes: 1 });
  assert.ok(!apiserverProcess(plain, bin).argv.some((a) => a.includes('cidr')));
  const shaped = planLayout({
    stateDir: '/s',
    subnet: '10.250.1.0/24',
    backend: 'vxlan',
    nodes: 1,
    cluster: {
      clusterCidr: '10.200.0.0/16',
      serviceCidr: '10.100.0.0/16',
      nodePortRange: { first: 20000, last: 20999 },
    },
  });
  assert.deepEqual(apiserverProcess(shaped, bin).argv.slice(-6), [
    '--cluster-cidr',
    '10.200.0.0/16',
    '--service-cidr',
    '10.100.0.0/16',
    '--service-node-port-range',
    '20000-20999',
  ]);
});
