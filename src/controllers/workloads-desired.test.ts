/** The workload controllers' pure decisions, table by table. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.js';
import { planClaims, templateHash } from './claims.js';
import { nodeShouldRun, planDaemonSet } from './daemonset-desired.js';
import { equalIgnoreHash, fenceposts, planDeployment, REVISION } from './deployment-desired.js';
import { decideDependent, decideOwner, type GraphNode } from './garbagecollector-desired.js';
import { planReplicaSet, rankForDeletion } from './replicaset-desired.js';
import { planRevisions } from './revisions.js';
import { planStatefulSet } from './statefulset-desired.js';
import type { Node } from './types.js';
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet, WorkloadPod } from './workload-types.js';

const NOW = Date.parse('2024-06-01T12:00:00Z');
const at = (s: number) => new Date(NOW - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function pod(
  name: string,
  o: {
    node?: string;
    phase?: string;
    ready?: number;
    age?: number;
    labels?: Record<string, string>;
    owner?: string;
    deleting?: boolean;
    restarts?: number;
  } = {},
): WorkloadPod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      creationTimestamp: at(o.age ?? 100),
      labels: o.labels ?? { app: 'web' },
      ...(o.owner
        ? {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `uid-${o.owner}`, controller: true },
            ],
          }
        : {}),
      ...(o.deleting ? { deletionTimestamp: at(0) } : {}),
    },
    spec: { ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? (o.node ? 'Running' : 'Pending'),
      conditions: o.ready !== undefined ? [{ type: 'Ready', status: 'True', lastTransitionTime: at(o.ready) }] : [],
      ...(o.restarts ? { containerStatuses: [{ restartCount: o.restarts }] } : {}),
    },
  };
}

const template = (image = 'nginx', app = 'web') => ({
  metadata: { labels: { app } },
  spec: { containers: [{ name: 'c', image }] },
});

describe('claims', () => {
  const owner: KObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'rs', namespace: 'default', uid: 'uid-rs' },
    spec: { selector: { matchLabels: { app: 'web' } } },
  };
  test('keeps its own, adopts matching orphans, releases what no longer matches, leaves others alone', () => {
    const plan = planClaims(owner, [
      pod('mine', { owner: 'rs' }),
      pod('orphan'),
      pod('moved', { owner: 'rs', labels: { app: 'other' } }),
      pod('theirs', { owner: 'other' }),
      pod('dying', { deleting: true }),
    ]);
    assert.deepEqual(
      [plan.owned, plan.adopt, plan.release].map((l) => l.map((p) => p.metadata.name)),
      [['mine'], ['orphan'], ['moved']],
    );
  });
  test('the template hash is stable, uses no vowels, and changes with the template and the collision count', () => {
    const h = templateHash(template());
    assert.equal(h, templateHash(template()));
    assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.notEqual(h, templateHash(template('nginx:2')));
    assert.notEqual(h, templateHash(template(), 1));
  });
});

describe('ReplicaSet', () => {
  test('deletes the least valuable pods first: unscheduled, pending, not ready, then doubled up, newest', () => {
    const pods = [
      pod('old-ready', { node: 'a', ready: 500, age: 600 }),
      pod('new-ready', { node: 'b', ready: 10, age: 20 }),
      pod('not-ready', { node: 'a' }),
      pod('pending', { node: 'b', phase: 'Pending' }),
      pod('unscheduled'),
      pod('crashy', { node: 'b', ready: 500, age: 600, restarts: 3 }),
    ];
    assert.deepEqual(
      rankForDeletion(pods).map((p) => p.metadata.name),
      ['unscheduled', 'pending', 'not-ready', 'new-ready', 'crashy', 'old-ready'],
    );
  });
  const colocated: [string, WorkloadPod[], WorkloadPod[] | undefined, string[]][] = [
    [
      'equal otherwise: the doubled-up node loses first, newest first there',
      [
        pod('a1', { node: 'a', ready: 100, age: 100 }),
        pod('a2', { node: 'a', ready: 100, age: 50 }),
        pod('b1', { node: 'b', ready: 100, age: 10 }),
      ],
      undefined,
      ['a2', 'a1', 'b1'],
    ],
    [
      "related pods (the Deployment's other ReplicaSets) count on their node",
      [pod('a1', { node: 'a', ready: 100, age: 100 }), pod('b1', { node: 'b', ready: 100, age: 100 })],
      [
        pod('a1', { node: 'a', ready: 100, age: 100 }),
        pod('b1', { node: 'b', ready: 100, age: 100 }),
        pod('old-b', { node: 'b', ready: 100, age: 900 }),
        pod('old-b2', { node: 'b', ready: 100, age: 900 }),
      ],
      ['b1', 'a1'],
    ],
    [
      'the colocated rank comes after readiness',
      [pod('a1', { node: 'a', ready: 100 }), pod('a2', { node: 'a', ready: 100 }), pod('b1', { node: 'b' })],
      undefined,
      ['b1', 'a1', 'a2'],
    ],
  ];
  for (const [name, pods, related, want] of colocated)
    test(`rank: ${name}`, () =>
      assert.deepEqual(
        rankForDeletion(pods, related).map((p) => p.metadata.name),
        want,
      ));
  const rs = (replicas: number, minReadySeconds = 0): ReplicaSet => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'rs', namespace: 'default', uid: 'uid-rs', generation: 2 },
    spec: { replicas, minReadySeconds, selector: { matchLabels: { app: 'web' } }, template: template() },
  });
  test('creates the missing, deletes the surplus, counts ready and available', () => {
    const owned = [pod('a', { node: 'n', ready: 30 }), pod('b', { node: 'n', ready: 3 }), pod('c', { deleting: true })];
    assert.equal(planReplicaSet(rs(5), owned, NOW).create, 3, 'terminating pods do not count');
    assert.deepEqual(
      planReplicaSet(rs(1), owned, NOW).delete.map((p) => p.metadata.name),
      ['b'],
    );
    const plan = planReplicaSet(rs(2, 10), owned, NOW);
    assert.deepEqual(plan.status, {
      replicas: 2,
      fullyLabeledReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 1,
      observedGeneration: 2,
    });
    assert.equal(plan.requeueAfterMs, 7050, 'b becomes available in 7 s');
    assert.equal(planReplicaSet(rs(5), owned, NOW, false).create, 0, 'nothing while earlier writes are in flight');
  });
});

describe('Deployment', () => {
  const d = (replicas: number, o: Partial<Deployment['spec']> = {}, image = 'nginx:2'): Deployment => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-d', generation: 2, annotations: {} },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: template(image),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...o,
    },
  });
  const rs = (
    name: string,
    image: string,
    replicas: number,
    available: number,
    revision: string,
    age = 100,
  ): ReplicaSet => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      creationTimestamp: at(age),
      annotations: { [REVISION]: revision, 'deployment.kubernetes.io/desired-replicas': '4' },
    },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template(image) },
    status: { replicas, readyReplicas: available, availableReplicas: available },
  });
  test('fenceposts: surge rounds up, unavailable down, never both zero', () => {
    const cases: [number, string | number, string | number, number, number][] = [
      [4, '25%', '25%', 1, 1],
      [3, '25%', '25%', 1, 0],
      [10, 3, 0, 3, 0],
      [5, 0, 0, 0, 1],
    ];
    for (const [replicas, maxSurge, maxUnavailable, s, u] of cases)
      assert.deepEqual(
        fenceposts(d(replicas, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } } })),
        {
          maxSurge: s,
          maxUnavailable: u,
        },
      );
  });
  test('templates compare as typed objects: the hash label, null, [] and {} do not count', () => {
    const base = template();
    const cases: [string, unknown, boolean][] = [
      ['the same', template(), true],
      [
        'creationTimestamp: null (rollout undo)',
        { ...base, metadata: { ...base.metadata, creationTimestamp: null } },
        true,
      ],
      ['another pod-template-hash', { ...base, metadata: { labels: { app: 'web', 'pod-template-hash': 'x' } } }, true],
      ['an empty env list', { ...base, spec: { containers: [{ name: 'c', image: 'nginx', env: [] }] } }, true],
      ['another image', template('nginx:2'), false],
    ];
    for (const [what, other, equal] of cases) assert.equal(equalIgnoreHash(base, other as typeof base), equal, what);
  });
  test('a new template: a ReplicaSet of revision 2 sized by maxSurge, the old one kept at minimum availability', () => {
    const plan = planDeployment({
      deployment: d(4),
      replicaSets: [rs('web-old', 'nginx', 4, 4, '1')],
      podsRunning: () => true,
      now: NOW,
    });
    assert.equal(plan.create?.spec.replicas, 1);
    assert.equal(plan.create?.metadata.annotations?.[REVISION], '2');
    assert.match(plan.create?.metadata.name ?? '', /^web-[a-z0-9]+$/);
    assert.equal(
      plan.create?.spec.template?.metadata?.labels?.['pod-template-hash'],
      plan.create?.spec.selector?.matchLabels?.['pod-template-hash'],
    );
    assert.equal(plan.revision, '2');
    // maxUnavailable 1 lets one old pod go in the same sync, as kube does.
    assert.deepEqual(
      plan.update.map((r) => [r.metadata.name, r.spec.replicas]),
      [['web-old', 3]],
    );
  });
  test('the next step scales the old ReplicaSet down by what the new one made available', () => {
    const newRS = rs('web-new', 'nginx:2', 1, 1, '2', 10);
    const plan = planDeployment({
      deployment: d(4),
      replicaSets: [rs('web-old', 'nginx', 4, 4, '1'), newRS],
      podsRunning: () => true,
      now: NOW,
    });
    // 5 pods, 5 available, min available 3: the new one first grows to its surge limit... it is at 1 of 4 with 5 total = max, so old goes to 3.
    assert.deepEqual(
      plan.update.map((r) => [r.metadata.name, r.spec.replicas]),
      [['web-old', 2]],
    );
  });
  test('Recreate: old ReplicaSets to zero, the new one only once their pods are gone', () => {
    const recreate = d(4, { strategy: { type: 'Recreate' } });
    const first = planDeployment({
      deployment: recreate,
      replicaSets: [rs('web-old', 'nginx', 4, 4, '1')],
      podsRunning: () => true,
      now: NOW,
    });
    assert.deepEqual(
      first.update.map((r) => r.spec.replicas),
      [0],
    );
    assert.equal(first.create, undefined);
    const waiting = planDeployment({
      deployment: recreate,
      replicaSets: [rs('web-old', 'nginx', 0, 0, '1')],
      podsRunning: () => true,
      now: NOW,
    });
    assert.equal(waiting.create, undefined, 'old pods still running');
    const go = planDeployment({
      deployment: recreate,
      replicaSets: [rs('web-old', 'nginx', 0, 0, '1')],
      podsRunning: () => false,
      now: NOW,
    });
    assert.equal(go.create?.spec.replicas, 4);
  });
  test('paused: a scale applies to the active ReplicaSet, no new one is made', () => {
    const plan = planDeployment({
      deployment: d(6, { paused: true }),
      replicaSets: [rs('web-old', 'nginx', 4, 4, '1')],
      podsRunning: () => true,
      now: NOW,
    });
    assert.equal(plan.create, undefined);
    assert.deepEqual(
      plan.update.map((r) => r.spec.replicas),
      [6],
    );
    assert.equal(plan.status?.conditions?.find((c) => c.type === 'Progressing')?.reason, 'DeploymentPaused');
  });
  test('history beyond revisionHistoryLimit goes, oldest revision first, only when idle', () => {
    const olds = [1, 2, 3].map((n) => rs(`web-${n}`, `nginx:1.${n}`, 0, 0, String(n), 100 - n));
    // web-2 has a spec change its ReplicaSet controller has not yet seen: not idle.
    olds[1]!.metadata.generation = 3;
    olds[1]!.status!.observedGeneration = 2;
    const current = rs('web-cur', 'nginx:2', 4, 4, '4', 1);
    const plan = planDeployment({
      deployment: d(4, { revisionHistoryLimit: 1 }),
      replicaSets: [...olds, current],
      podsRunning: () => false,
      now: NOW,
    });
    assert.deepEqual(
      plan.delete.map((r) => r.metadata.name),
      ['web-1'],
    );
  });
});

describe('DaemonSet', () => {
  const node = (
    name: string,
    o: { labels?: Record<string, string>; taints?: { key: string; effect: string }[] } = {},
  ): Node => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: o.labels ?? {} },
    spec: { taints: o.taints ?? [] },
  });
  const ds = (o: Partial<DaemonSet['spec']> = {}): DaemonSet => ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'ds', namespace: 'default', uid: 'uid-ds', generation: 1 },
    spec: { selector: { matchLabels: { app: 'web' } }, template: template(), ...o },
  });
  test('which nodes run it: node selector, NoSchedule and NoExecute taints, unschedulable tolerated', () => {
    const d = ds({ template: { ...template(), spec: { ...template().spec, nodeSelector: { role: 'edge' } } } });
    const cases: [Node, boolean, boolean][] = [
      [node('a', { labels: { role: 'edge' } }), true, true],
      [node('b'), false, false],
      [node('c', { labels: { role: 'edge' }, taints: [{ key: 'x', effect: 'NoSchedule' }] }), false, true],
      [node('d', { labels: { role: 'edge' }, taints: [{ key: 'x', effect: 'NoExecute' }] }), false, false],
      [
        node('e', {
          labels: { role: 'edge' },
          taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
        }),
        true,
        true,
      ],
    ];
    for (const [n, run, cont] of cases)
      assert.deepEqual(nodeShouldRun(d, n), { shouldRun: run, shouldContinueRunning: cont }, n.metadata.name);
  });
  const dpod = (name: string, nodeName: string, hash: string, ready = true) => {
    const p = pod(name, {
      node: nodeName,
      ready: ready ? 100 : undefined,
      labels: { app: 'web', 'controller-revision-hash': hash },
    });
    return p;
  };
  test('creates on uncovered nodes, removes extras and pods on nodes that should not run it', () => {
    const plan = planDaemonSet(
      ds(),
      [node('a'), node('b')],
      [dpod('p1', 'a', 'h'), dpod('p2', 'a', 'h'), dpod('p3', 'gone', 'h')],
      'h',
      NOW,
    );
    assert.deepEqual(plan.create, ['b']);
    assert.deepEqual(plan.delete.map((p) => p.metadata.name).sort(), ['p2']);
    assert.equal(plan.status.desiredNumberScheduled, 2);
    assert.equal(plan.status.currentNumberScheduled, 1);
  });
  test('a rolling update replaces old pods within maxUnavailable', () => {
    const nodes = [node('a'), node('b'), node('c')];
    const old = [dpod('pa', 'a', 'old'), dpod('pb', 'b', 'old'), dpod('pc', 'c', 'old')];
    assert.equal(planDaemonSet(ds(), nodes, old, 'new', NOW).delete.length, 1, 'maxUnavailable 1');
    const midway = [dpod('pa2', 'a', 'new', false), dpod('pb', 'b', 'old'), dpod('pc', 'c', 'old')];
    assert.equal(
      planDaemonSet(ds(), nodes, midway, 'new', NOW).delete.length,
      0,
      'waits for the new pod to be available',
    );
    const surge = ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } });
    const s = planDaemonSet(surge, nodes, old, 'new', NOW);
    assert.deepEqual([s.create.length, s.delete.length], [1, 0], 'maxSurge: a new pod beside an old one first');
  });
});

describe('StatefulSet', () => {
  const sts = (replicas: number, o: Partial<StatefulSet['spec']> = {}): StatefulSet => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'default', uid: 'uid-db', generation: 1 },
    spec: { replicas, serviceName: 'db', selector: { matchLabels: { app: 'web' } }, template: template(), ...o },
  });
  const spod = (ord: number, o: { ready?: boolean; rev?: string; deleting?: boolean } = {}) =>
    pod(`db-${ord}`, {
      node: 'n',
      ready: o.ready === false ? undefined : 100,
      deleting: o.deleting,
      labels: { app: 'web', 'controller-revision-hash': o.rev ?? 'db-2' },
    });
  const rev = { current: 'db-1', update: 'db-2' };
  test('OrderedReady makes one pod at a time, each after its predecessors are ready', () => {
    assert.deepEqual(planStatefulSet(sts(3), [], rev, NOW).create, [{ ordinal: 0, revision: 'db-2' }]);
    assert.deepEqual(planStatefulSet(sts(3), [spod(0, { ready: false })], rev, NOW).create, []);
    assert.deepEqual(planStatefulSet(sts(3), [spod(0)], rev, NOW).create, [{ ordinal: 1, revision: 'db-2' }]);
  });
  test('Parallel makes them all at once', () => {
    const plan = planStatefulSet(sts(3, { podManagementPolicy: 'Parallel' }), [], rev, NOW);
    assert.deepEqual(
      plan.create.map((c) => c.ordinal),
      [0, 1, 2],
    );
  });
  test('scales down from the highest ordinal, one at a time', () => {
    const plan = planStatefulSet(sts(1), [spod(0), spod(1), spod(2)], rev, NOW);
    assert.deepEqual(
      plan.delete.map((p) => p.metadata.name),
      ['db-2'],
    );
    const waiting = planStatefulSet(sts(1), [spod(0), spod(1), spod(2, { deleting: true })], rev, NOW);
    assert.deepEqual(waiting.delete, []);
  });
  test('a rolling update goes from the highest ordinal down, above the partition', () => {
    const old = [0, 1, 2].map((i) => spod(i, { rev: 'db-1' }));
    assert.deepEqual(
      planStatefulSet(sts(3), old, rev, NOW).delete.map((p) => p.metadata.name),
      ['db-2'],
    );
    const partitioned = sts(3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
    const step = [spod(0, { rev: 'db-1' }), spod(1, { rev: 'db-1' }), spod(2)];
    assert.deepEqual(planStatefulSet(partitioned, step, rev, NOW).delete, [], 'ordinals below the partition stay');
    const status = planStatefulSet(
      sts(3),
      [0, 1, 2].map((i) => spod(i)),
      rev,
      NOW,
    ).status;
    assert.equal(status.currentRevision, 'db-2', 'all updated and ready: the update revision is current');
  });
  test('revisions: a new template gets the next number; going back renumbers the old revision', () => {
    const set = sts(1);
    const first = planRevisions(set, [], undefined, new Set());
    assert.equal(first.create, true);
    assert.equal(first.current.revision, 1);
    const changed = sts(1, { template: template('nginx:2') });
    const second = planRevisions(changed, [first.current], undefined, new Set());
    assert.equal(second.current.revision, 2);
    const back = planRevisions(set, [first.current, second.current], undefined, new Set());
    assert.deepEqual([back.create, back.renumber, back.current.revision], [false, true, 3]);
  });
});

describe('garbage collector', () => {
  const n = (uid: string, o: Partial<GraphNode> = {}): GraphNode => ({
    uid,
    owners: [],
    deleting: false,
    finalizers: [],
    ...o,
  });
  const ref = (uid: string, block = true) => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    name: uid,
    uid,
    controller: true,
    blockOwnerDeletion: block,
  });
  test('dependents: gone owners mean delete, some gone means drop those references', () => {
    const cases: [
      string,
      GraphNode,
      Record<string, 'absent' | 'present' | 'deletingForeground' | 'unknown'>,
      boolean,
      unknown,
    ][] = [
      ['all present', n('p', { owners: [ref('a')] }), { a: 'present' }, false, { kind: 'keep' }],
      [
        'owner gone',
        n('p', { owners: [ref('a')] }),
        { a: 'absent' },
        false,
        { kind: 'delete', propagationPolicy: 'Background' },
      ],
      [
        'one of two gone',
        n('p', { owners: [ref('a'), ref('b')] }),
        { a: 'absent', b: 'present' },
        false,
        { kind: 'removeOwners', uids: ['a'] },
      ],
      [
        'owner deleting in the foreground, with dependents',
        n('rs', { owners: [ref('d')] }),
        { d: 'deletingForeground' },
        true,
        { kind: 'delete', propagationPolicy: 'Foreground' },
      ],
      ['owner of an unknown kind', n('p', { owners: [ref('x')] }), { x: 'unknown' }, false, { kind: 'keep' }],
      ['already deleting', n('p', { owners: [ref('a')], deleting: true }), { a: 'absent' }, false, { kind: 'keep' }],
    ];
    for (const [name, node, states, deps, want] of cases)
      assert.deepEqual(
        decideDependent(node, (r) => states[r.uid]!, deps),
        want,
        name,
      );
  });
  test('owners: orphan strips references; foreground waits for blocking dependents', () => {
    const owner = (fin: string) => n('d', { deleting: true, finalizers: [fin] });
    const dep = (uid: string, o: Partial<GraphNode> = {}) => n(uid, { owners: [ref('d')], ...o });
    assert.deepEqual(decideOwner(owner('orphan'), [dep('a')]), { kind: 'orphan', dependents: [dep('a')] });
    assert.deepEqual(decideOwner(owner('foregroundDeletion'), []), {
      kind: 'removeFinalizer',
      finalizer: 'foregroundDeletion',
    });
    assert.deepEqual(decideOwner(owner('foregroundDeletion'), [dep('a'), dep('b', { deleting: true })]), {
      kind: 'deleteDependents',
      dependents: [dep('a')],
    });
    assert.deepEqual(decideOwner(owner('foregroundDeletion'), [dep('b', { deleting: true })]), { kind: 'none' });
    assert.deepEqual(
      decideOwner(owner('foregroundDeletion'), [n('c', { owners: [ref('d', false)] })]),
      { kind: 'removeFinalizer', finalizer: 'foregroundDeletion' },
      'only blockOwnerDeletion dependents block',
    );
  });
});
