/**
 * End to end (root): removing a Node removes its overlay state (route to its
 * podCIDR; with vxlan also the neighbour and FDB entry of its VTEP) on every
 * other node — on a node whose agent kept running, and on a node whose agent
 * was down while the Node was deleted (flannel's stale route after restart
 * must not happen here). Then `podnet up` brings the removed node back and
 * the others route to it again. Once per backend.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../cluster/layout.js';
import { logFile } from '../cluster/paths.js';
import { readRecord, startDetached } from '../cluster/supervisor.js';
import { clusterSkip, eventually, TestCluster } from './cluster.js';

interface Peer {
  cidr: string;
  mac: string;
  ip: string;
}

for (const backend of BACKENDS) {
  describe(`removing a node with --backend ${backend}`, { skip: clusterSkip, timeout: 300_000 }, () => {
    const cluster = new TestCluster(3, backend);
    before(() => cluster.up());
    after(() => cluster.destroy());

    const peerOf = (i: number): Peer => {
      const [cidr, mac, ip] = cluster
        .k([
          'get',
          'node',
          cluster.node(i),
          '-o',
          'jsonpath={.spec.podCIDR} {.metadata.annotations.podnet\\.io/vtep-mac} {.metadata.annotations.podnet\\.io/public-ip}',
        ])
        .split(' ');
      assert.ok(cidr && ip, `node ${cluster.node(i)} has no podCIDR or public-ip yet`);
      return { cidr, mac: mac ?? '', ip };
    };

    /** What node i has of the peer, one line per kind of entry (empty when none). */
    const overlayOn = (i: number, peer: Peer): string[] => {
      const found: string[] = [];
      const routes = cluster.execOk(i, ['ip', '-4', 'route', 'show']).split('\n');
      found.push(...routes.filter((r) => r.startsWith(`${peer.cidr} `)).map((r) => `route ${r}`));
      if (backend === 'vxlan') {
        const vtepIp = peer.cidr.split('/')[0]!;
        found.push(
          ...cluster
            .execOk(i, ['ip', 'neigh', 'show', 'dev', 'podnet.1'])
            .split('\n')
            .filter((l) => l.startsWith(`${vtepIp} `) || (peer.mac !== '' && l.includes(peer.mac)))
            .map((l) => `neigh ${l}`),
        );
        found.push(
          ...cluster
            .execOk(i, ['bridge', 'fdb', 'show', 'dev', 'podnet.1'])
            .split('\n')
            .filter((l) => (peer.mac !== '' && l.startsWith(peer.mac)) || l.includes(`dst ${peer.ip} `))
            .map((l) => `fdb ${l}`),
        );
      }
      return found;
    };

    const expectedKinds = backend === 'vxlan' ? ['fdb', 'neigh', 'route'] : ['route'];
    const kinds = (entries: string[]) => [...new Set(entries.map((e) => e.split(' ')[0]))].sort();

    test('Node deleted while one agent is down: both other nodes drop its route, neighbour and FDB entry', async () => {
      const node3 = await eventually('node3 to have its podCIDR and annotations', () => peerOf(3));
      for (const i of [1, 2])
        await eventually(
          `node${i} to have node3's overlay entries`,
          () => kinds(overlayOn(i, node3)).join() === expectedKinds.join() && true,
        );

      // The removed node's agent would re-register its Node: stop it first. Then take node1's agent down too.
      await cluster.killAgent(3);
      await cluster.killAgent(1);
      cluster.k(['delete', 'node', cluster.node(3)]);

      // node2's agent kept running: it reacts to the delete event.
      await eventually(
        "node2 to drop node3's entries",
        () => overlayOn(2, node3).length === 0 || undefined,
        30_000,
      ).catch(() => assert.fail(`node2 still has: ${overlayOn(2, node3).join('; ')}`));
      assert.deepEqual(
        kinds(overlayOn(1, node3)),
        expectedKinds,
        "node1's agent is down, so nothing removed its entries yet",
      );

      // Restart node1's agent exactly as `podnet up` does (same recorded command line), but not node3's:
      // a running node3 agent would register node3 again.
      const record = readRecord(cluster.dir, cluster.node(1));
      assert.ok(record, 'no pid record for node1');
      startDetached(cluster.dir, {
        name: record.name,
        argv: record.argv,
        marker: record.marker,
        log: logFile(cluster.dir, record.name),
      });
      await eventually(
        'node1 Ready again',
        () =>
          cluster.k([
            'get',
            'node',
            cluster.node(1),
            '-o',
            'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
          ]) === 'True',
      );
      await eventually(
        "node1 (restarted after the delete) to drop node3's entries",
        () => overlayOn(1, node3).length === 0 || undefined,
        30_000,
      ).catch(() =>
        assert.fail(
          `stale overlay state for the removed node on node1 after its agent restarted: ${overlayOn(1, node3).join('; ')}`,
        ),
      );
    });

    test('podnet up brings the removed node back and the others route to it again', async () => {
      cluster.upAgain();
      const node3 = await eventually('node3 registered again with podCIDR and annotations', () => peerOf(3));
      for (const i of [1, 2]) {
        await eventually(
          `node${i} to have node3's overlay entries again`,
          () => kinds(overlayOn(i, node3)).join() === expectedKinds.join() && true,
        );
      }
      // No leftovers of the old registration either: exactly one route to node3's subnet per node.
      for (const i of [1, 2]) assert.equal(overlayOn(i, node3).filter((e) => e.startsWith('route')).length, 1);
    });
  });
}
