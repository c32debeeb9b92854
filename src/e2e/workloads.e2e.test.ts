/**
 * End to end (root): workloads on `podnet up`, driven with the real kubectl
 * the way a new user drives them. A Deployment is created, scaled, rolled
 * (set image, rollout status, history, undo, pause/resume, restart, Recreate),
 * exposed and reached through its Service; its pods are replaced when deleted
 * when their node dies but stays registered (taint-based eviction) and
 * when it is deleted; deleting it leaves nothing. A StatefulSet's pods
 * resolve by their stable names through a headless Service; a DaemonSet
 * covers a node that joins with `podnet up --nodes 3`. (A deleted node that
 * rejoins is not tried: it gets a new podCIDR its cni0 does not have yet.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clusterSkip, eventually, TestCluster } from './cluster.js';

interface PodView {
  name: string;
  image: string;
  node: string;
  ip: string;
  ready: boolean;
  deleting: boolean;
  hash: string;
}

describe('workloads with kubectl on podnet up', { skip: clusterSkip, timeout: 600_000 }, () => {
  const cluster = new TestCluster(2, 'vxlan');
  before(() => cluster.up());
  after(() => cluster.destroy());

  const k = (...args: string[]) => cluster.k(args);
  const rolledOut = (what: string) => k('rollout', 'status', what, '--timeout=120s');

  const podsOf = (selector: string): PodView[] => {
    const list = JSON.parse(k('get', 'pods', '-l', selector, '-o', 'json')) as {
      items: {
        metadata: { name: string; deletionTimestamp?: string; labels?: Record<string, string> };
        spec: { nodeName?: string; containers: { image: string }[] };
        status: { podIP?: string; conditions?: { type: string; status: string }[] };
      }[];
    };
    return list.items.map((p) => ({
      name: p.metadata.name,
      image: p.spec.containers[0]!.image,
      node: p.spec.nodeName ?? '',
      ip: p.status.podIP ?? '',
      ready: !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      deleting: !!p.metadata.deletionTimestamp,
      hash: p.metadata.labels?.['pod-template-hash'] ?? '',
    }));
  };
  const live = (selector: string) => podsOf(selector).filter((p) => !p.deleting);
  const replicaSets = (app: string) =>
    k(
      'get',
      'rs',
      '-l',
      `app=${app}`,
      '-o',
      'jsonpath={range .items[*]}{.metadata.name} {.spec.replicas} {.metadata.annotations.deployment\\.kubernetes\\.io/revision}{"\\n"}{end}',
    )
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' '));
  const revisions = (app: string) =>
    k('rollout', 'history', `deployment/${app}`)
      .split('\n')
      .map((l) => /^(\d+)\s/.exec(l)?.[1])
      .filter(Boolean);
  const imageOf = (app: string) => k('get', 'deploy', app, '-o', 'jsonpath={.spec.template.spec.containers[0].image}');

  test('create, scale up and down: every replica Ready, labelled with the template hash', async () => {
    assert.equal(
      k('create', 'deployment', 'web', '--image=podnet/agnhost', '--replicas=3', '--', '/agnhost', 'netexec'),
      'deployment.apps/web created\n',
    );
    rolledOut('deployment/web');
    const [rs] = replicaSets('web');
    assert.equal(rs?.[2], '1', 'the first ReplicaSet is revision 1');
    const pods = live('app=web');
    assert.equal(pods.length, 3);
    assert.ok(pods.every((p) => p.ready && rs?.[0] === `web-${p.hash}`));
    assert.equal(k('scale', 'deployment', 'web', '--replicas=5'), 'deployment.apps/web scaled\n');
    rolledOut('deployment/web');
    assert.equal(live('app=web').filter((p) => p.ready).length, 5);
    k('scale', 'deployment', 'web', '--replicas=2');
    rolledOut('deployment/web');
    await eventually('two pods left', () => live('app=web').length === 2);
  });

  test('set image rolls out revision 2; undo brings the first template back as revision 3', async () => {
    assert.equal(
      k('set', 'image', 'deployment/web', 'agnhost=podnet/agnhost:2.0'),
      'deployment.apps/web image updated\n',
    );
    rolledOut('deployment/web');
    assert.deepEqual(revisions('web'), ['1', '2']);
    await eventually('only new pods', () => {
      const pods = podsOf('app=web');
      return pods.length === 2 && pods.every((p) => p.image === 'podnet/agnhost:2.0' && p.ready);
    });
    assert.match(k('rollout', 'undo', 'deployment/web'), /rolled back/);
    rolledOut('deployment/web');
    assert.equal(imageOf('web'), 'podnet/agnhost');
    assert.deepEqual(revisions('web'), ['2', '3'], 'the first ReplicaSet is reused as revision 3');
    assert.equal(replicaSets('web').length, 2);
  });

  test('pause holds a template change; resume rolls it out; restart replaces every pod', async () => {
    k('rollout', 'pause', 'deployment/web');
    k('set', 'image', 'deployment/web', 'agnhost=podnet/agnhost:3.0');
    const paused = cluster.kubectl(['rollout', 'status', 'deployment/web', '--timeout=3s']);
    assert.notEqual(paused.code, 0, 'a paused rollout does not complete');
    assert.equal(replicaSets('web').length, 2, 'no new ReplicaSet while paused');
    k('rollout', 'resume', 'deployment/web');
    rolledOut('deployment/web');
    assert.deepEqual(revisions('web'), ['2', '3', '4']);
    const before = new Set(live('app=web').map((p) => p.name));
    assert.equal(k('rollout', 'restart', 'deployment/web'), 'deployment.apps/web restarted\n');
    rolledOut('deployment/web');
    await eventually('every pod replaced', () => {
      const pods = podsOf('app=web');
      return pods.length === 2 && pods.every((p) => !before.has(p.name) && p.ready);
    });
  });

  test('expose deployment: the Service reaches every replica', async () => {
    assert.equal(k('expose', 'deployment', 'web', '--port=80', '--target-port=8080'), 'service/web exposed\n');
    const ip = k('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}');
    const names = new Set(live('app=web').map((p) => p.name));
    const seen = new Set<string>();
    await eventually(
      'both replicas answer through the ClusterIP',
      () => {
        seen.add(cluster.curl(1, `http://${ip}/hostname`));
        return [...names].every((n) => seen.has(n));
      },
      60_000,
    );
  });

  test('a deleted pod is replaced', async () => {
    const [victim] = live('app=web');
    k('delete', 'pod', victim!.name, '--wait=false');
    await eventually('a replacement Ready', () => {
      const pods = live('app=web');
      return pods.length === 2 && pods.every((p) => p.name !== victim!.name && p.ready);
    });
  });

  test('Recreate: the old pods are gone before a new one starts', async () => {
    k('create', 'deployment', 'rec', '--image=podnet/agnhost', '--replicas=2', '--', '/agnhost', 'netexec');
    k('patch', 'deployment', 'rec', '-p', '{"spec":{"strategy":{"type":"Recreate","rollingUpdate":null}}}');
    rolledOut('deployment/rec');
    k('set', 'image', 'deployment/rec', 'agnhost=podnet/agnhost:2.0');
    // Sampled while it rolls: never a pod of each template at once (terminating ones count).
    let mixed: string[] | undefined;
    await eventually('the Recreate rollout', () => {
      const pods = podsOf('app=rec');
      if (new Set(pods.map((p) => p.image)).size > 1) mixed = pods.map((p) => `${p.name} ${p.image}`);
      return pods.length === 2 && pods.every((p) => p.image === 'podnet/agnhost:2.0' && p.ready);
    });
    assert.equal(mixed, undefined, `old and new pods ran together: ${mixed?.join(', ')}`);
    rolledOut('deployment/rec');
  });

  test('a StatefulSet: ordered pods with stable names that resolve through a headless Service', async () => {
    cluster.apply(`apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 8080}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 3
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - {name: c, image: podnet/agnhost, args: [netexec, --http-port, "8080"]}
`);
    rolledOut('statefulset/db');
    const pods = live('app=db').sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(
      pods.map((p) => p.name),
      ['db-0', 'db-1', 'db-2'],
    );
    const ipOf = new Map(pods.map((p) => [p.name, p.ip]));
    const from = pods[0]!;
    const node = Number(from.node.slice(-1));
    for (const name of ['db-1.db.default.svc.cluster.local', 'db-2.db']) {
      await eventually(`${name} resolves from db-0`, () => {
        const line = cluster.podShell(node, from.ip, `getent hosts ${name}`).trim();
        return line.startsWith(`${ipOf.get(name.split('.')[0]!)} `) || undefined;
      });
    }
    assert.equal(cluster.podShell(node, from.ip, 'hostname').trim(), 'db-0');
    k('scale', 'statefulset', 'db', '--replicas=1');
    await eventually('only db-0 left', () => {
      const left = podsOf('app=db').map((p) => p.name);
      return left.length === 1 && left[0] === 'db-0';
    });
  });

  test('a DaemonSet covers a node added with podnet up --nodes 3; pods of a dead node are evicted and replaced', async () => {
    cluster.apply(`apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers:
      - {name: c, image: podnet/agnhost, args: [netexec, --http-port, "8080"]}
`);
    rolledOut('daemonset/agent');
    const nodesOf = (app: string) =>
      live(`app=${app}`)
        .map((p) => p.node)
        .sort();
    assert.deepEqual(nodesOf('agent'), [cluster.node(1), cluster.node(2)]);

    const up = cluster.podnet(['up', '--nodes', '3', '--state', cluster.dir, '--timeout', '180']);
    assert.equal(up.code, 0, `podnet up --nodes 3 failed:\n${up.out}`);
    await eventually('an agent pod Ready on each of the three nodes', () => {
      const pods = live('app=agent');
      if (!pods.every((p) => p.ready)) return false;
      return nodesOf('agent').join() === [1, 2, 3].map((i) => cluster.node(i)).join();
    });
    rolledOut('daemonset/agent');

    // node3's agent dies and its Node stays registered: once the node lifecycle controller marks it
    // unreachable (40 s without a Lease renewal), the taint eviction controller deletes the web pods
    // there when their toleration runs out (2 s here; 300 s by default), and they come back elsewhere.
    k(
      'patch',
      'deployment',
      'web',
      '--type=merge',
      '-p',
      JSON.stringify({
        spec: {
          replicas: 6,
          template: {
            spec: {
              tolerations: [
                {
                  key: 'node.kubernetes.io/unreachable',
                  operator: 'Exists',
                  effect: 'NoExecute',
                  tolerationSeconds: 2,
                },
              ],
            },
          },
        },
      }),
    );
    rolledOut('deployment/web');
    await eventually('web pods on node3', () => nodesOf('web').includes(cluster.node(3)));
    const onNode3 = live('app=web')
      .filter((p) => p.node === cluster.node(3))
      .map((p) => p.name);
    await cluster.killAgent(3);
    await eventually(
      'six web replicas Ready on node1 and node2 while node3 is still registered',
      () => {
        const pods = live('app=web');
        return pods.length === 6 && pods.every((p) => p.node !== cluster.node(3) && p.ready);
      },
      150_000,
    );
    assert.match(
      k('get', 'node', cluster.node(3), '-o', 'jsonpath={range .spec.taints[*]}{.key}:{.effect} {end}'),
      /node\.kubernetes\.io\/unreachable:NoExecute/,
    );
    const evicted = onNode3[0]!;
    assert.equal(
      k('get', 'pod', evicted, '-o', 'jsonpath={.status.conditions[?(@.type=="DisruptionTarget")].reason}'),
      'DeletionByTaintManager',
    );
    const events = JSON.parse(k('get', 'events', '-o', 'json')) as {
      items: { reason: string; involvedObject: { name: string } }[];
    };
    assert.ok(
      events.items.some((e) => e.involvedObject.name === evicted && e.reason === 'TaintManagerEviction'),
      `no TaintManagerEviction event for ${evicted}`,
    );
    // The evicted pods stay Terminating while their node's agent is dead (as in kube); the node goes.
    k('delete', 'node', cluster.node(3));
    await eventually('the evicted pods gone with their node', () => podsOf('app=web').length === 6, 120_000);
    await eventually(
      'the DaemonSet back to two nodes',
      () =>
        k('get', 'ds', 'agent', '-o', 'jsonpath={.status.desiredNumberScheduled} {.status.numberReady}') === '2 2' ||
        undefined,
    );
  });

  test('deleting the Deployments leaves no ReplicaSet and no pod', async () => {
    k('delete', 'deployment', 'web', 'rec');
    await eventually(
      'nothing of web or rec left',
      () => k('get', 'rs,pods', '-l', 'app in (web,rec)', '-o', 'name') === '',
      120_000,
    );
  });
});
