import { test } from 'node:test';
import assert from 'node:assert/strict';
import { annotationPatch, selfAnnotations } from './peers.js';
import { node } from './testdata.js';

const cases: {
  name: string;
  have: Record<string, string>;
  want: Record<string, string | null>;
  patch: Record<string, string | null> | undefined;
}[] = [
  {
    name: 'fresh node gets all vxlan annotations',
    have: {},
    want: selfAnnotations('vxlan', '192.168.0.11', '0e:70:c0:a8:00:0b'),
    patch: {
      'podnet.io/backend-type': 'vxlan',
      'podnet.io/public-ip': '192.168.0.11',
      'podnet.io/vtep-mac': '0e:70:c0:a8:00:0b',
    },
  },
  {
    name: 'already published: no patch',
    have: {
      'podnet.io/backend-type': 'vxlan',
      'podnet.io/public-ip': '192.168.0.11',
      'podnet.io/vtep-mac': '0e:70:c0:a8:00:0b',
      other: 'x',
    },
    want: selfAnnotations('vxlan', '192.168.0.11', '0e:70:c0:a8:00:0b'),
    patch: undefined,
  },
  {
    name: 'changed public IP: only that key',
    have: {
      'podnet.io/backend-type': 'vxlan',
      'podnet.io/public-ip': '192.168.0.99',
      'podnet.io/vtep-mac': '0e:70:c0:a8:00:0b',
    },
    want: selfAnnotations('vxlan', '192.168.0.11', '0e:70:c0:a8:00:0b'),
    patch: { 'podnet.io/public-ip': '192.168.0.11' },
  },
  {
    name: 'switch to host-gw removes the VTEP MAC',
    have: {
      'podnet.io/backend-type': 'vxlan',
      'podnet.io/public-ip': '192.168.0.11',
      'podnet.io/vtep-mac': '0e:70:c0:a8:00:0b',
    },
    want: selfAnnotations('host-gw', '192.168.0.11', '0e:70:c0:a8:00:0b'),
    patch: { 'podnet.io/backend-type': 'host-gw', 'podnet.io/vtep-mac': null },
  },
  {
    name: 'host-gw without a MAC annotation: nothing to remove',
    have: { 'podnet.io/backend-type': 'host-gw', 'podnet.io/public-ip': '192.168.0.11' },
    want: selfAnnotations('host-gw', '192.168.0.11', undefined),
    patch: undefined,
  },
];

for (const c of cases) {
  test(`annotationPatch: ${c.name}`, () => {
    const got = annotationPatch(node('n1', '10.244.1.0/24', c.have), c.want);
    assert.deepEqual(got, c.patch === undefined ? undefined : { metadata: { annotations: c.patch } });
  });
}
