import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hostPortsOf, hostPortTaken } from './host-ports.js';
import { antiAffinityFor, termSelects, type AffinityView, type PodAntiAffinity } from './pod-anti-affinity.js';
import { filterNodes, HOST_PORTS_UNFIT, pickNode, unschedulableMessage } from './scheduler-decide.js';
import { node, pod } from './testdata.js';
import type { Pod } from './types.js';

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
      `0/2 nodes are available: 2 ${HOST_PORTS_UNFIT}. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.`,
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
    assert.equal(pickNode(p, nodes.slice(0, 3), v.podsOn, anti)!.metadata.name, 'n3');
    // Everywhere equally loaded: the usual spread decides.
    assert.equal(pickNode(p, nodes.slice(0, 2), v.podsOn, anti)!.metadata.name, 'n1');
  });
});
