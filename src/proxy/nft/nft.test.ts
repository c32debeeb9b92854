import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProxyState } from '../model.js';
import { NODE_IP, POD_HERE, scenarioState, TRACE_CASES } from '../scenario.js';
import { NODE, slice, svc, tcp } from '../testdata.js';
import type { ProxyState } from '../types.js';
import { diffTables, fullSyncOps } from './diff.js';
import { emptyTable, type NftTable } from './model.js';
import { applyOps, opsToScript } from './ops.js';
import { renderNft } from './render.js';
import { summarize, traceNft } from './trace.js';

const env = { nodeIps: NODE.ips };

describe('nftables rules, traced', () => {
  const table = renderNft(scenarioState());
  for (const c of TRACE_CASES) {
    test(c.name, () => {
      const out = traceNft(
        table,
        { src: c.src, dst: c.dst, port: c.port, proto: c.proto ?? 'tcp', fromLocal: c.fromLocal ?? false },
        env,
      );
      assert.equal(summarize(out), c.want);
    });
  }

  test('hairpin: only the branch back to the client itself is masqueraded', () => {
    const out = traceNft(
      table,
      { src: '10.244.1.2', dst: '10.96.0.10', port: 80, proto: 'tcp', fromLocal: false },
      env,
    );
    assert.deepEqual(out.map((o) => [o.dnat, o.masquerade]).sort(), [
      ['10.244.1.2:8080', true],
      ['10.244.2.2:8080', false],
    ]);
  });

  test("ClientIP affinity: once a client is in an endpoint's set it goes only there", () => {
    const pkt = { src: POD_HERE, dst: '10.96.0.12', port: 80, proto: 'tcp' as const, fromLocal: false };
    const first = traceNft(table, pkt, env);
    assert.equal(summarize(first), 'DNAT 10.244.1.3:80,10.244.2.3:80');
    const chosen = first.find((o) => o.dnat === '10.244.2.3:80')!;
    assert.equal(chosen.updates.length, 1, 'the endpoint chain records the client');
    const again = traceNft(table, pkt, { ...env, affinity: { [chosen.updates[0]!]: [POD_HERE] } });
    assert.equal(summarize(again), 'DNAT 10.244.2.3:80');
    const other = traceNft(
      table,
      { ...pkt, src: '10.244.1.77' },
      { ...env, affinity: { [chosen.updates[0]!]: [POD_HERE] } },
    );
    assert.equal(summarize(other), 'DNAT 10.244.1.3:80,10.244.2.3:80', 'other clients are not pinned');
  });

  test('a rule the tracer does not understand fails', () => {
    const t = renderNft(scenarioState());
    t.chains.get('services')!.rules.unshift('counter');
    assert.throws(
      () => traceNft(t, { src: POD_HERE, dst: '10.96.0.10', port: 80, proto: 'tcp', fromLocal: false }, env),
      /does not understand/,
    );
  });

  test('only table ip podnet is named in the script', () => {
    const script = opsToScript(fullSyncOps(table, { chains: [], sets: [] }));
    for (const line of script.trim().split('\n'))
      assert.match(line, /^(add|flush|delete) (table|chain|rule|set|map|element) ip podnet( |$)/, line);
  });
});

/** A comparable form of a table. */
function canon(t: NftTable): unknown {
  return {
    sets: [...t.sets.values()]
      .map((s) => ({ ...s, elements: [...s.elements].sort() }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    chains: [...t.chains.values()].sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** A sequence of cluster states that adds, changes and removes services, endpoints, policies and affinity. */
function states(): ProxyState[] {
  const base = [svc('a', { clusterIP: '10.96.0.20', ports: [tcp(80)] })];
  return [
    buildProxyState([], [], NODE),
    buildProxyState(base, [], NODE),
    buildProxyState(base, [slice('a', [{ port: 80 }], ['10.244.2.1'])], NODE),
    buildProxyState(
      base,
      [slice('a', [{ port: 80 }], ['10.244.2.1', '10.244.2.2', { ip: '10.244.1.1', node: 'n1' }])],
      NODE,
    ),
    buildProxyState(
      [
        svc('a', {
          type: 'NodePort',
          clusterIP: '10.96.0.20',
          sessionAffinity: 'ClientIP',
          ports: [tcp(80, { nodePort: 30020 })],
        }),
      ],
      [slice('a', [{ port: 80 }], ['10.244.2.2', { ip: '10.244.1.1', node: 'n1' }])],
      NODE,
    ),
    buildProxyState(
      [
        svc('a', {
          type: 'NodePort',
          clusterIP: '10.96.0.20',
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } },
          externalTrafficPolicy: 'Local',
          ports: [tcp(80, { nodePort: 30020 })],
        }),
      ],
      [slice('a', [{ port: 80 }], ['10.244.2.2'])],
      NODE,
    ),
    scenarioState(),
    buildProxyState(base, [], NODE),
    buildProxyState([], [], NODE),
  ];
}

describe('nftables incremental sync', () => {
  const all = states().map(renderNft);
  test('every diff applied to the previous table equals a full render (all pairs)', () => {
    for (let i = 0; i < all.length; i++) {
      for (let j = 0; j < all.length; j++) {
        const got = applyOps(all[i]!, diffTables(all[i]!, all[j]!));
        assert.deepEqual(canon(got), canon(all[j]!), `state ${i} -> ${j}`);
      }
    }
  });

  test('no change, no ops; one new endpoint touches only that service', () => {
    assert.deepEqual(diffTables(all[3]!, all[3]!), []);
    const script = opsToScript(diffTables(all[2]!, all[3]!));
    assert.doesNotMatch(script, /flush (map|set)|delete table|flush table/);
    for (const line of script.trim().split('\n'))
      assert.match(
        line,
        /default\/a\/tcp\/p80|no-endpoint-services|service-ips|hairpin-endpoints|spread-tcp-\d+\b/,
        line,
      );
  });

  test('full sync over whatever the table held gives exactly the render, removing stale chains and sets', () => {
    for (let i = 0; i < all.length; i++) {
      for (const j of [0, 6, 8]) {
        const existing = {
          chains: [...all[j]!.chains.keys()],
          sets: [...all[j]!.sets.values()].map((s) => ({ name: s.name, kind: s.kind })),
        };
        const got = applyOps(all[j]!, fullSyncOps(all[i]!, existing));
        assert.deepEqual(canon(got), canon(all[i]!), `full sync to ${i} over ${j}`);
      }
      const fresh = applyOps(emptyTable(), fullSyncOps(all[i]!, { chains: [], sets: [] }));
      assert.deepEqual(canon(fresh), canon(all[i]!));
    }
  });
});

test('the tracer reaches the node from itself on a ClusterIP after an incremental change', () => {
  const before = renderNft(buildProxyState([svc('a', { clusterIP: '10.96.0.20', ports: [tcp(80)] })], [], NODE));
  const after = renderNft(
    buildProxyState(
      [svc('a', { clusterIP: '10.96.0.20', ports: [tcp(80)] })],
      [slice('a', [{ port: 80 }], ['10.244.2.1'])],
      NODE,
    ),
  );
  const pkt = { src: NODE_IP, dst: '10.96.0.20', port: 80, proto: 'tcp' as const, fromLocal: true };
  assert.equal(summarize(traceNft(before, pkt, env)), 'REJECT');
  assert.equal(summarize(traceNft(applyOps(before, diffTables(before, after)), pkt, env)), 'DNAT 10.244.2.1:80 masq');
});
