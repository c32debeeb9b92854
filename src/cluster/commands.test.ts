import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentProcess, apiserverProcess } from './commands.js';
import { planLayout } from './layout.js';
import { redact } from './supervisor.js';

test('agent argv names a kubeconfig file and holds no token', () => {
  const layout = planLayout({ name: 't', stateDir: '/s', subnet: '10.250.1.0/24', backend: 'vxlan', nodes: 1 });
  const { argv } = agentProcess(layout, layout.nodes[0]!, {
    node: '/usr/bin/node',
    entry: '/p/bin/podnet',
    kubeconfig: '/s/nodes/n1/kubeconfig',
    caPath: '/s/pki/ca.crt',
  });
  assert.equal(argv[argv.indexOf('--kubeconfig') + 1], '/s/nodes/n1/kubeconfig');
  assert.ok(!argv.some((a) => a.startsWith('--token')), argv.join(' '));
});

test('logs redact a token passed on a command line by hand', () => {
  assert.deepEqual(['x', '--token', 'secret'].map(redact), ['x', '--token', '<redacted>']);
  assert.deepEqual(['--token=-abc'].map(redact), ['--token=<redacted>']);
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

test('agents run the recorded runtime: runc for a new cluster, process for one recorded before that default', () => {
  const bin = { node: '/usr/bin/node', entry: '/p/bin/podnet', kubeconfig: '/k', caPath: '/ca' };
  const runtimeOf = (layout: ReturnType<typeof planLayout>) => {
    const { argv } = agentProcess(layout, layout.nodes[0]!, bin);
    return argv[argv.indexOf('--runtime') + 1];
  };
  const plan = (runtime?: 'runc' | 'process') =>
    planLayout({ stateDir: '/s', subnet: '10.250.1.0/24', backend: 'vxlan', nodes: 1, runtime });
  assert.equal(runtimeOf(plan()), 'runc');
  assert.equal(runtimeOf(plan('process')), 'process');
  const { runtime: _dropped, ...legacy } = plan();
  assert.equal(runtimeOf(legacy), 'process');
});
