import { test } from 'node:test';
import assert from 'node:assert/strict';
import { desiredDataplane, type DesiredContext } from './desired.js';
import { ANNOTATION_BACKEND_TYPE, ANNOTATION_PUBLIC_IP, ANNOTATION_VTEP_MAC } from './constants.js';
import { node, readyNode, withAnnotations } from './testdata.js';
import type { Dataplane } from './types.js';
import type { OverlayNode } from './peers.js';

const vx: DesiredContext = {
  self: 'n1',
  backend: 'vxlan',
  clusterCidr: '10.244.0.0/16',
  underlayDev: 'eth0',
  underlayCidr: '192.168.0.0/24',
};
const gw: DesiredContext = { ...vx, backend: 'host-gw' };

const mac = (i: number) => `0e:70:c0:a8:00:${(10 + i).toString(16).padStart(2, '0')}`;
const vxlanFor = (i: number): Dataplane => ({
  routes: [{ dst: `10.244.${i}.0/24`, via: `10.244.${i}.0`, dev: 'podnet.1', onlink: true }],
  neighs: [{ ip: `10.244.${i}.0`, mac: mac(i), dev: 'podnet.1' }],
  fdb: [{ mac: mac(i), dst: `192.168.0.${10 + i}`, dev: 'podnet.1' }],
});
const merge = (...d: Dataplane[]): Dataplane => ({
  routes: d.flatMap((x) => x.routes),
  neighs: d.flatMap((x) => x.neighs),
  fdb: d.flatMap((x) => x.fdb),
});
const empty: Dataplane = { routes: [], neighs: [], fdb: [] };
const hostGwRoute = (i: number) => ({
  dst: `10.244.${i}.0/24`,
  via: `192.168.0.${10 + i}`,
  dev: 'eth0',
  onlink: false,
});

const cases: { name: string; nodes: OverlayNode[]; ctx: DesiredContext; want: Dataplane; skipped?: string[] }[] = [
  { name: 'no nodes', nodes: [], ctx: vx, want: empty },
  { name: 'only self', nodes: [readyNode('n1', 1)], ctx: vx, want: empty },
  { name: 'one other node (vxlan)', nodes: [readyNode('n2', 2)], ctx: vx, want: vxlanFor(2) },
  {
    name: 'three nodes, self excluded (vxlan)',
    nodes: [readyNode('n3', 3), readyNode('n1', 1), readyNode('n2', 2)],
    ctx: vx,
    want: merge(vxlanFor(2), vxlanFor(3)),
  },
  {
    name: 'three nodes (host-gw)',
    ctx: gw,
    nodes: [readyNode('n1', 1, 'host-gw'), readyNode('n2', 2, 'host-gw'), readyNode('n3', 3, 'host-gw')],
    want: { routes: [hostGwRoute(2), hostGwRoute(3)], neighs: [], fdb: [] },
  },
  {
    name: 'node without podCIDR skipped',
    nodes: [node('n2', undefined, readyNode('n2', 2).metadata.annotations)],
    ctx: vx,
    want: empty,
    skipped: ['n2: no spec.podCIDR yet'],
  },
  {
    name: 'node without annotations skipped',
    nodes: [node('n2', '10.244.2.0/24'), readyNode('n3', 3)],
    ctx: vx,
    want: vxlanFor(3),
    skipped: ['n2: no podnet.io/backend-type annotation yet (its overlay has not started)'],
  },
  {
    name: 'vxlan node without MAC skipped',
    nodes: [withAnnotations(readyNode('n2', 2), { [ANNOTATION_VTEP_MAC]: undefined })],
    ctx: vx,
    want: empty,
    skipped: ['n2: podnet.io/vtep-mac annotation is missing'],
  },
  {
    name: 'host-gw needs no MAC',
    nodes: [readyNode('n2', 2, 'host-gw')],
    ctx: gw,
    want: { routes: [hostGwRoute(2)], neighs: [], fdb: [] },
  },
  {
    name: 'bad public IP skipped',
    nodes: [withAnnotations(readyNode('n2', 2), { [ANNOTATION_PUBLIC_IP]: 'nope' })],
    ctx: vx,
    want: empty,
    skipped: ['n2: podnet.io/public-ip annotation is "nope", not an IPv4 address'],
  },
  {
    name: 'other backend skipped',
    nodes: [readyNode('n2', 2, 'host-gw')],
    ctx: vx,
    want: empty,
    skipped: ['n2: it runs backend host-gw, this node runs vxlan; every node must use the same backend'],
  },
  {
    name: 'podCIDR outside the cluster CIDR skipped',
    nodes: [node('n2', '10.99.2.0/24', readyNode('n2', 2).metadata.annotations)],
    ctx: vx,
    want: empty,
    skipped: ['n2: podCIDR 10.99.2.0/24 is outside the cluster CIDR 10.244.0.0/16'],
  },
  {
    name: 'podCIDR overlapping self skipped',
    nodes: [readyNode('n1', 1), node('n2', '10.244.1.0/24', readyNode('n2', 2).metadata.annotations)],
    ctx: vx,
    want: empty,
    skipped: ["n2: its podCIDR 10.244.1.0/24 overlaps this node's 10.244.1.0/24"],
  },
  {
    name: 'two nodes claiming one subnet: the first by name wins',
    ctx: vx,
    want: vxlanFor(2),
    nodes: [node('n3', '10.244.2.0/24', readyNode('n3', 3).metadata.annotations), readyNode('n2', 2)],
    skipped: ["n3: its podCIDR 10.244.2.0/24 overlaps node n2's 10.244.2.0/24"],
  },
  {
    name: 'host-gw peer off the L2 network skipped',
    ctx: gw,
    want: empty,
    nodes: [withAnnotations(readyNode('n2', 2, 'host-gw'), { [ANNOTATION_PUBLIC_IP]: '172.16.0.2' })],
    skipped: [
      'n2: host-gw needs every node on one L2 network, and its public IP 172.16.0.2 is outside 192.168.0.0/24; use the vxlan backend',
    ],
  },
  {
    name: 'non-canonical podCIDR and upper-case MAC are normalized',
    ctx: vx,
    want: vxlanFor(2),
    nodes: [
      node('n2', '10.244.2.7/24', {
        ...readyNode('n2', 2).metadata.annotations,
        [ANNOTATION_VTEP_MAC]: '0E:70:C0:A8:00:0C',
        [ANNOTATION_BACKEND_TYPE]: 'vxlan',
      }),
    ],
  },
];

for (const c of cases) {
  test(`desiredDataplane: ${c.name}`, () => {
    const got = desiredDataplane(c.nodes, c.ctx);
    assert.deepEqual(got.dataplane, c.want);
    assert.deepEqual(
      got.skipped.map((s) => `${s.node}: ${s.reason}`),
      c.skipped ?? [],
    );
  });
}

test('desiredDataplane is a pure function of its input (same input, same output, input untouched)', () => {
  const nodes = [readyNode('n3', 3), readyNode('n2', 2)];
  const before = JSON.stringify(nodes);
  assert.deepEqual(desiredDataplane(nodes, vx), desiredDataplane([...nodes].reverse(), vx));
  assert.equal(JSON.stringify(nodes), before);
});
