/**
 * End to end (root): the scheduler's spreading and inter-pod affinity on a
 * 3-node `podnet up`, driven with the real kubectl. A Deployment of six
 * replicas with a hard topology spread constraint over hostnames lands two
 * per node; a pod with required pod affinity to one replica lands on its
 * node; a pod whose required spread cannot be met stays Pending with kube's
 * FailedScheduling message.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clusterSkip, eventually, TestCluster } from './cluster.js';

describe('scheduling with kubectl on podnet up', { skip: clusterSkip, timeout: 600_000 }, () => {
  const cluster = new TestCluster(3, 'vxlan');
  before(() => cluster.up());
  after(() => cluster.destroy());
  const k = (...args: string[]) => cluster.k(args);

  const nodesOf = (selector: string): string[] =>
    k('get', 'pods', '-l', selector, '-o', 'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}')
      .split('\n')
      .filter(Boolean);

  test('six replicas with maxSkew 1 over hostnames land two per node', () => {
    cluster.apply(
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'spread', namespace: 'default' },
        spec: {
          replicas: 6,
          selector: { matchLabels: { app: 'spread' } },
          template: {
            metadata: { labels: { app: 'spread' } },
            spec: {
              topologySpreadConstraints: [
                {
                  maxSkew: 1,
                  topologyKey: 'kubernetes.io/hostname',
                  whenUnsatisfiable: 'DoNotSchedule',
                  labelSelector: { matchLabels: { app: 'spread' } },
                },
              ],
              containers: [{ name: 'app', image: 'podnet/agnhost', args: ['/agnhost', 'netexec'] }],
            },
          },
        },
      }),
    );
    k('rollout', 'status', 'deployment/spread', '--timeout=120s');
    const perNode = new Map<string, number>();
    for (const n of nodesOf('app=spread')) perNode.set(n, (perNode.get(n) ?? 0) + 1);
    assert.deepEqual([...perNode.values()], [2, 2, 2], JSON.stringify([...perNode]));
  });

  test('a pod with required pod affinity to a replica lands on its node', () => {
    const [leader] = k('get', 'pods', '-l', 'app=spread', '-o', 'jsonpath={.items[0].metadata.name}').split(' ');
    k('label', 'pod', leader!, 'role=leader');
    const leaderNode = k('get', 'pod', leader!, '-o', 'jsonpath={.spec.nodeName}');
    cluster.apply(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'follower', namespace: 'default', labels: { app: 'follower' } },
        spec: {
          affinity: {
            podAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { labelSelector: { matchLabels: { role: 'leader' } }, topologyKey: 'kubernetes.io/hostname' },
              ],
            },
          },
          containers: [{ name: 'app', image: 'podnet/agnhost', args: ['/agnhost', 'pause'] }],
        },
      }),
    );
    cluster.waitReady(['follower']);
    assert.equal(k('get', 'pod', 'follower', '-o', 'jsonpath={.spec.nodeName}'), leaderNode);
  });

  test("a pod whose required spread cannot be met stays Pending with kube's message", async () => {
    // Four domains asked for on three nodes: the emptiest counts as 0, so two replicas plus this pod skew by 3.
    cluster.apply(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'unspreadable', namespace: 'default', labels: { app: 'extra' } },
        spec: {
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              minDomains: 4,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'DoNotSchedule',
              labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['spread', 'extra'] }] },
            },
          ],
          containers: [{ name: 'app', image: 'podnet/agnhost', args: ['/agnhost', 'pause'] }],
        },
      }),
    );
    const message = await eventually('a FailedScheduling event for unspreadable', () => {
      const m = k(
        'get',
        'events',
        '--field-selector',
        'involvedObject.name=unspreadable,reason=FailedScheduling',
        '-o',
        'jsonpath={.items[0].message}',
      );
      return m || undefined;
    });
    assert.equal(
      message,
      "0/3 nodes are available: 3 node(s) didn't match pod topology spread constraints. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
    );
    assert.equal(k('get', 'pod', 'unspreadable', '-o', 'jsonpath={.status.phase}'), 'Pending');
    assert.equal(k('get', 'pod', 'unspreadable', '-o', 'jsonpath={.spec.nodeName}'), '');
  });
});
