import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../../api/resources.js';
import type { KObject } from '../../api/meta.js';
import { ruleAllows, uncovered } from './rules.js';
import { RbacIndex } from './rbac-index.js';
import { UnionAuthorizer, forbidden } from './authorizer.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy.js';
import { aggregatedRules } from './aggregation.js';
import { checkEscalation } from './escalation.js';
import { NodeAuthorizer } from './node-authorizer.js';
import { admitNodeWrite, labelRestricted } from './node-restriction.js';
import type { Attributes, BindingObject, PolicyRule, RoleObject, UserInfo } from './types.js';

const user = (name: string, ...groups: string[]): UserInfo => ({ name, groups: [...groups, 'system:authenticated'] });
const res = (
  u: UserInfo,
  verb: string,
  resource: string,
  o: { group?: string; sub?: string; ns?: string; name?: string; fieldSelector?: string } = {},
): Attributes => ({
  kind: 'resource',
  user: u,
  verb,
  apiGroup: o.group ?? '',
  resource,
  subresource: o.sub ?? '',
  namespace: o.ns ?? '',
  name: o.name ?? '',
  ...(o.fieldSelector !== undefined ? { fieldSelector: o.fieldSelector } : {}),
});
const bob = user('bob');

describe('rule matching (RuleAllows)', () => {
  const cases: [string, PolicyRule, Attributes, boolean][] = [
    ['exact', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res(bob, 'get', 'pods'), true],
    ['other verb', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res(bob, 'list', 'pods'), false],
    ['other group', { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] }, res(bob, 'get', 'pods'), false],
    [
      'star everything',
      { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
      res(bob, 'delete', 'x', { group: 'g' }),
      true,
    ],
    [
      'subresource needs its own entry',
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
      res(bob, 'get', 'pods', { sub: 'log' }),
      false,
    ],
    [
      'pods/log',
      { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] },
      res(bob, 'get', 'pods', { sub: 'log' }),
      true,
    ],
    [
      '*/status',
      { verbs: ['get'], apiGroups: [''], resources: ['*/status'] },
      res(bob, 'get', 'nodes', { sub: 'status' }),
      true,
    ],
    [
      'resourceNames hit',
      { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] },
      res(bob, 'get', 'secrets', { name: 'a' }),
      true,
    ],
    [
      'resourceNames miss',
      { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] },
      res(bob, 'get', 'secrets', { name: 'b' }),
      false,
    ],
    [
      'resourceNames never match a list',
      { verbs: ['list'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] },
      res(bob, 'list', 'secrets'),
      false,
    ],
    [
      'url exact',
      { verbs: ['get'], nonResourceURLs: ['/version'] },
      { kind: 'nonresource', user: bob, verb: 'get', path: '/version' },
      true,
    ],
    [
      'url prefix',
      { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
      { kind: 'nonresource', user: bob, verb: 'get', path: '/apis/apps/v1' },
      true,
    ],
    ['url rule is no resource rule', { verbs: ['get'], nonResourceURLs: ['*'] }, res(bob, 'get', 'pods'), false],
  ];
  for (const [name, rule, a, want] of cases) test(name, () => assert.equal(ruleAllows(a, rule), want));
});

describe('covers (escalation)', () => {
  test('what is held covers itself and narrower rules', () => {
    const held: PolicyRule[] = [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', '*/status'] }];
    assert.deepEqual(
      uncovered(held, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['x'] }]),
      [],
    );
    assert.deepEqual(uncovered(held, [{ verbs: ['list'], apiGroups: [''], resources: ['services/status'] }]), []);
  });
  test('each missing verb x resource is reported once', () => {
    const held: PolicyRule[] = [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }];
    assert.deepEqual(uncovered(held, [{ verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods', 'secrets'] }]), [
      { verbs: ['get'], apiGroups: [''], resources: ['secrets'] },
      { verbs: ['delete'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['delete'], apiGroups: [''], resources: ['secrets'] },
    ]);
  });
  test('a named rule does not cover the whole resource; a star verb needs a star', () => {
    const held: PolicyRule[] = [
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] },
    ];
    assert.equal(uncovered(held, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }]).length, 1);
    assert.equal(
      uncovered(held, [{ verbs: ['*'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }]).length,
      1,
    );
  });
});

const clusterRoles = bootstrapClusterRoles as unknown as RoleObject[];
/** The bootstrap roles with aggregation done, as the controller leaves them. */
function aggregated(): RoleObject[] {
  let roles = clusterRoles.map((r) => ({ ...r }));
  for (let i = 0; i < 3; i++) roles = roles.map((r) => ({ ...r, rules: aggregatedRules(r, roles) ?? r.rules }));
  return roles;
}

describe('RbacIndex with the bootstrap policy', () => {
  const binding = (
    name: string,
    ns: string | undefined,
    role: string,
    kind: string,
    subject: BindingObject['subjects'],
  ) =>
    ({
      metadata: { name, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role },
      subjects: subject,
    }) as BindingObject;
  const index = new RbacIndex({
    clusterRoles: aggregated(),
    roles: [
      {
        metadata: { name: 'cm', namespace: 'team' },
        rules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }],
      },
    ],
    clusterRoleBindings: [
      ...(bootstrapClusterRoleBindings as unknown as BindingObject[]),
      binding('v', undefined, 'view', 'ClusterRole', [
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'viewer' },
      ]),
    ],
    roleBindings: [
      binding('a', 'team', 'admin', 'ClusterRole', [
        { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' },
      ]),
      binding('c', 'team', 'cm', 'Role', [{ kind: 'ServiceAccount', name: 'bot' }]),
    ],
  });
  const allowed = (a: Attributes) => index.authorize(a).decision === 'allow';
  const viewer = user('viewer');
  const dev = user('alice', 'devs');
  const bot = { name: 'system:serviceaccount:team:bot', groups: ['system:serviceaccounts', 'system:authenticated'] };
  const dns = {
    name: 'system:serviceaccount:kube-system:kube-dns',
    groups: ['system:serviceaccounts', 'system:authenticated'],
  };
  const cases: [string, Attributes, boolean][] = [
    ['viewer lists pods anywhere', res(viewer, 'list', 'pods', { ns: 'x' }), true],
    ['viewer reads no secrets', res(viewer, 'get', 'secrets', { ns: 'x', name: 's' }), false],
    ['viewer writes nothing', res(viewer, 'create', 'pods', { ns: 'x' }), false],
    [
      'viewer reads deployments (aggregated into view)',
      res(viewer, 'get', 'deployments', { group: 'apps', ns: 'x' }),
      true,
    ],
    ['any user asks can-i', res(bob, 'create', 'selfsubjectaccessreviews', { group: 'authorization.k8s.io' }), true],
    ['any user reads discovery', { kind: 'nonresource', user: bob, verb: 'get', path: '/apis/apps/v1' }, true],
    ['any user reads no metrics', { kind: 'nonresource', user: bob, verb: 'get', path: '/metrics' }, false],
    [
      'admin in team: secrets (from edit via aggregation)',
      res(dev, 'delete', 'secrets', { ns: 'team', name: 's' }),
      true,
    ],
    ['admin in team: roles', res(dev, 'create', 'roles', { group: 'rbac.authorization.k8s.io', ns: 'team' }), true],
    ['admin in team only', res(dev, 'get', 'pods', { ns: 'other' }), false],
    ['admin in team: no nodes', res(dev, 'get', 'nodes'), false],
    ['ServiceAccount subject in the binding namespace', res(bot, 'get', 'configmaps', { ns: 'team', name: 'x' }), true],
    ['ServiceAccount: no list', res(bot, 'list', 'configmaps', { ns: 'team' }), false],
    ['DNS watches EndpointSlices', res(dns, 'watch', 'endpointslices', { group: 'discovery.k8s.io' }), true],
    ['DNS reads no Secrets', res(dns, 'list', 'secrets'), false],
  ];
  for (const [name, a, want] of cases) test(name, () => assert.equal(allowed(a), want));
});

describe('aggregation', () => {
  test('admin holds edit and view rules; view holds no write', () => {
    const roles = aggregated();
    const rulesOf = (n: string) => roles.find((r) => r.metadata.name === n)!.rules ?? [];
    const edit = rulesOf('edit');
    assert.deepEqual(uncovered(rulesOf('admin'), edit), []);
    assert.deepEqual(uncovered(edit, rulesOf('view')), []);
    assert.ok(rulesOf('view').every((r) => r.verbs.every((v) => ['get', 'list', 'watch'].includes(v))));
    assert.equal(
      aggregatedRules(
        roles.find((r) => r.metadata.name === 'cluster-admin')!,
        roles,
      ),
      undefined,
    );
  });
});

describe('union and messages', () => {
  test('system:masters is allowed before anything is asked; nothing allowing is a denial', () => {
    const never = { authorize: () => ({ decision: 'no-opinion' as const, reason: 'not mine' }) };
    const u = new UnionAuthorizer([never]);
    assert.equal(u.authorize(res(user('root', 'system:masters'), 'delete', 'nodes')).decision, 'allow');
    assert.deepEqual(u.authorize(res(bob, 'get', 'pods')), { decision: 'deny', reason: 'not mine' });
  });
  test("kube's 403 wording", () => {
    assert.equal(
      forbidden(res(bob, 'get', 'secrets', { ns: 'a', name: 's' }), '').message,
      'secrets "s" is forbidden: User "bob" cannot get resource "secrets" in API group "" in the namespace "a"',
    );
    assert.equal(
      forbidden(res(bob, 'list', 'deployments', { group: 'apps' }), '').message,
      'deployments.apps is forbidden: User "bob" cannot list resource "deployments" in API group "apps" at the cluster scope',
    );
    assert.equal(
      forbidden({ kind: 'nonresource', user: bob, verb: 'get', path: '/metrics' }, '').message,
      'forbidden: User "bob" cannot get path "/metrics"',
    );
  });
});

describe('escalation check', () => {
  const roles = findResource('rbac.authorization.k8s.io', 'v1', 'roles')!;
  const bindings = findResource('rbac.authorization.k8s.io', 'v1', 'rolebindings')!;
  const held: PolicyRule[] = [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }];
  const deps = {
    authorizer: { authorize: () => ({ decision: 'no-opinion' as const, reason: '' }) },
    rbac: () => ({ rulesFor: () => held }) as unknown as RbacIndex,
    roleRules: (kind: string, _ns: string, name: string) =>
      name === 'pods'
        ? held
        : name === 'cluster-admin'
          ? [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]
          : undefined,
  };
  const role = (rules: PolicyRule[]) =>
    ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'r', namespace: 'n' },
      rules,
    }) as unknown as KObject;
  const bind = (name: string) =>
    ({
      metadata: { name: 'b', namespace: 'n' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    }) as unknown as KObject;
  test('rules held pass; more is refused with what is missing', () => {
    checkEscalation(deps, roles, role(held), bob);
    assert.throws(
      () => checkEscalation(deps, roles, role([{ verbs: ['delete'], apiGroups: [''], resources: ['pods'] }]), bob),
      /attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["pods"\], Verbs:\["delete"\]\}/,
    );
  });
  test('bindings: to a role held, yes; to cluster-admin or a missing role, no', () => {
    checkEscalation(deps, bindings, bind('pods'), bob);
    assert.throws(() => checkEscalation(deps, bindings, bind('cluster-admin'), bob), /not currently held/);
    assert.throws(() => checkEscalation(deps, bindings, bind('nope'), bob), /not found/);
  });
  test('the bind and escalate verbs, and system:masters, skip the check', () => {
    const yes = { ...deps, authorizer: { authorize: () => ({ decision: 'allow' as const, reason: '' }) } };
    checkEscalation(yes, bindings, bind('cluster-admin'), bob);
    checkEscalation(deps, bindings, bind('cluster-admin'), user('root', 'system:masters'));
  });
});

describe('Node authorizer and NodeRestriction', () => {
  const n1 = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
  const z = new NodeAuthorizer();
  z.graph.setPod('/registry/core/pods/a/p1', {
    metadata: { namespace: 'a', name: 'p1' },
    spec: {
      nodeName: 'n1',
      containers: [{ envFrom: [{ secretRef: { name: 's1' } }] }],
      volumes: [{ configMap: { name: 'c1' } }],
    },
  });
  z.graph.setPod('/registry/core/pods/a/p2', {
    metadata: { namespace: 'a', name: 'p2' },
    spec: { nodeName: 'n2', containers: [{ env: [{ valueFrom: { secretKeyRef: { name: 's2' } } }] }] },
  });
  const decide = (a: Attributes) => z.authorize(a).decision;
  test('Secrets and ConfigMaps: only those its pods use, only by name', () => {
    assert.equal(decide(res(n1, 'get', 'secrets', { ns: 'a', name: 's1' })), 'allow');
    assert.equal(decide(res(n1, 'get', 'configmaps', { ns: 'a', name: 'c1' })), 'allow');
    assert.equal(decide(res(n1, 'get', 'secrets', { ns: 'a', name: 's2' })), 'no-opinion');
    assert.equal(decide(res(n1, 'list', 'secrets', { ns: 'a' })), 'no-opinion');
    assert.equal(decide(res(n1, 'watch', 'secrets', { ns: 'a', name: 's1' })), 'allow');
  });
  test('a pod leaving the node takes its links with it', () => {
    z.graph.setPod('/registry/core/pods/a/p1', undefined);
    assert.equal(decide(res(n1, 'get', 'secrets', { ns: 'a', name: 's1' })), 'no-opinion');
  });
  test('pods: lists only with its own spec.nodeName; others are not nodes', () => {
    assert.equal(decide(res(n1, 'list', 'pods', { fieldSelector: 'spec.nodeName=n1' })), 'allow');
    assert.equal(decide(res(n1, 'list', 'pods', { fieldSelector: 'spec.nodeName=n2' })), 'no-opinion');
    assert.equal(decide(res(n1, 'list', 'pods')), 'no-opinion');
    assert.equal(decide(res(n1, 'patch', 'pods', { sub: 'status', ns: 'a', name: 'x' })), 'allow');
    assert.equal(decide(res(n1, 'create', 'pods', { sub: 'exec', ns: 'a', name: 'x' })), 'no-opinion');
    assert.equal(decide(res(user('system:node:n1'), 'get', 'secrets', { ns: 'a', name: 's1' })), 'no-opinion');
  });

  const nodes = findResource('', 'v1', 'nodes')!;
  const pods = findResource('', 'v1', 'pods')!;
  const leases = findResource('coordination.k8s.io', 'v1', 'leases')!;
  const node = (name: string, extra: Record<string, unknown> = {}, labels: Record<string, string> = {}) =>
    ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, ...extra }) as KObject;
  const pod = (nodeName: string) =>
    ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'a' }, spec: { nodeName } }) as KObject;
  const refusals: [string, Parameters<typeof admitNodeWrite>[0], RegExp | undefined][] = [
    ['own node', { ri: nodes, operation: 'update', obj: node('n1'), old: node('n1'), user: n1 }, undefined],
    ['another node', { ri: nodes, operation: 'delete', obj: node('n2'), user: n1 }, /not allowed to modify node "n2"/],
    [
      'create with a podCIDR',
      { ri: nodes, operation: 'create', obj: node('n1', { spec: { podCIDR: '10.244.9.0/24' } }), user: n1 },
      /podCIDR/,
    ],
    [
      'change the podCIDR',
      {
        ri: nodes,
        operation: 'update',
        obj: node('n1', { spec: { podCIDR: 'x' } }),
        old: node('n1', { spec: { podCIDR: 'y' } }),
        user: n1,
      },
      /podCIDR/,
    ],
    [
      'kubelet labels are fine',
      { ri: nodes, operation: 'create', obj: node('n1', {}, { 'kubernetes.io/os': 'linux', team: 'a' }), user: n1 },
      undefined,
    ],
    [
      'restricted label',
      {
        ri: nodes,
        operation: 'update',
        obj: node('n1', {}, { 'node-restriction.kubernetes.io/x': 'y' }),
        old: node('n1'),
        user: n1,
      },
      /labels/,
    ],
    [
      'status of own pod',
      { ri: pods, operation: 'update', subresource: 'status', obj: pod('n1'), old: pod('n1'), user: n1 },
      undefined,
    ],
    [
      'status of another node pod',
      { ri: pods, operation: 'update', subresource: 'status', obj: pod('n1'), old: pod('n2'), user: n1 },
      /spec.nodeName set to itself/,
    ],
    ['delete another node pod', { ri: pods, operation: 'delete', obj: pod('n2'), user: n1 }, /can only delete pods/],
    ['create a pod', { ri: pods, operation: 'create', obj: pod('n1'), user: n1 }, /mirror pods/],
    [
      'another lease',
      {
        ri: leases,
        operation: 'update',
        obj: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: 'n2', namespace: 'kube-node-lease' },
        },
        user: n1,
      },
      /node lease/,
    ],
    ['not a node: not restricted', { ri: nodes, operation: 'delete', obj: node('n2'), user: bob }, undefined],
  ];
  for (const [name, w, want] of refusals)
    test(`NodeRestriction: ${name}`, () => (want ? assert.throws(() => admitNodeWrite(w), want) : admitNodeWrite(w)));
  test('restricted labels', () => {
    assert.deepEqual(
      [
        'kubernetes.io/hostname',
        'node.kubernetes.io/x',
        'node-role.kubernetes.io/master',
        'example.com/x',
        'plain',
      ].map(labelRestricted),
      [false, false, true, false, false],
    );
  });
});
