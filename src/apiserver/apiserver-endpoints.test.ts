import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kubernetesSlices, type ApiserverAddress } from './apiserver-endpoints.js';

test('kubernetesSlices: one slice per port, "kubernetes" for the first', () => {
  const cases: { name: string; servers: ApiserverAddress[]; want: [string, number, string[]][] }[] = [
    { name: 'none', servers: [], want: [] },
    {
      name: 'three hosts on one port: one slice, as kube-apiserver keeps it',
      servers: [
        { ip: '10.0.0.1', port: 6443 },
        { ip: '10.0.0.2', port: 6443 },
        { ip: '10.0.0.3', port: 6443 },
      ],
      want: [['kubernetes', 6443, ['10.0.0.1', '10.0.0.2', '10.0.0.3']]],
    },
    {
      name: 'two servers on one host (podnet up --apiservers 2)',
      servers: [
        { ip: '10.0.0.1', port: 6443 },
        { ip: '10.0.0.1', port: 6444 },
      ],
      want: [
        ['kubernetes', 6443, ['10.0.0.1']],
        ['kubernetes-6444', 6444, ['10.0.0.1']],
      ],
    },
  ];
  for (const c of cases) {
    const got = kubernetesSlices(c.servers).map((s) => {
      const o = s as unknown as { ports: { port: number }[]; endpoints: { addresses: string[] }[] };
      return [s.metadata.name, o.ports[0]!.port, o.endpoints.map((e) => e.addresses[0]!)];
    });
    assert.deepEqual(got, c.want, c.name);
  }
});
