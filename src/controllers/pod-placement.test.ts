import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hostPortsOf, hostPortTaken } from './host-ports.js';
import { antiAffinityFor, termSelects, type AffinityView, type PodAntiAffinity } from './pod-anti-affinity.js';
import { filterNodes, HOST_PORTS_UNFIT, pickNode, unschedulableMessage } from './scheduler-decide.js';
import { AFFINITY_UNFIT, affinityFor, type PodAffinity } from './pod-affinity.js';
import {
  SPREAD_MISSING_LABEL,
  SPREAD_UNFIT,
  spreadScores,
  topologySpreadFor,
  type TopologySpreadConstraint,
} from './topology-spread.js';
import { node, pod } from './testdata.js';
import type { Pod, Service } from './types.js';
import { defaultSelector, defaultSpreadConstraints } from './default-spread.js';
import type { LabelSelectorObject } from '../api/selectors/index.js';

const withPorts = (
  p: Pod,
  ports: { containerPort: number; hostPort?: number; protocol?: string; hostIP?: string }[],
  hostNetwork = false,
): Pod => ({ ...p, spec: { ...p.spec, hostNetwork, containers: [{ name: 'c', ports }] } });

describe('host ports (NodePorts filter)', () => {
  test('hostNetwork pods take every containerPort; others only hostPorts', () => {
    assert.deepEqual(hostPortsOf(withPorts(pod('a'), [{ containerPort: 53, protocol: 'UDP' }], true)), [
      { protocol: 'UDP', port: 53, ip: '' },
    ]);
    assert.deepEqual(hostPortsOf(withPorts(pod('a'), [{ containerPort: 80 }])), []);
    assert.deepEqual(hostPortsOf(withPorts(pod('a'), [{ containerPort: 80, hostPort: 8080 }])), [
      { protocol: 'TCP', port: 8080, ip: '' },
    ]);
  });

  const dns = (name: string, o: Parameters<typeof pod>[1] = {}) =>
    withPorts(pod(name, o), [{ containerPort: 53, protocol: 'UDP' }], true);
  const cases: [string, Pod[], boolean][] = [
    ['empty node', [], false],
    ['same port and protocol', [dns('old')], true],
    ['a terminating pod still holds its port', [dns('old', { deleting: true })], true],
    ['a finished pod does not', [dns('old', { phase: 'Succeeded' })], false],
    ['other protocol', [withPorts(pod('o'), [{ containerPort: 53, protocol: 'TCP' }], true)], false],
    [
      'other host IP on both sides',
      [withPorts(pod('o'), [{ containerPort: 1, hostPort: 53, protocol: 'UDP', hostIP: '10.0.0.9' }])],
      true,
    ],
    ['a pod without host ports', [pod('o', { ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] })], false],
  ];
  for (const [name, on, want] of cases) test(name, () => assert.equal(hostPortTaken(dns('new'), on), want));

  test('specific host IPs conflict only when equal', () => {
    const at = (ip: string, name: string) => withPorts(pod(name), [{ containerPort: 80, hostPort: 80, hostIP: ip }]);
    assert.equal(hostPortTaken(at('10.0.0.1', 'a'), [at('10.0.0.2', 'b')]), false);
    assert.equal(hostPortTaken(at('10.0.0.1', 'a'), [at('10.0.0.1', 'b')]), true);
    assert.equal(hostPortTaken(at('0.0.0.0', 'a'), [at('10.0.0.1', 'b')]), true);
  });

  test('the unschedulable message names the port filter', () => {
    const nodes = [node('n1'), node('n2')];
    const { feasible, reasons } = filterNodes(dns('new'), nodes, { podsOn: (n) => [dns(`old-${n}`, { node: n })] });
    assert.deepEqual(feasible, []);
    assert.equal(
      unschedulableMessage(2, reasons),
      `0/2 nodes are available: 2 ${HOST_PORTS_UNFIT}. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.`,
    );
  });
});

describe('pod anti-affinity', () => {
  const term = (labels: Record<string, string>, topologyKey = 'kubernetes.io/hostname') => ({
    labelSelector: { matchLabels: labels },
    topologyKey,
  });
  const withAnti = (p: Pod, anti: PodAntiAffinity): Pod => ({
    ...p,
    spec: { ...p.spec, affinity: { podAntiAffinity: anti } },
  });
  const nodes = [
    node('n1', { labels: { zone: 'a' } }),
    node('n2', { labels: { zone: 'a' } }),
    node('n3', { labels: { zone: 'b' } }),
    node('n4'),
  ];
  const view = (on: Record<string, Pod[]>, nsLabels: Record<string, Record<string, string>> = {}): AffinityView => ({
    nodes,
    podsOn: (n) => on[n] ?? [],
    namespaceLabels: (ns) => nsLabels[ns],
    podsWithRequiredAntiAffinity: () =>
      Object.values(on)
        .flat()
        .filter((p) => p.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length),
  });
  const feasibleFor = (p: Pod, on: Record<string, Pod[]>, nsLabels = {}) => {
    const v = view(on, nsLabels);
    return filterNodes(p, nodes, { podsOn: v.podsOn, antiAffinity: antiAffinityFor(p, v) }).feasible.map(
      (n) => n.metadata.name,
    );
  };

  test('no anti-affinity anywhere costs nothing', () =>
    assert.equal(antiAffinityFor(pod('a'), view({ n1: [pod('b', { node: 'n1' })] })), undefined));

  const dnsLabels = { 'k8s-app': 'kube-dns' };
  const cases: [string, Pod, Record<string, Pod[]>, string[], Record<string, Record<string, string>>?][] = [
    [
      'required by hostname: not beside a selected pod',
      withAnti(pod('new', { labels: dnsLabels }), {
        requiredDuringSchedulingIgnoredDuringExecution: [term(dnsLabels)],
      }),
      { n1: [pod('old', { node: 'n1', labels: dnsLabels })] },
      ['n2', 'n3', 'n4'],
    ],
    [
      'required by zone: the whole zone, and a node without the label is in none',
      withAnti(pod('new', { labels: dnsLabels }), {
        requiredDuringSchedulingIgnoredDuringExecution: [term(dnsLabels, 'zone')],
      }),
      { n1: [pod('old', { node: 'n1', labels: dnsLabels })] },
      ['n3', 'n4'],
    ],
    [
      'other namespaces are not selected by default',
      withAnti(pod('new', { labels: dnsLabels }), {
        requiredDuringSchedulingIgnoredDuringExecution: [term(dnsLabels)],
      }),
      { n1: [pod('old', { node: 'n1', labels: dnsLabels, ns: 'other' })] },
      ['n1', 'n2', 'n3', 'n4'],
    ],
    [
      'namespaces by selector',
      withAnti(pod('new'), {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { ...term(dnsLabels), namespaceSelector: { matchLabels: { team: 'x' } } },
        ],
      }),
      {
        n1: [pod('old', { node: 'n1', labels: dnsLabels, ns: 'other' })],
        n2: [pod('o2', { node: 'n2', labels: dnsLabels, ns: 'third' })],
      },
      ['n2', 'n3', 'n4'],
      { other: { team: 'x' }, third: { team: 'y' } },
    ],
    [
      "an existing pod's required term keeps the new pod away (symmetry)",
      pod('new', { labels: { app: 'web' } }),
      {
        n3: [
          withAnti(pod('loner', { node: 'n3' }), {
            requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' })],
          }),
        ],
      },
      ['n1', 'n2', 'n4'],
    ],
  ];
  for (const [name, p, on, want, ns] of cases) test(name, () => assert.deepEqual(feasibleFor(p, on, ns), want));

  test('termSelects: an empty namespaceSelector means every namespace; a null label selector nothing', () => {
    const other = pod('o', { ns: 'x', labels: dnsLabels });
    assert.equal(
      termSelects({ ...term(dnsLabels), namespaceSelector: {} }, 'default', other, () => undefined),
      true,
    );
    assert.equal(
      termSelects({ labelSelector: null, topologyKey: 'k' }, 'x', other, () => undefined),
      false,
    );
  });

  test('preferred: the least loaded domain wins over fewer siblings', () => {
    const p = withAnti(pod('new', { labels: dnsLabels, owner: 'rs' }), {
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term(dnsLabels) }],
    });
    const on: Record<string, Pod[]> = {
      n1: [pod('d1', { node: 'n1', labels: dnsLabels })],
      n2: [pod('d2', { node: 'n2', labels: dnsLabels })],
      n3: [pod('s1', { node: 'n3', owner: 'rs', labels: { other: 'x' } })],
    };
    const v = view(on);
    const anti = antiAffinityFor(p, v);
    assert.equal(pickNode(p, nodes.slice(0, 3), v.podsOn, { antiAffinity: anti })!.metadata.name, 'n3');
    // Everywhere equally loaded: the usual spread decides.
    assert.equal(pickNode(p, nodes.slice(0, 2), v.podsOn, { antiAffinity: anti })!.metadata.name, 'n1');
  });
});

describe('pod affinity', () => {
  const nodes = [
    node('n1', { labels: { zone: 'a' } }),
    node('n2', { labels: { zone: 'a' } }),
    node('n3', { labels: { zone: 'b' } }),
    node('n4'),
  ];
  const cache = { app: 'cache' };
  const withAffinity = (p: Pod, podAffinity: PodAffinity): Pod => ({
    ...p,
    spec: { ...p.spec, affinity: { podAffinity } },
  });
  const required = (labels: Record<string, string>, topologyKey = 'zone', extra = {}) => ({
    requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: labels }, topologyKey, ...extra }],
  });
  const view = (on: Record<string, Pod[]>, nsLabels: Record<string, Record<string, string>> = {}) => ({
    nodes,
    podsOn: (n: string) => on[n] ?? [],
    namespaceLabels: (ns: string) => nsLabels[ns],
  });
  const feasibleFor = (p: Pod, on: Record<string, Pod[]>, nsLabels = {}) => {
    const v = view(on, nsLabels);
    return filterNodes(p, nodes, { podsOn: v.podsOn, affinity: affinityFor(p, v) }).feasible.map(
      (n) => n.metadata.name,
    );
  };

  const cases: [string, Pod, Record<string, Pod[]>, string[], Record<string, Record<string, string>>?][] = [
    [
      'required by zone: the whole zone of a selected pod',
      withAffinity(pod('web'), required(cache)),
      { n2: [pod('c', { node: 'n2', labels: cache })] },
      ['n1', 'n2'],
    ],
    [
      'required by hostname: only its node',
      withAffinity(pod('web'), required(cache, 'kubernetes.io/hostname')),
      { n3: [pod('c', { node: 'n3', labels: cache })] },
      ['n3'],
    ],
    ['nothing matches and the pod is not its own match: nowhere', withAffinity(pod('web'), required(cache)), {}, []],
    [
      'the first pod of a group that selects itself: any node with the key (n4 has none)',
      withAffinity(pod('c0', { labels: cache }), required(cache)),
      {},
      ['n1', 'n2', 'n3'],
    ],
    [
      'a selected pod in another namespace does not count by default',
      withAffinity(pod('web'), required(cache)),
      { n3: [pod('c', { node: 'n3', labels: cache, ns: 'other' })] },
      [],
    ],
    [
      'namespaces listed',
      withAffinity(pod('web'), required(cache, 'zone', { namespaces: ['other'] })),
      { n3: [pod('c', { node: 'n3', labels: cache, ns: 'other' })] },
      ['n3'],
    ],
    [
      'namespaceSelector',
      withAffinity(pod('web'), required(cache, 'zone', { namespaceSelector: { matchLabels: { team: 'x' } } })),
      {
        n1: [pod('c1', { node: 'n1', labels: cache, ns: 'other' })],
        n3: [pod('c3', { node: 'n3', labels: cache, ns: 'third' })],
      },
      ['n3'],
      { third: { team: 'x' }, other: { team: 'y' } },
    ],
    [
      'a finished pod is not there any more',
      withAffinity(pod('web'), required(cache)),
      { n3: [pod('c', { node: 'n3', labels: cache, phase: 'Succeeded' })] },
      [],
    ],
  ];
  for (const [name, p, on, want, ns] of cases) test(name, () => assert.deepEqual(feasibleFor(p, on, ns), want));

  test('two required terms: a pod counts only when it matches both', () => {
    const p = withAffinity(pod('web'), {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { labelSelector: { matchLabels: cache }, topologyKey: 'zone' },
        { labelSelector: { matchLabels: { tier: 'hot' } }, topologyKey: 'zone' },
      ],
    });
    assert.deepEqual(feasibleFor(p, { n3: [pod('c', { node: 'n3', labels: cache })] }), []);
    assert.deepEqual(feasibleFor(p, { n3: [pod('c', { node: 'n3', labels: { ...cache, tier: 'hot' } })] }), ['n3']);
  });

  test("the message names kube's affinity reason, and preemption cannot help", () => {
    const p = withAffinity(pod('web'), required(cache));
    const { reasons } = filterNodes(p, nodes, { podsOn: () => [], affinity: affinityFor(p, view({})) });
    assert.equal(
      unschedulableMessage(4, reasons),
      `0/4 nodes are available: 4 ${AFFINITY_UNFIT}. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.`,
    );
  });

  test('preferred: the heaviest domain wins over fewer siblings; anti-affinity weights subtract', () => {
    const term = (labels: Record<string, string>, topologyKey = 'zone') => ({
      labelSelector: { matchLabels: labels },
      topologyKey,
    });
    const on: Record<string, Pod[]> = {
      n1: [pod('s1', { node: 'n1', owner: 'rs' })],
      n3: [pod('c', { node: 'n3', labels: cache }), pod('s3', { node: 'n3', owner: 'rs' })],
    };
    const v = view(on);
    const p = withAffinity(pod('web', { owner: 'rs' }), {
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term(cache) }],
    });
    assert.equal(pickNode(p, nodes, v.podsOn, { affinity: affinityFor(p, v) })!.metadata.name, 'n3');
    const both: Pod = {
      ...p,
      spec: {
        ...p.spec,
        affinity: {
          ...p.spec!.affinity,
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 80, podAffinityTerm: term({ app: 'web' }, 'kubernetes.io/hostname') },
            ],
          },
        },
      },
    };
    // n3 holds the cache (+50) but two web pods (-80 each by host), n1 one web pod: the empty n2 wins.
    on.n3!.push(pod('w', { node: 'n3', labels: { app: 'web' } }));
    const rules = {
      affinity: affinityFor(both, v),
      antiAffinity: antiAffinityFor(both, { ...v, podsWithRequiredAntiAffinity: () => [] }),
    };
    assert.equal(pickNode(both, nodes, v.podsOn, rules)!.metadata.name, 'n2');
  });
});

describe('topology spread', () => {
  const host = (name: string, zone?: string, o: Parameters<typeof node>[1] = {}) =>
    node(name, { ...o, labels: { 'kubernetes.io/hostname': name, ...(zone ? { zone } : {}), ...o.labels } });
  const web = { app: 'web' };
  const spread = (c: Partial<TopologySpreadConstraint>[], o: Parameters<typeof pod>[1] = {}): Pod => {
    const p = pod('new', { labels: web, ...o });
    return {
      ...p,
      spec: {
        ...p.spec,
        topologySpreadConstraints: c.map((x) => ({
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: web },
          ...x,
        })),
      },
    };
  };
  /** n -> how many web pods on it. */
  const placed = (counts: Record<string, number>, labels = web): Record<string, Pod[]> =>
    Object.fromEntries(
      Object.entries(counts).map(([n, k]) => [
        n,
        Array.from({ length: k }, (_, i) => pod(`${n}-${i}`, { node: n, labels })),
      ]),
    );
  const feasibleFor = (p: Pod, nodes: ReturnType<typeof node>[], on: Record<string, Pod[]>) => {
    const v = { nodes, podsOn: (n: string) => on[n] ?? [] };
    const { feasible, reasons } = filterNodes(p, nodes, { podsOn: v.podsOn, spread: topologySpreadFor(p, v) });
    return { names: feasible.map((n) => n.metadata.name), reasons };
  };
  const three = [host('n1', 'a'), host('n2', 'a'), host('n3', 'b')];

  const cases: [string, Pod, ReturnType<typeof node>[], Record<string, Pod[]>, string[]][] = [
    ['empty cluster: anywhere', spread([{}]), three, {}, ['n1', 'n2', 'n3']],
    ['maxSkew 1 by host: only the emptiest', spread([{}]), three, placed({ n1: 1, n2: 1 }), ['n3']],
    ['maxSkew 2 by host', spread([{ maxSkew: 2 }]), three, placed({ n1: 2, n2: 1 }), ['n2', 'n3']],
    ['by zone: zone b has fewer', spread([{ topologyKey: 'zone' }]), three, placed({ n1: 1 }), ['n3']],
    [
      'a pod the selector does not take does not add itself',
      spread([{}], { labels: { app: 'other' } }),
      three,
      placed({ n1: 1, n2: 1 }),
      ['n1', 'n2', 'n3'],
    ],
    [
      'pods of other namespaces, terminating or finished ones do not count',
      spread([{}]),
      three,
      {
        n1: [pod('x', { node: 'n1', labels: web, ns: 'other' })],
        n2: [pod('y', { node: 'n2', labels: web, deleting: true })],
        n3: [pod('z', { node: 'n3', labels: web, phase: 'Failed' })],
      },
      ['n1', 'n2', 'n3'],
    ],
    [
      'a node without the key is not a domain and cannot take the pod',
      spread([{ topologyKey: 'zone' }]),
      [...three, host('n4')],
      placed({ n1: 1, n3: 1 }),
      ['n1', 'n2', 'n3'],
    ],
    [
      'minDomains above the domain count: the minimum is 0',
      spread([{ topologyKey: 'zone', minDomains: 3 }]),
      three,
      placed({ n1: 1, n3: 1 }),
      [],
    ],
    [
      'matchLabelKeys narrows the selector to the pod’s own revision',
      spread([{ matchLabelKeys: ['pod-template-hash'] }], { labels: { ...web, 'pod-template-hash': 'v2' } }),
      three,
      { ...placed({ n1: 2, n2: 2 }), n3: [pod('v2', { node: 'n3', labels: { ...web, 'pod-template-hash': 'v2' } })] },
      ['n1', 'n2'],
    ],
    [
      'nodeAffinityPolicy Honor (default): a node the pod cannot go to is no domain',
      { ...spread([{}]), spec: { ...spread([{}]).spec, nodeSelector: { disk: 'ssd' } } },
      [host('n1', 'a', { labels: { disk: 'ssd' } }), host('n2', 'a', { labels: { disk: 'ssd' } }), host('n3', 'b')],
      placed({ n1: 1 }),
      ['n2'],
    ],
    [
      'nodeTaintsPolicy Ignore (default): a tainted empty node still holds the minimum at 0',
      spread([{}]),
      [host('n1'), host('n2'), host('n3', undefined, { taints: [{ key: 'k', effect: 'NoSchedule' }] })],
      placed({ n1: 1, n2: 1 }),
      [],
    ],
    [
      'nodeTaintsPolicy Honor: the tainted node is no domain',
      spread([{ nodeTaintsPolicy: 'Honor' }]),
      [host('n1'), host('n2'), host('n3', undefined, { taints: [{ key: 'k', effect: 'NoSchedule' }] })],
      placed({ n1: 1, n2: 1 }),
      ['n1', 'n2'],
    ],
    [
      'ScheduleAnyway never filters',
      spread([{ whenUnsatisfiable: 'ScheduleAnyway' }]),
      three,
      placed({ n1: 5 }),
      ['n1', 'n2', 'n3'],
    ],
  ];
  for (const [name, p, nodes, on, want] of cases)
    test(name, () => assert.deepEqual(feasibleFor(p, nodes, on).names, want));

  test("kube's message: skew is resolvable by preemption, a missing label is not", () => {
    const { reasons } = feasibleFor(
      spread([{ topologyKey: 'zone' }]),
      [...three, host('n4')],
      placed({ n1: 1, n2: 1 }),
    );
    assert.equal(
      unschedulableMessage(4, reasons),
      `0/4 nodes are available: 1 ${SPREAD_MISSING_LABEL}, 2 ${SPREAD_UNFIT}. preemption: 0/4 nodes are available: 2 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.`,
    );
  });

  test('ScheduleAnyway scores: the emptiest domain first, a node without the key last', () => {
    const p = spread([{ whenUnsatisfiable: 'ScheduleAnyway', topologyKey: 'zone' }]);
    const nodes = [...three, host('n4')];
    const on = placed({ n1: 1, n2: 1, n3: 1 });
    const v = { nodes, podsOn: (n: string) => on[n] ?? [] };
    const s = topologySpreadFor(p, v)!;
    assert.deepEqual(
      nodes.map((n) => s.cost(n)),
      [Math.round(2 * Math.log(4)), Math.round(2 * Math.log(4)), Math.round(Math.log(4)), undefined],
    );
    assert.equal(pickNode(p, nodes, v.podsOn, { spread: s })!.metadata.name, 'n3');
    assert.deepEqual(spreadScores([6, 3, undefined, 0]), [0, 50, 0, 100]);
  });

  test('placing six replicas one by one with maxSkew 1 by host gives 2/2/2', () => {
    const on: Record<string, Pod[]> = {};
    for (let i = 0; i < 6; i++) {
      const p = { ...spread([{}]), metadata: { ...spread([{}]).metadata, name: `r${i}`, uid: `r${i}` } };
      const v = { nodes: three, podsOn: (n: string) => on[n] ?? [] };
      const rules = { spread: topologySpreadFor(p, v) };
      const { feasible } = filterNodes(p, three, { podsOn: v.podsOn, ...rules });
      const chosen = pickNode(p, feasible, v.podsOn, rules)!.metadata.name!;
      (on[chosen] ??= []).push({ ...p, spec: { ...p.spec, nodeName: chosen } });
    }
    assert.deepEqual(
      three.map((n) => on[n.metadata.name!]?.length),
      [2, 2, 2],
    );
  });
});

describe("kube's default spreading", () => {
  const web = { app: 'web' };
  const svc = (name: string, selector: Record<string, string>): Service => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { selector },
  });
  const cases: [string, Pod, Parameters<typeof defaultSelector>[1], LabelSelectorObject | undefined][] = [
    ['nothing groups a bare pod', pod('p', { labels: web }), { services: [] }, undefined],
    [
      'Services selecting the pod merge; others do not count',
      pod('p', { labels: { ...web, tier: 'front' } }),
      { services: [svc('a', web), svc('b', { tier: 'front' }), svc('c', { app: 'db' })] },
      { matchLabels: { app: 'web', tier: 'front' }, matchExpressions: [] },
    ],
    [
      "the controller's selector joins",
      pod('p', { labels: { ...web, 'pod-template-hash': 'h' } }),
      {
        services: [],
        controllerSelector: {
          matchLabels: { 'pod-template-hash': 'h' },
          matchExpressions: [{ key: 'app', operator: 'Exists' }],
        },
      },
      { matchLabels: { 'pod-template-hash': 'h' }, matchExpressions: [{ key: 'app', operator: 'Exists' }] },
    ],
  ];
  for (const [name, p, src, want] of cases) test(name, () => assert.deepEqual(defaultSelector(p, src), want));

  test('only for pods without their own constraints: hostname maxSkew 3, zone maxSkew 5, soft', () => {
    const src = { services: [svc('a', web)] };
    assert.deepEqual(
      defaultSpreadConstraints(pod('p'), src).map((c) => [c.topologyKey, c.maxSkew, c.whenUnsatisfiable]),
      [
        ['kubernetes.io/hostname', 3, 'ScheduleAnyway'],
        ['topology.kubernetes.io/zone', 5, 'ScheduleAnyway'],
      ],
    );
    const own: Pod = {
      ...pod('p'),
      spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'k', whenUnsatisfiable: 'DoNotSchedule' }] },
    };
    assert.deepEqual(defaultSpreadConstraints(own, src), []);
  });

  test('scored on nodes with any of the keys: nodes without a zone still spread by host', () => {
    const nodes = [node('n1'), node('n2'), node('n3')];
    const on: Record<string, Pod[]> = {
      n1: [pod('a', { node: 'n1' }), pod('b', { node: 'n1' })],
      n2: [pod('c', { node: 'n2' })],
    };
    const p = pod('new');
    const v = { nodes, podsOn: (n: string) => on[n] ?? [] };
    const spread = topologySpreadFor(p, v, defaultSpreadConstraints(p, { services: [svc('a', web)] }))!;
    assert.deepEqual(
      nodes.map((n) => spread.cost(n)),
      [4, 3, 2].map((k) => Math.round(k * Math.log(5))),
    );
    assert.equal(pickNode(p, nodes, v.podsOn, { spread })!.metadata.name, 'n3');
  });
});
