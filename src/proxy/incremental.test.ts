/**
 * Incremental syncs, both backends: starting from any state's full render,
 * applying only the changed ports' ops (nftables) or restore text
 * (iptables) must give exactly what a full render of the new state gives;
 * and the change tracker must hand out exactly the Services that changed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceChangeTracker, serviceKey, sliceServiceKey } from './change-tracker.js';
import { diffStates } from './changes.js';
import { AppliedIptables } from './iptables/incremental.js';
import { iptRuleCount, renderIptables, type IptRules } from './iptables/render.js';
import { buildProxyState } from './model.js';
import { AppliedNftTable } from './nft/incremental.js';
import { ruleCount, type NftTable } from './nft/model.js';
import { applyOps, opsToScript } from './nft/ops.js';
import { renderNft } from './nft/render.js';
import { scenarioState } from './scenario.js';
import { NODE, slice, svc, tcp } from './testdata.js';
import type { EndpointSliceObject, ProxyState, ServiceObject } from './types.js';

const a = (extra = {}) => svc('a', { clusterIP: '10.96.0.20', ports: [tcp(80)], ...extra });
const b = svc('b', { clusterIP: '10.96.0.21', ports: [tcp(80), { name: 'dns', protocol: 'UDP', port: 53 }] });

/** Adds, changes and removes services, endpoints, policies and affinity; a and b share a local pod (hairpin element owned twice). */
function states(): ProxyState[] {
  const shared = { ip: '10.244.1.1', node: 'n1' };
  return [
    buildProxyState([], [], NODE),
    buildProxyState([a()], [], NODE),
    buildProxyState([a()], [slice('a', [{ port: 80 }], ['10.244.2.1'])], NODE),
    buildProxyState(
      [a(), b],
      [slice('a', [{ port: 80 }], ['10.244.2.1', shared]), slice('b', [{ port: 80 }], [shared])],
      NODE,
    ),
    buildProxyState([a(), b], [slice('a', [{ port: 80 }], ['10.244.2.2']), slice('b', [{ port: 80 }], [shared])], NODE),
    buildProxyState(
      [a({ type: 'NodePort', sessionAffinity: 'ClientIP', ports: [tcp(80, { nodePort: 30020 })] })],
      [slice('a', [{ port: 80 }], ['10.244.2.2', shared])],
      NODE,
    ),
    buildProxyState(
      [
        a({
          type: 'NodePort',
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } },
          externalTrafficPolicy: 'Local',
          externalIPs: ['192.168.0.50'],
          ports: [tcp(80, { nodePort: 30020 })],
        }),
      ],
      [slice('a', [{ port: 80 }], ['10.244.2.2'])],
      NODE,
    ),
    scenarioState(),
    buildProxyState(
      [a(), b],
      [slice('b', [{ port: 80 }, { name: 'dns', port: 5353, protocol: 'UDP' }], ['10.244.2.9'])],
      NODE,
    ),
    // One key written twice by one port (an external IP equal to its own ClusterIP), and one key two ports claim.
    buildProxyState(
      [
        a({ externalIPs: ['10.96.0.20', '192.168.0.60'] }),
        svc('c', { clusterIP: '10.96.0.22', externalIPs: ['192.168.0.60'], ports: [tcp(80)] }),
      ],
      [slice('a', [{ port: 80 }], ['10.244.2.1']), slice('c', [{ port: 80 }], ['10.244.2.3', '10.244.2.4'])],
      NODE,
    ),
    buildProxyState(
      [svc('c', { clusterIP: '10.96.0.22', externalIPs: ['192.168.0.60'], ports: [tcp(80)] })],
      [slice('c', [{ port: 80 }], ['10.244.2.3'])],
      NODE,
    ),
  ];
}

function canonNft(t: NftTable): unknown {
  return {
    sets: [...t.sets.values()]
      .map((s) => ({ ...s, elements: [...s.elements].sort() }))
      .sort((x, y) => x.name.localeCompare(y.name)),
    chains: [...t.chains.values()].sort((x, y) => x.name.localeCompare(y.name)),
  };
}

describe('nftables: incremental plans', () => {
  const all = states();
  test("from every state to every other, the changed ports' ops equal a full render", () => {
    for (let i = 0; i < all.length; i++) {
      for (let j = 0; j < all.length; j++) {
        const applied = new AppliedNftTable(all[i]!);
        const ops = applied.plan(diffStates(all[i]!, all[j]!), NODE);
        const got = applyOps(renderNft(all[i]!), ops);
        assert.deepEqual(canonNft(got), canonNft(renderNft(all[j]!)), `state ${i} -> ${j}`);
        assert.equal(applied.rules, ruleCount(renderNft(all[j]!)), `rule count ${i} -> ${j}`);
      }
    }
  });

  test('a long chain of incremental syncs stays equal to a full render', () => {
    const order = [0, 3, 5, 7, 4, 8, 2, 6, 1, 7, 3, 0];
    const applied = new AppliedNftTable(all[order[0]!]!);
    let table = renderNft(all[order[0]!]!);
    for (let k = 1; k < order.length; k++) {
      table = applyOps(table, applied.plan(diffStates(all[order[k - 1]!]!, all[order[k]!]!), NODE));
      assert.deepEqual(canonNft(table), canonNft(renderNft(all[order[k]!]!)), `step ${k}`);
    }
  });

  test("one new endpoint: the script touches only that service's elements and the spread pools, never flushes a map", () => {
    const script = opsToScript(new AppliedNftTable(all[1]!).plan(diffStates(all[1]!, all[2]!), NODE));
    assert.doesNotMatch(script, /flush (map|set)|table/);
    for (const line of script.trim().split('\n')) {
      assert.match(line, /10\.96\.0\.20 \. |spread-tcp-1\b/, line);
      if (line.startsWith('add rule'))
        assert.match(line, /^add rule ip podnet (cluster|external)-spread-tcp-1 /, 'only a new pool brings rules');
    }
  });

  test('an endpoint more on a pooled port moves it between existing pools: elements only', () => {
    // c keeps pool tcp-2 in use and d pool tcp-1, so a's move from 1 to 2 endpoints creates and removes no pool.
    const svcs = [
      a(),
      svc('c', { clusterIP: '10.96.0.22', ports: [tcp(80)] }),
      svc('d', { clusterIP: '10.96.0.23', ports: [tcp(80)] }),
    ];
    const others = [
      slice('c', [{ port: 80 }], ['10.244.2.5', '10.244.2.6']),
      slice('d', [{ port: 80 }], ['10.244.2.7']),
    ];
    const from = buildProxyState(svcs, [slice('a', [{ port: 80 }], ['10.244.2.1']), ...others], NODE);
    const to = buildProxyState(svcs, [slice('a', [{ port: 80 }], ['10.244.2.1', '10.244.2.2']), ...others], NODE);
    const script = opsToScript(new AppliedNftTable(from).plan(diffStates(from, to), NODE));
    assert.doesNotMatch(script, /chain|rule|flush|map ip/);
    for (const line of script.trim().split('\n'))
      assert.match(line, /^(add|delete) element ip podnet (service-ips|spread-tcp-[12]) \{ 10\.96\.0\.20 \. /, line);
  });

  test('a hairpin pair two Services share stays until the last one lets go', () => {
    const applied = new AppliedNftTable(all[3]!);
    const script = opsToScript(applied.plan(diffStates(all[3]!, all[4]!), NODE));
    assert.doesNotMatch(script, /hairpin-endpoints/);
  });
});

/** Replays iptables-restore --noflush input on a model, failing where iptables would. */
function applyRestore(rules: IptRules, text: string): IptRules {
  const out: IptRules = {
    nat: { chains: new Map([...rules.nat.chains].map(([k, v]) => [k, [...v]])) },
    filter: { chains: new Map([...rules.filter.chains].map(([k, v]) => [k, [...v]])) },
  };
  let t: Map<string, string[]> | undefined;
  const chain = (name: string) => {
    const c = t!.get(name);
    if (!c) throw new Error(`no chain ${name}`);
    return c;
  };
  for (const line of text.split('\n').filter(Boolean)) {
    let m: RegExpExecArray | null;
    if ((m = /^\*(nat|filter)$/.exec(line))) t = out[m[1] as 'nat' | 'filter'].chains;
    else if (line === 'COMMIT') t = undefined;
    else if ((m = /^:(\S+) - \[0:0\]$/.exec(line))) t!.set(m[1]!, []);
    else if ((m = /^-A (\S+) /.exec(line))) chain(m[1]!).push(line);
    else if ((m = /^-I (\S+) 1 (.*)$/.exec(line))) chain(m[1]!).unshift(`-A ${m[1]} ${m[2]}`);
    else if ((m = /^-D (\S+) (.*)$/.exec(line))) {
      const c = chain(m[1]!);
      const i = c.indexOf(`-A ${m[1]} ${m[2]}`);
      if (i < 0) throw new Error(`-D of a missing rule: ${line}`);
      c.splice(i, 1);
    } else if ((m = /^-X (\S+)$/.exec(line))) {
      if (chain(m[1]!).length) throw new Error(`-X of a non-empty chain ${m[1]}`);
      if ([...t!.values()].flat().some((r) => r.endsWith(`-j ${m![1]}`)))
        throw new Error(`-X of a referenced chain ${m[1]}`);
      t!.delete(m[1]!);
    } else throw new Error(`unknown restore line ${line}`);
  }
  for (const table of [out.nat, out.filter]) {
    for (const r of [...table.chains.values()].flat()) {
      const target = /-j (\S+)/.exec(r)?.[1];
      if (target?.startsWith('KUBE-') && !table.chains.has(target))
        throw new Error(`rule jumps to a missing chain: ${r}`);
    }
  }
  return out;
}

/** Shared chains compared as sets (lines of different ports never overlap), plus the order that matters. */
function canonIpt(r: IptRules): unknown {
  const table = (m: Map<string, string[]>) =>
    [...m].map(([k, v]) => [k, k === 'KUBE-SERVICES' || k === 'KUBE-NODEPORTS' ? [...v].sort() : v]).sort();
  return { nat: table(r.nat.chains), filter: table(r.filter.chains) };
}

function assertIptOrder(r: IptRules, what: string): void {
  const nat = r.nat.chains.get('KUBE-SERVICES')!;
  const firstNodePorts = nat.findIndex((x) => x.endsWith('-j KUBE-NODEPORTS') && x.includes('node ports'));
  assert.ok(
    nat.slice(firstNodePorts).every((x) => x.includes('node ports')),
    `${what}: node-ports jumps last`,
  );
  const filter = r.filter.chains.get('KUBE-SERVICES')!;
  assert.match(filter.at(-1)!, /unallocated service address/, `${what}: unallocated drop last`);
  // A ClusterIP's catch-all REJECT must follow every line of that address (other addresses' lines never overlap it).
  filter.forEach((x, i) => {
    const ip = /-d (\S+)\/32 .*a port this ClusterIP does not serve/.exec(x)?.[1];
    if (ip)
      assert.ok(
        !filter.slice(i + 1).some((y) => y.includes(`-d ${ip}/32 `)),
        `${what}: catch-all of ${ip} after its ports' lines`,
      );
  });
}

describe('iptables: incremental restores', () => {
  const all = states();
  test('from every state to every other, the partial restore equals a full render', () => {
    for (let i = 0; i < all.length; i++) {
      for (let j = 0; j < all.length; j++) {
        const applied = new AppliedIptables(all[i]!);
        const text = applied.plan(diffStates(all[i]!, all[j]!), NODE);
        const got = applyRestore(renderIptables(all[i]!), text);
        const want = renderIptables(all[j]!);
        assert.deepEqual(canonIpt(got), canonIpt(want), `state ${i} -> ${j}`);
        assertIptOrder(got, `state ${i} -> ${j}`);
        assert.equal(applied.rules, iptRuleCount(want), `rule count ${i} -> ${j}`);
      }
    }
  });

  test('a long chain of partial restores stays equal to a full render', () => {
    const order = [0, 3, 5, 7, 4, 8, 2, 6, 1, 7, 3, 0];
    const applied = new AppliedIptables(all[order[0]!]!);
    let rules = renderIptables(all[order[0]!]!);
    for (let k = 1; k < order.length; k++) {
      rules = applyRestore(rules, applied.plan(diffStates(all[order[k - 1]!]!, all[order[k]!]!), NODE));
      assert.deepEqual(canonIpt(rules), canonIpt(renderIptables(all[order[k]!]!)), `step ${k}`);
      assertIptOrder(rules, `step ${k}`);
    }
  });

  test('one new endpoint never rewrites KUBE-SERVICES, only edits its lines', () => {
    const text = new AppliedIptables(all[1]!).plan(diffStates(all[1]!, all[2]!), NODE);
    assert.doesNotMatch(text, /^:KUBE-SERVICES /m);
    assert.doesNotMatch(text, /^:KUBE-NODEPORTS /m);
    assert.match(text, /^-D KUBE-SERVICES -d 10\.96\.0\.20\/32 .* -j REJECT --reject-with tcp-reset$/m);
    assert.match(text, /^-I KUBE-SERVICES 1 -d 10\.96\.0\.20\/32 .* -j KUBE-SVC-/m);
    assert.equal(new AppliedIptables(all[2]!).plan([], NODE), '');
  });
});

describe('change tracker', () => {
  /** A tiny object cache standing in for the informers. */
  function cache() {
    const services = new Map<string, ServiceObject>();
    const slices = new Map<string, EndpointSliceObject>();
    const source = {
      service: (k: string) => services.get(k),
      slices: (k: string) => [...slices.values()].filter((s) => sliceServiceKey(s) === k),
      serviceKeys: () => [...services.keys()],
    };
    return { services, slices, tracker: new ServiceChangeTracker(NODE, source) };
  }

  test('only dirty Services are recomputed; unchanged ports keep their object; the state equals a full build', () => {
    const { services, slices, tracker } = cache();
    const sa = slice('a', [{ port: 80 }], ['10.244.2.1']);
    for (const s of [a(), b]) {
      services.set(serviceKey(s), s);
      tracker.markService(serviceKey(s));
    }
    slices.set('sa', sa);
    tracker.markSlice(sa);
    assert.equal(tracker.takeChanges().length, 3);
    const before = tracker.state();
    const sa2 = slice('a', [{ port: 80 }], ['10.244.2.1', '10.244.2.2']);
    slices.set('sa', sa2);
    tracker.markSlice(sa2, sa);
    const changes = tracker.takeChanges();
    assert.deepEqual(
      changes.map((c) => c.id),
      ['default/a/tcp/p80'],
    );
    const after = tracker.state();
    assert.deepEqual(after, buildProxyState([...services.values()], [...slices.values()], NODE));
    assert.equal(
      after.ports.find((p) => p.service === 'b'),
      before.ports.find((p) => p.service === 'b'),
      'b untouched keeps its object',
    );
    tracker.markService('default/b');
    assert.deepEqual(tracker.takeChanges(), [], 'an event that changes nothing yields no change');
    services.delete('default/b');
    tracker.markService('default/b');
    assert.deepEqual(
      tracker.takeChanges().map((c) => [c.id, !!c.prev, !!c.next]),
      [
        ['default/b/tcp/p80', true, false],
        ['default/b/udp/dns', true, false],
      ],
    );
    assert.equal(tracker.servicePorts, 1);
  });

  test('rebuildAll catches what no event announced', () => {
    const { services, tracker } = cache();
    services.set('default/a', a());
    assert.deepEqual(tracker.takeChanges(), []);
    assert.deepEqual(
      tracker.rebuildAll().map((c) => c.id),
      ['default/a/tcp/p80'],
    );
    assert.deepEqual(tracker.state(), buildProxyState([a()], [], NODE));
  });
});
