import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  desiredEndpointGroups,
  planEndpointSlices,
  podToEndpoint,
  type EndpointGroup,
} from './endpointslice-desired.js';
import { existingSlice, pod, service } from './testdata.js';
import type { EndpointSlice } from './types.js';

const http = { name: 'http', port: 8080, protocol: 'TCP' };

describe('endpoint conditions (kube podToEndpoint)', () => {
  const cases: {
    name: string;
    pod: Parameters<typeof pod>[1];
    publish?: boolean;
    want: { ready: boolean; serving: boolean; terminating: boolean };
  }[] = [
    { name: 'ready pod', pod: { ready: true }, want: { ready: true, serving: true, terminating: false } },
    { name: 'not ready pod', pod: { ready: false }, want: { ready: false, serving: false, terminating: false } },
    {
      name: 'terminating ready pod is serving but not ready',
      pod: { ready: true, deleting: true },
      want: { ready: false, serving: true, terminating: true },
    },
    {
      name: 'publishNotReadyAddresses makes a not ready pod ready',
      pod: { ready: false },
      publish: true,
      want: { ready: true, serving: false, terminating: false },
    },
    {
      name: 'publishNotReadyAddresses keeps a terminating pod ready',
      pod: { ready: false, deleting: true },
      publish: true,
      want: { ready: true, serving: false, terminating: true },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const ep = podToEndpoint(
        pod('p', { ip: '10.244.1.5', node: 'n1', ...c.pod }),
        service('web', { publishNotReady: c.publish }),
        '10.244.1.5',
      );
      assert.deepEqual(ep.conditions, c.want);
      assert.deepEqual(ep.targetRef, { kind: 'Pod', namespace: 'default', name: 'p', uid: 'uid-p' });
      assert.equal(ep.nodeName, 'n1');
    });
  }
});

describe('desiredEndpointGroups', () => {
  test('selects pods by labels in the service namespace; skips terminal and IP-less pods; keeps terminating ones', () => {
    const pods = [
      pod('a', { ip: '10.244.1.2' }),
      pod('b', { ip: '10.244.1.3', labels: { app: 'other' } }),
      pod('c', { ip: '10.244.1.4', ns: 'elsewhere' }),
      pod('d', { ip: '10.244.1.5', phase: 'Succeeded' }),
      pod('e', {}),
      pod('f', { ip: '10.244.1.6', deleting: true }),
    ];
    const groups = [...desiredEndpointGroups(service('web'), pods).values()];
    assert.equal(groups.length, 1);
    assert.deepEqual(groups[0]!.ports, [http]);
    assert.deepEqual(
      groups[0]!.endpoints.map((e) => [e.addresses[0], e.conditions.terminating]),
      [
        ['10.244.1.2', false],
        ['10.244.1.6', true],
      ],
    );
  });

  test('a named targetPort resolves per pod; pods without the name form their own group', () => {
    const svc = service('web', {
      ports: [
        { name: 'http', port: 80, targetPort: 'web' },
        { name: 'metrics', port: 9090, targetPort: 9090 },
      ],
    });
    const groups = desiredEndpointGroups(svc, [
      pod('a', { ip: '10.0.0.1', ports: [{ name: 'web', containerPort: 8080 }] }),
      pod('b', { ip: '10.0.0.2', ports: [{ name: 'web', containerPort: 8081 }] }),
      pod('c', { ip: '10.0.0.3' }),
    ]);
    const summary = [...groups.values()].map((g) => [
      g.ports.map((p) => `${p.name}:${p.port}`).join(','),
      g.endpoints.map((e) => e.addresses[0]).join(','),
    ]);
    assert.deepEqual(summary, [
      ['http:8080,metrics:9090', '10.0.0.1'],
      ['http:8081,metrics:9090', '10.0.0.2'],
      ['metrics:9090', '10.0.0.3'],
    ]);
  });

  test('hostname only when subdomain names the service', () => {
    const groups = desiredEndpointGroups(service('db'), [
      pod('a', { ip: '10.0.0.1', hostname: 'db-0', subdomain: 'db' }),
      pod('b', { ip: '10.0.0.2', hostname: 'db-1', subdomain: 'other' }),
    ]);
    assert.deepEqual(
      [...groups.values()][0]!.endpoints.map((e) => e.hostname),
      ['db-0', undefined],
    );
  });

  test('a service without selector or of type ExternalName gets nothing', () => {
    assert.equal(desiredEndpointGroups(service('s', { selector: null }), [pod('a', { ip: '10.0.0.1' })]).size, 0);
    assert.equal(desiredEndpointGroups(service('s', { type: 'ExternalName' }), [pod('a', { ip: '10.0.0.1' })]).size, 0);
  });
});

describe('planEndpointSlices', () => {
  const svc = service('web');
  const groupOf = (n: number, from = 1): Map<string, EndpointGroup> => {
    const pods = Array.from({ length: n }, (_, i) =>
      pod(`p${String(i + from).padStart(3, '0')}`, {
        ip: `10.244.${Math.floor((i + from) / 250)}.${((i + from) % 250) + 1}`,
      }),
    );
    return desiredEndpointGroups(svc, pods);
  };
  const eps = (g: Map<string, EndpointGroup>) => [...g.values()][0]!.endpoints;
  const summary = (plan: ReturnType<typeof planEndpointSlices>) => ({
    create: plan.create.map((s) => s.endpoints?.length ?? 0),
    update: plan.update.map((s) => `${s.metadata.name}:${s.endpoints?.length ?? 0}`),
    delete: plan.delete.map((s) => s.metadata.name),
  });

  test('no slices yet: creates slices of at most 100 with kube labels, owner and generateName', () => {
    const plan = planEndpointSlices(svc, groupOf(250), []);
    assert.deepEqual(summary(plan), { create: [100, 100, 50], update: [], delete: [] });
    const s = plan.create[0]!;
    assert.equal(s.metadata.generateName, 'web-');
    assert.equal(s.addressType, 'IPv4');
    assert.deepEqual(s.metadata.labels, {
      'kubernetes.io/service-name': 'web',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    assert.deepEqual(s.metadata.ownerReferences, [
      {
        apiVersion: 'v1',
        kind: 'Service',
        name: 'web',
        uid: 'svc-uid-web',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.deepEqual(s.ports, [http]);
  });

  test('nothing changed: no writes', () => {
    const g = groupOf(3);
    const plan = planEndpointSlices(svc, g, [existingSlice(svc, 'web-abc', [http], eps(g))]);
    assert.deepEqual(summary(plan), { create: [], update: [], delete: [] });
  });

  test('one pod gone, one new: only the slice holding it is updated, and takes the new one', () => {
    const old = groupOf(3);
    const full = groupOf(100, 10);
    const existing: EndpointSlice[] = [
      existingSlice(svc, 'web-a', [http], eps(old)),
      existingSlice(svc, 'web-full', [http], eps(full)),
    ];
    const now = desiredEndpointGroups(svc, [
      pod('p001', { ip: '10.244.0.2' }),
      pod('p002', { ip: '10.244.0.3' }),
      pod('p999', { ip: '10.244.9.9' }),
      ...Array.from({ length: 100 }, (_, i) =>
        pod(`p${String(i + 10).padStart(3, '0')}`, { ip: `10.244.0.${i + 11}` }),
      ),
    ]);
    const plan = planEndpointSlices(svc, now, existing);
    assert.deepEqual(summary(plan), { create: [], update: ['web-a:3'], delete: [] });
    assert.deepEqual(
      plan.update[0]!.endpoints!.map((e) => e.targetRef?.name),
      ['p001', 'p002', 'p999'],
    );
  });

  test('a condition change updates the endpoint in place', () => {
    const g = groupOf(2);
    const before = existingSlice(svc, 'web-a', [http], eps(g));
    const after = desiredEndpointGroups(svc, [
      pod('p001', { ip: '10.244.0.2', ready: false }),
      pod('p002', { ip: '10.244.0.3' }),
    ]);
    const plan = planEndpointSlices(svc, after, [before]);
    assert.deepEqual(summary(plan), { create: [], update: ['web-a:2'], delete: [] });
    assert.equal(plan.update[0]!.endpoints![0]!.conditions.ready, false);
    assert.equal(plan.update[0]!.metadata.resourceVersion, '10', 'updates carry the version they replace');
  });

  test('all pods gone: the slices go and one placeholder (no ports, no endpoints) stays', () => {
    const g = groupOf(2);
    const plan = planEndpointSlices(svc, new Map(), [
      existingSlice(svc, 'web-a', [http], eps(g)),
      existingSlice(svc, 'web-b', [http], eps(groupOf(1, 50))),
    ]);
    assert.deepEqual(summary(plan), { create: [], update: ['web-a:0'], delete: ['web-b'] });
    assert.equal(plan.update[0]!.ports, undefined);
    const fresh = planEndpointSlices(svc, new Map(), []);
    assert.deepEqual(summary(fresh), { create: [0], update: [], delete: [] });
    assert.equal(fresh.create[0]!.ports, undefined);
  });

  test('the placeholder is deleted once there are endpoints; a slice with a stale port set is replaced', () => {
    const placeholder = existingSlice(svc, 'web-p', null, []);
    const stale = existingSlice(svc, 'web-old', [{ name: 'http', port: 9999, protocol: 'TCP' }], eps(groupOf(1)));
    const plan = planEndpointSlices(svc, groupOf(2), [placeholder, stale]);
    assert.deepEqual(
      summary(plan),
      { create: [], update: ['web-p:2'], delete: ['web-old'] },
      'a doomed slice is rewritten rather than deleted and created',
    );
    assert.deepEqual(plan.update[0]!.ports, [http]);
  });

  test('changed service labels are copied to the slices', () => {
    const labelled = service('web', { labels: { team: 'a' } });
    const g = desiredEndpointGroups(labelled, [pod('p', { ip: '10.0.0.1' })]);
    const plan = planEndpointSlices(labelled, g, [existingSlice(labelled, 'web-a', [http], eps(g))]);
    assert.deepEqual(summary(plan), { create: [], update: ['web-a:1'], delete: [] });
    assert.equal(plan.update[0]!.metadata.labels!.team, 'a');
  });
});
