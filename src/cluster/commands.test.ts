import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentProcess } from './commands.js';
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
