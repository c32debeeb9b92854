import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DENIED, externalIpsProblem } from './external-ips.js';
import { podCidrProblem } from './pod-cidrs.js';
import { withDefaultTolerations } from './default-toleration-seconds.js';

test('externalIPs: denied by default, allowed from the allow-list, never a cluster address', () => {
  const own = new Set(['192.168.50.1', '192.168.50.2']);
  const cases: [string[] | undefined, string[] | undefined, string[], string | undefined][] = [
    [undefined, undefined, [], undefined],
    [['203.0.113.5'], undefined, [], DENIED],
    [['203.0.113.5'], ['203.0.113.5'], [], undefined], // kept from before
    [['203.0.113.5', '203.0.113.6'], ['203.0.113.5'], [], DENIED],
    [['203.0.113.5'], undefined, ['203.0.113.0/24'], undefined],
    [
      ['198.51.100.1'],
      undefined,
      ['203.0.113.0/24'],
      `${DENIED}: 198.51.100.1 is outside the allowed ranges (--service-external-ip-cidrs 203.0.113.0/24)`,
    ],
    [
      ['192.168.50.1'],
      undefined,
      ['192.168.0.0/16'],
      `${DENIED}: 192.168.50.1 is an address of the cluster itself (an API server or node)`,
    ],
    [['not-an-ip'], undefined, ['0.0.0.0/0'], `${DENIED}: not-an-ip is not an IPv4 address`],
  ];
  for (const [ips, before, allowed, want] of cases)
    assert.equal(externalIpsProblem(ips, before, allowed, own), want, JSON.stringify([ips, before, allowed]));
});

test('podCIDRs never overlap another node', () => {
  const others = [
    { name: 'a', podCIDRs: ['10.244.0.0/24'] },
    { name: 'b', podCIDRs: ['10.244.1.0/24'] },
  ];
  assert.equal(podCidrProblem({ name: 'c', podCIDRs: ['10.244.2.0/24'] }, others), undefined);
  assert.equal(podCidrProblem({ name: 'a', podCIDRs: ['10.244.0.0/24'] }, others), undefined, 'its own');
  assert.equal(
    podCidrProblem({ name: 'c', podCIDRs: ['10.244.1.0/24'] }, others),
    `podCIDR 10.244.1.0/24 overlaps node "b"'s 10.244.1.0/24; each node needs a subnet of its own`,
  );
  assert.match(podCidrProblem({ name: 'c', podCIDRs: ['10.244.0.0/23'] }, others) ?? '', /overlaps node "a"/);
});

test('DefaultTolerationSeconds: 300 s for not-ready and unreachable unless the pod says otherwise', () => {
  const defaults = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ];
  assert.deepEqual(withDefaultTolerations([]), defaults);
  const own = [
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
  ];
  assert.deepEqual(withDefaultTolerations(own), [...own, defaults[0]]);
  const everything = [{ operator: 'Exists' }];
  assert.equal(withDefaultTolerations(everything), everything, 'a toleration of every taint covers both');
  const noSchedule = [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' }];
  assert.deepEqual(withDefaultTolerations(noSchedule), [...noSchedule, ...defaults], 'NoSchedule does not count');
});
