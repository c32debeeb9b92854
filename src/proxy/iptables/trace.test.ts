import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProxyState } from '../model.js';
import { summarize } from '../nft/trace.js';
import { NODE_IP, POD_HERE, scenarioState, TRACE_CASES } from '../scenario.js';
import { NODE, slice, svc, tcp } from '../testdata.js';
import { renderIptables, restoreText } from './render.js';
import { parseRestore, traceIpt } from './trace.js';

const env = { nodeIps: NODE.ips };
const none = { nat: [], filter: [] };

describe('iptables rules, traced (the same cases as nftables)', () => {
  const text = restoreText(renderIptables(scenarioState()), none);
  const tables = parseRestore(text);
  // Every case of the shared table runs; none depends on an nftables-only feature.
  for (const c of TRACE_CASES) {
    test(c.name, () => {
      const out = traceIpt(
        tables,
        { src: c.src, dst: c.dst, port: c.port, proto: c.proto ?? 'tcp', fromLocal: c.fromLocal ?? false },
        env,
      );
      assert.equal(summarize(out), c.want);
    });
  }

  test('hairpin: only the branch back to the client itself is masqueraded', () => {
    const out = traceIpt(
      tables,
      { src: '10.244.1.2', dst: '10.96.0.10', port: 80, proto: 'tcp', fromLocal: false },
      env,
    );
    assert.deepEqual(out.map((o) => [o.dnat, o.masquerade]).sort(), [
      ['10.244.1.2:8080', true],
      ['10.244.2.2:8080', false],
    ]);
  });

  test("ClientIP affinity: once a client is in an endpoint's recent list it goes only there", () => {
    const pkt = { src: POD_HERE, dst: '10.96.0.12', port: 80, proto: 'tcp' as const, fromLocal: false };
    const first = traceIpt(tables, pkt, env);
    assert.equal(summarize(first), 'DNAT 10.244.1.3:80,10.244.2.3:80');
    const chosen = first.find((o) => o.dnat === '10.244.2.3:80')!;
    assert.equal(chosen.updates.length, 1, 'the endpoint chain records the client');
    const pinned = { ...env, affinity: { [chosen.updates[0]!]: [POD_HERE] } };
    assert.equal(summarize(traceIpt(tables, pkt, pinned)), 'DNAT 10.244.2.3:80');
    assert.equal(
      summarize(traceIpt(tables, { ...pkt, src: '10.244.1.77' }, pinned)),
      'DNAT 10.244.1.3:80,10.244.2.3:80',
      'other clients are not pinned',
    );
  });

  test('a rule the tracer does not understand fails', () => {
    const bad = text.replace(/^(-A KUBE-SERVICES .*)$/m, '-A KUBE-SERVICES -m limit --limit 5/s -j KUBE-MARK-MASQ\n$1');
    assert.throws(() => parseRestore(bad), /does not understand/);
    const badTarget = text.replace(/^(-A KUBE-SERVICES .*)$/m, '-A KUBE-SERVICES -j LOG\n$1');
    assert.throws(() => parseRestore(badTarget), /does not understand/);
    assert.throws(() => parseRestore(text.replace(/--dport 80 /, '--sport 80 ')), /does not understand/);
  });

  test('stale chains in the restore text are emptied and deleted', () => {
    const t = parseRestore(restoreText(renderIptables(scenarioState()), { nat: ['KUBE-SEP-OLD'], filter: [] }));
    assert.equal(t.nat.has('KUBE-SEP-OLD'), false);
  });
});

test('iptables: the tracer reaches a ClusterIP from the node after endpoints appear', () => {
  const services = [svc('a', { clusterIP: '10.96.0.20', ports: [tcp(80)] })];
  const pkt = { src: NODE_IP, dst: '10.96.0.20', port: 80, proto: 'tcp' as const, fromLocal: true };
  const before = parseRestore(restoreText(renderIptables(buildProxyState(services, [], NODE)), none));
  const after = parseRestore(
    restoreText(renderIptables(buildProxyState(services, [slice('a', [{ port: 80 }], ['10.244.2.1'])], NODE)), none),
  );
  assert.equal(summarize(traceIpt(before, pkt, env)), 'REJECT');
  assert.equal(summarize(traceIpt(after, pkt, env)), 'DNAT 10.244.2.1:80 masq');
});
