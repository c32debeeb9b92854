import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffDataplane } from './diff.js';
import { describeChange } from './commands.js';
import type { Dataplane, FdbEntry, NeighEntry, RouteEntry } from './types.js';

const route = (i: number, extra: Partial<RouteEntry> = {}): RouteEntry => ({
  dst: `10.244.${i}.0/24`,
  via: `10.244.${i}.0`,
  dev: 'podnet.1',
  onlink: true,
  ...extra,
});
const neigh = (i: number, mac = `0e:70:00:00:00:0${i}`): NeighEntry => ({ ip: `10.244.${i}.0`, mac, dev: 'podnet.1' });
const fdb = (i: number, dst = `192.168.0.${i}`, mac = `0e:70:00:00:00:0${i}`): FdbEntry => ({
  mac,
  dst,
  dev: 'podnet.1',
});
const peer = (i: number): Dataplane => ({ routes: [route(i)], neighs: [neigh(i)], fdb: [fdb(i)] });
const dp = (p: Partial<Dataplane>): Dataplane => ({ routes: [], neighs: [], fdb: [], ...p });
const merge = (...d: Dataplane[]): Dataplane => ({
  routes: d.flatMap((x) => x.routes),
  neighs: d.flatMap((x) => x.neighs),
  fdb: d.flatMap((x) => x.fdb),
});

const cases: { name: string; desired: Dataplane; observed: Dataplane; want: string[] }[] = [
  { name: 'no-op when nothing is wanted or present', desired: dp({}), observed: dp({}), want: [] },
  { name: 'no-op when equal', desired: merge(peer(2), peer(3)), observed: merge(peer(3), peer(2)), want: [] },
  {
    name: 'add a node: FDB, then neighbour, then route',
    desired: peer(2),
    observed: dp({}),
    want: [
      'bridge fdb replace 0e:70:00:00:00:02 dev podnet.1 dst 192.168.0.2 self permanent',
      'ip neigh replace 10.244.2.0 lladdr 0e:70:00:00:00:02 dev podnet.1 nud permanent',
      'ip route replace 10.244.2.0/24 via 10.244.2.0 dev podnet.1 onlink proto 80',
    ],
  },
  {
    name: 'remove a node: route first',
    desired: peer(2),
    observed: merge(peer(2), peer(3)),
    want: [
      'ip route del 10.244.3.0/24 via 10.244.3.0 dev podnet.1 proto 80',
      'bridge fdb del 0e:70:00:00:00:03 dev podnet.1 dst 192.168.0.3 self',
      'ip neigh del 10.244.3.0 dev podnet.1',
    ],
  },
  {
    name: 'changed MAC: new FDB entry and neighbour, old FDB entry removed',
    desired: dp({
      routes: [route(2)],
      neighs: [neigh(2, '0e:70:00:00:00:99')],
      fdb: [fdb(2, '192.168.0.2', '0e:70:00:00:00:99')],
    }),
    observed: peer(2),
    want: [
      'bridge fdb del 0e:70:00:00:00:02 dev podnet.1 dst 192.168.0.2 self',
      'bridge fdb replace 0e:70:00:00:00:99 dev podnet.1 dst 192.168.0.2 self permanent',
      'ip neigh replace 10.244.2.0 lladdr 0e:70:00:00:00:99 dev podnet.1 nud permanent',
    ],
  },
  {
    name: 'changed public IP: one FDB replace',
    desired: dp({ routes: [route(2)], neighs: [neigh(2)], fdb: [fdb(2, '192.168.0.77')] }),
    observed: peer(2),
    want: ['bridge fdb replace 0e:70:00:00:00:02 dev podnet.1 dst 192.168.0.77 self permanent'],
  },
  {
    name: 'FDB entry with an extra remote: the extra one is removed',
    desired: peer(2),
    observed: merge(peer(2), dp({ fdb: [fdb(2, '192.168.0.66')] })),
    want: ['bridge fdb del 0e:70:00:00:00:02 dev podnet.1 dst 192.168.0.66 self'],
  },
  {
    name: 'changed next hop (host-gw): one route replace',
    desired: dp({ routes: [{ dst: '10.244.2.0/24', via: '192.168.0.2', dev: 'eth0', onlink: false }] }),
    observed: dp({ routes: [{ dst: '10.244.2.0/24', via: '192.168.0.9', dev: 'eth0', onlink: false }] }),
    want: ['ip route replace 10.244.2.0/24 via 192.168.0.2 dev eth0 proto 80'],
  },
  {
    name: 'backend switch vxlan -> host-gw: the vxlan route is replaced in place',
    desired: dp({ routes: [{ dst: '10.244.2.0/24', via: '192.168.0.2', dev: 'eth0', onlink: false }] }),
    observed: peer(2),
    want: [
      'bridge fdb del 0e:70:00:00:00:02 dev podnet.1 dst 192.168.0.2 self',
      'ip route replace 10.244.2.0/24 via 192.168.0.2 dev eth0 proto 80',
      'ip neigh del 10.244.2.0 dev podnet.1',
    ],
  },
  {
    name: 'a route with a metric is not ours to overwrite in place: delete and add',
    desired: peer(2),
    observed: dp({ ...peer(2), routes: [route(2, { metric: 100 })] }),
    want: [
      'ip route del 10.244.2.0/24 via 10.244.2.0 dev podnet.1 proto 80 metric 100',
      'ip route replace 10.244.2.0/24 via 10.244.2.0 dev podnet.1 onlink proto 80',
    ],
  },
];

for (const c of cases) {
  test(`diffDataplane: ${c.name}`, () => {
    assert.deepEqual(diffDataplane(c.desired, c.observed).map(describeChange), c.want);
  });
}
