import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipMasqRuleset } from './ip-masq.js';

test('ip-masq: pod traffic leaving the cluster network is masqueraded, pod-to-pod is not', () => {
  const rules = ipMasqRuleset('10.244.0.0/16').split('\n');
  const chain = rules.filter((l) => l.startsWith('    ')).map((l) => l.trim());
  assert.deepEqual(chain, [
    'type nat hook postrouting priority srcnat + 10; policy accept;',
    'ip saddr 10.244.0.0/16 ip daddr 10.244.0.0/16 return',
    'ip saddr 10.244.0.0/16 ip daddr != 224.0.0.0/4 masquerade fully-random',
  ]);
  // Replaced whole in one transaction: made if missing, deleted, made again.
  assert.deepEqual(rules.slice(0, 3), [
    'table ip podnet-masq {}',
    'delete table ip podnet-masq',
    'table ip podnet-masq {',
  ]);
});

test("ip-masq: traffic to the cluster's nodes keeps the pod's address", () => {
  const chain = ipMasqRuleset('10.244.0.0/16', ['192.168.5.2', '192.168.5.3'])
    .split('\n')
    .filter((l) => l.startsWith('    '))
    .map((l) => l.trim());
  assert.deepEqual(chain.slice(1, 4), [
    'ip saddr 10.244.0.0/16 ip daddr 10.244.0.0/16 return',
    'ip saddr 10.244.0.0/16 ip daddr { 192.168.5.2, 192.168.5.3 } return',
    'ip saddr 10.244.0.0/16 ip daddr != 224.0.0.0/4 masquerade fully-random',
  ]);
});
