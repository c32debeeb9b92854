/**
 * End to end (root), issue 3's flat network on `podnet up --nodes 3`, once
 * per overlay backend: every node pings every pod; pods reach pods on their
 * own and other nodes and the server sees the client pod's own IP (agnhost
 * /dial to /clientip); node -> pod HTTP works; with vxlan the pod MTU is
 * right (a don't-fragment ping of 1422 bytes payload crosses nodes, 1423
 * fails at once with a local "message too long").
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../cluster/layout.js';
import { clusterSkip, netexecPod, TestCluster } from './cluster.js';

/** Two server pods per node: a on node1 and b on node1 share a node; c on node2 and d on node3 are across. */
const PODS = [
  ['a', 1],
  ['b', 1],
  ['c', 2],
  ['d', 3],
] as const;

for (const backend of BACKENDS) {
  describe(`pod network with --backend ${backend}`, { skip: clusterSkip, timeout: 300_000 }, () => {
    const cluster = new TestCluster(3, backend);
    const ip: Record<string, string> = {};

    before(() => {
      cluster.up();
      cluster.apply(PODS.map(([name, node]) => netexecPod(name, cluster.node(node))).join(''));
      cluster.waitReady(PODS.map(([name]) => name));
      for (const [name, node] of PODS) {
        ip[name] = cluster.podIp(name);
        assert.equal(cluster.jsonpath(name, '{.spec.nodeName}'), cluster.node(node));
      }
    });
    after(() => cluster.destroy());

    test('every node pings every pod', () => {
      for (let n = 1; n <= 3; n++) {
        for (const [name] of PODS) cluster.execOk(n, ['ping', '-c', '1', '-W', '3', ip[name]!]);
      }
    });

    test("node -> pod HTTP, on the pod's node and from the others", () => {
      for (let n = 1; n <= 3; n++) assert.equal(cluster.curl(n, `http://${ip.c}:8080/hostname`), 'c');
    });

    test("pods reach pods on the same and other nodes, and the server sees the client pod's own IP", () => {
      for (const target of ['b', 'c', 'd']) {
        const url = `http://${ip.a}:8080/dial?request=clientip&host=${ip[target]}&port=8080&protocol=http&tries=1`;
        const reply = JSON.parse(cluster.curl(2, url)) as { responses?: string[]; errors?: string[] };
        assert.equal(reply.responses?.length, 1, `a -> ${target}: ${JSON.stringify(reply)}`);
        const [seenIp] = reply.responses[0]!.split(':');
        assert.equal(
          seenIp,
          ip.a,
          `${target} saw ${reply.responses[0]} as the client, not pod a's IP ${ip.a} (NAT on the way?)`,
        );
      }
      // And the other direction, from a pod on another node into node1.
      const back = JSON.parse(
        cluster.curl(1, `http://${ip.d}:8080/dial?request=hostname&host=${ip.b}&port=8080&protocol=http&tries=1`),
      ) as { responses?: string[] };
      assert.deepEqual(back.responses, ['b']);
    });

    test('a pod pings pods on other nodes', () => {
      // Inside pod a (agnhost /shell runs in the pod's namespaces).
      for (const target of ['c', 'd']) cluster.podShell(1, ip.a!, `ping -c 1 -W 3 ${ip[target]}`);
    });

    if (backend === 'vxlan') {
      test('MTU: a DF ping of 1422 bytes crosses nodes, 1423 fails locally with "message too long"', () => {
        // 1422 + 8 (ICMP) + 20 (IP) = 1450, the VXLAN device MTU (1500 - 50 of encapsulation).
        for (const view of ['node', 'pod'] as const) {
          const ping = (size: number) =>
            view === 'node'
              ? cluster.exec(1, ['ping', '-c', '1', '-W', '3', '-M', 'do', '-s', String(size), ip.d!])
              : cluster.exec(2, [
                  'curl',
                  '-sS',
                  `http://${ip.a}:8080/shell?shellCommand=${encodeURIComponent(`ping -c 1 -W 3 -M do -s ${size} ${ip.d} 2>&1`)}`,
                ]);
          const fits = ping(1422);
          assert.equal(fits.code, 0, fits.out);
          assert.match(fits.out, / 0% packet loss/, `${view}: 1422 bytes should cross: ${fits.out}`);
          const tooBig = ping(1423);
          assert.match(
            tooBig.out,
            /message too long/i,
            `${view}: 1423 bytes must fail locally, not be lost silently: ${tooBig.out}`,
          );
          if (view === 'node') assert.notEqual(tooBig.code, 0);
        }
      });
    }
  });
}
