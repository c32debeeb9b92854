/**
 * End to end (root): the cluster add-ons are workloads on `podnet up
 * --nodes 3`, as kubeadm installs CoreDNS: cluster DNS is a Deployment of
 * two replicas on different nodes behind kube-dns, the router a DaemonSet
 * on every node. A deleted DNS pod is replaced while names keep resolving
 * from a pod; a deleted router pod comes back on its node; a rerun of `up`
 * leaves both workloads as they are.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clusterSkip, eventually, netexecPod, TestCluster } from './cluster.js';

interface AddonPod {
  name: string;
  node: string;
  ready: boolean;
  deleting: boolean;
}

describe('cluster add-ons as workloads on podnet up', { skip: clusterSkip, timeout: 600_000 }, () => {
  const cluster = new TestCluster(3, 'vxlan');
  const k = (...args: string[]) => cluster.k(args);
  const podsOf = (selector: string): AddonPod[] => {
    const list = JSON.parse(k('-n', 'kube-system', 'get', 'pods', '-l', selector, '-o', 'json')) as {
      items: {
        metadata: { name: string; deletionTimestamp?: string };
        spec: { nodeName?: string };
        status: { conditions?: { type: string; status: string }[] };
      }[];
    };
    return list.items.map((p) => ({
      name: p.metadata.name,
      node: p.spec.nodeName ?? '',
      ready: !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      deleting: !!p.metadata.deletionTimestamp,
    }));
  };
  const dnsPods = () => podsOf('k8s-app=kube-dns');
  const routerPods = () => podsOf('app=podnet-router');
  const generations = () =>
    k(
      '-n',
      'kube-system',
      'get',
      'deploy/podnet-dns',
      'ds/podnet-router',
      '-o',
      'jsonpath={range .items[*]}{.metadata.generation} {end}',
    ).trim();

  before(() => {
    cluster.up();
    cluster.apply(netexecPod('client', cluster.node(1)));
    cluster.waitReady(['client']);
  });
  after(() => cluster.destroy());

  test('kubectl get deploy,ds -n kube-system shows DNS as a Deployment and the router as a DaemonSet', () => {
    const out = k('get', 'deploy,ds', '-n', 'kube-system');
    assert.match(out, /^deployment\.apps\/podnet-dns\s+2\/2\s+2\s+2\s/m, out);
    assert.match(out, /^daemonset\.apps\/podnet-router\s+3\s+3\s+3\s+3\s+3\s/m, out);
    assert.equal(k('-n', 'kube-system', 'get', 'svc', 'kube-dns', '-o', 'jsonpath={.spec.clusterIP}'), '10.96.0.10');
  });

  test('the two DNS replicas run on different nodes; a router runs on every node', () => {
    const dns = dnsPods();
    assert.equal(dns.length, 2);
    assert.ok(dns.every((p) => p.ready));
    assert.notEqual(dns[0]!.node, dns[1]!.node, JSON.stringify(dns));
    assert.deepEqual(
      routerPods()
        .map((p) => p.node)
        .sort(),
      [1, 2, 3].map((i) => cluster.node(i)).sort(),
    );
  });

  test('a deleted DNS pod is replaced on a free node while names keep resolving from a pod', async () => {
    const clientIp = cluster.podIp('client');
    const before = dnsPods();
    // Pods under the process runtime share the node's /tmp: names of this cluster's own.
    const stopFile = `/tmp/${cluster.name}-dns-loop-stop`;
    const okFile = `/tmp/${cluster.name}-dns-loop-ok`;
    // A bounded resolver loop in the client pod, through kube-dns's ClusterIP, until told to stop.
    const loop = cluster.spawnOnNode(1, [
      'curl',
      '-sS',
      '-m',
      '300',
      `http://${clientIp}:8080/shell?shellCommand=${encodeURIComponent(
        `ok=0; bad=0; n=0; while [ ! -e ${stopFile} ] && [ $n -lt 3000 ]; do ` +
          'a=$(dig +short +tries=2 +time=2 kubernetes.default.svc.cluster.local); ' +
          'if [ "$a" = 10.96.0.1 ]; then ok=$((ok+1)); else bad=$((bad+1)); fi; n=$((n+1)); ' +
          `echo $ok > ${okFile}; sleep 0.05; done; ` +
          'echo "ok=$ok bad=$bad"',
      )}`,
    ]);
    let output = '';
    loop.stdout.on('data', (d: Buffer) => (output += d.toString()));
    const done = new Promise<void>((resolve) => loop.once('exit', () => resolve()));
    // Answers so far, as the loop records them in the pod.
    const answered = () => Number(cluster.podShell(1, clientIp, `cat ${okFile} 2>/dev/null || echo 0`).trim());
    try {
      await eventually('the resolver loop answering', () => answered() >= 3, 120_000);
      const victim = before[0]!;
      k('-n', 'kube-system', 'delete', 'pod', victim.name, '--wait=true');
      const replaced = await eventually(
        'a new DNS replica Ready',
        () => {
          const now = dnsPods().filter((p) => !p.deleting);
          return now.length === 2 && now.every((p) => p.ready) && !now.some((p) => p.name === victim.name)
            ? now
            : undefined;
        },
        120_000,
      );
      assert.notEqual(replaced[0]!.node, replaced[1]!.node, JSON.stringify(replaced));
      // A few more answers once the new replica serves.
      const then = answered();
      await eventually('more answers after the replacement', () => answered() >= then + 3, 120_000);
    } finally {
      cluster.podShell(1, clientIp, `touch ${stopFile}`);
      await done;
      cluster.podShell(1, clientIp, `rm -f ${stopFile} ${okFile}`);
    }
    const reply = JSON.parse(output) as { output?: string };
    const m = /ok=(\d+) bad=(\d+)/.exec(reply.output ?? '');
    assert.ok(m, `the resolver loop said: ${output}`);
    assert.ok(Number(m[1]) >= 6, `too few queries to tell: ${m[0]}`);
    assert.equal(m[2], '0', `failed lookups during the replacement: ${m[0]}`);
  });

  test('a deleted router pod comes back on its node', async () => {
    const victim = routerPods().find((p) => p.node === cluster.node(2))!;
    k('-n', 'kube-system', 'delete', 'pod', victim.name, '--wait=true');
    await eventually(
      'the router back on node 2',
      () => {
        const on2 = routerPods().filter((p) => p.node === cluster.node(2) && !p.deleting);
        return on2.length === 1 && on2[0]!.ready && on2[0]!.name !== victim.name ? true : undefined;
      },
      120_000,
    );
    assert.equal(cluster.curl(2, `http://${cluster.layout.nodes[1]!.ip}:10254/healthz`).trim().length > 0, true);
  });

  test('a rerun of up leaves the workloads as they are', () => {
    const gens = generations();
    cluster.upAgain();
    assert.equal(generations(), gens);
  });
});
