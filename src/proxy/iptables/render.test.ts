import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProxyState } from '../model.js';
import { scenarioState } from '../scenario.js';
import { NODE, slice, svc, tcp } from '../testdata.js';
import { chainsInSave, renderIptables, restoreText } from './render.js';

test('iptables: three endpoints spread 1/3, 1/2, rest; SEP chains DNAT and mark hairpin', () => {
  const state = buildProxyState(
    [svc('a', { clusterIP: '10.96.0.20', ports: [tcp(80)] })],
    [slice('a', [{ port: 80 }], ['10.244.2.1', '10.244.2.2', '10.244.2.3'])],
    NODE,
  );
  const r = renderIptables(state);
  const svcChain = [...r.nat.chains.keys()].find((c) => c.startsWith('KUBE-SVC-'))!;
  const rules = r.nat.chains.get(svcChain)!;
  assert.match(rules[0]!, /! -s 10\.244\.0\.0\/16 -d 10\.96\.0\.20\/32 -p tcp -m tcp --dport 80 .* -j KUBE-MARK-MASQ$/);
  assert.deepEqual(
    rules.slice(1).map((x) => /--probability (\S+)/.exec(x)?.[1] ?? 'rest'),
    ['0.3333333333', '0.5000000000', 'rest'],
  );
  const seps = [...r.nat.chains.keys()].filter((c) => c.startsWith('KUBE-SEP-'));
  assert.equal(seps.length, 3);
  assert.match(
    r.nat.chains.get(seps[0]!)!.join('\n'),
    /-s 10\.244\.2\.\d\/32 -j KUBE-MARK-MASQ\n.*-j DNAT --to-destination 10\.244\.2\.\d:80/,
  );
});

test('iptables: no endpoints -> filter REJECT (tcp reset); unallocated -> DROP; Local with none here -> DROP', () => {
  const r = renderIptables(scenarioState());
  const f = r.filter.chains.get('KUBE-SERVICES')!.join('\n');
  assert.match(f, /-d 10\.96\.0\.11\/32 -p tcp -m tcp --dport 80 .* -j REJECT --reject-with tcp-reset/);
  assert.match(f, /-d 192\.168\.0\.11\/32 -p tcp -m tcp --dport 30084 .* -j DROP/);
  assert.match(f, /-d 10\.96\.0\.15\/32 -p tcp -m tcp --dport 80 .* -j DROP/);
  assert.match(f.split('\n').at(-1)!, /-d 10\.96\.0\.0\/12 .* -j DROP$/);
  assert.match(r.nat.chains.get('KUBE-SERVICES')!.at(-1)!, /-d 192\.168\.0\.11\/32 .* -j KUBE-NODEPORTS$/);
  const affinity = [...r.nat.chains.values()].flat().filter((x) => x.includes('--rcheck --seconds 30'));
  assert.equal(affinity.length, 2, 'one affinity check per endpoint of the ClientIP service');
});

test('iptables restore text rewrites our chains, deletes stale ones, never declares built-ins', () => {
  const r = renderIptables(scenarioState());
  const text = restoreText(r, { nat: ['PREROUTING', 'KUBE-SEP-OLD', 'KUBE-SERVICES'], filter: ['INPUT'] });
  assert.match(text, /^:KUBE-SEP-OLD - \[0:0\]$/m);
  assert.match(text, /^-X KUBE-SEP-OLD$/m);
  assert.doesNotMatch(text, /^:(PREROUTING|INPUT|OUTPUT|POSTROUTING|FORWARD) /m);
  assert.deepEqual(chainsInSave('*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SVC-X - [0:0]\nCOMMIT\n'), [
    'PREROUTING',
    'KUBE-SVC-X',
  ]);
});
