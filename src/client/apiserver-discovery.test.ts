import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KObject } from '../api/meta.js';
import { findResource } from '../api/resources.js';
import { apiserverUrls, ApiserverDiscovery } from './apiserver-discovery.js';
import { KubeClient } from './client.js';
import { FakeApiServer } from './testing/fake-apiserver.js';

const slice = (name: string, port: number, ips: string[], extra: Partial<Record<string, unknown>> = {}): KObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
  addressType: 'IPv4',
  endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
  ports: [{ name: 'https', port, protocol: 'TCP' }],
  ...extra,
});

test('apiserverUrls: every ready endpoint at its slice port, sorted, once', () => {
  const cases: { name: string; slices: KObject[]; want: string[] }[] = [
    { name: 'no slices', slices: [], want: [] },
    {
      name: 'three hosts, one port',
      slices: [slice('kubernetes', 6443, ['10.0.0.3', '10.0.0.1', '10.0.0.2'])],
      want: ['https://10.0.0.1:6443', 'https://10.0.0.2:6443', 'https://10.0.0.3:6443'],
    },
    {
      name: 'one host, two ports (a slice each)',
      slices: [slice('kubernetes', 6443, ['10.0.0.1']), slice('kubernetes-6444', 6444, ['10.0.0.1'])],
      want: ['https://10.0.0.1:6443', 'https://10.0.0.1:6444'],
    },
    {
      name: 'not ready endpoints are left out',
      slices: [
        slice('kubernetes', 6443, [], {
          endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: false } }, { addresses: ['10.0.0.2'] }],
        }),
      ],
      want: ['https://10.0.0.2:6443'],
    },
    {
      name: 'IPv6 in brackets',
      slices: [slice('kubernetes', 6443, ['fd00::1'], { addressType: 'IPv6' })],
      want: ['https://[fd00::1]:6443'],
    },
    {
      name: 'a slice without a port says nothing',
      slices: [slice('kubernetes', 6443, ['10.0.0.1'], { ports: [] })],
      want: [],
    },
    {
      name: 'listed twice, once',
      slices: [slice('kubernetes', 6443, ['10.0.0.1']), slice('kubernetes-x', 6443, ['10.0.0.1'])],
      want: ['https://10.0.0.1:6443'],
    },
  ];
  for (const c of cases) assert.deepEqual(apiserverUrls(c.slices), c.want, c.name);
});

test('a client configured with one server learns the others and fails over to them', async (t) => {
  const pods = findResource('', 'v1', 'pods')!;
  const first = await FakeApiServer.start();
  const second = await FakeApiServer.start();
  const client = new KubeClient({ server: first.url });
  t.after(async () => {
    client.close();
    await second.close();
  });
  const portOf = (url: string) => Number(new URL(url).port);
  first.put('discovery.k8s.io/v1', 'endpointslices', slice('kubernetes', portOf(first.url), ['127.0.0.1']));
  first.put('discovery.k8s.io/v1', 'endpointslices', slice('kubernetes-2', portOf(second.url), ['127.0.0.1']));
  const learned = await new ApiserverDiscovery(client).refresh();
  assert.deepEqual(learned, [first.url, second.url].sort());
  second.put('v1', 'pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-second', namespace: 'default' } });
  await first.close();
  const list = await client.list(pods, 'default');
  assert.deepEqual(
    list.items.map((p) => p.metadata.name),
    ['on-second'],
  );
  assert.equal(client.activeServer, second.url);
});

test('learned servers that leave the list are forgotten; configured ones stay', () => {
  const client = new KubeClient({ server: 'https://10.0.0.1:6443', servers: ['https://10.0.0.2:6443'] });
  client.learnServers(['https://10.0.0.3:6443', 'https://10.0.0.1:6443']);
  assert.deepEqual(client.servers, ['https://10.0.0.1:6443', 'https://10.0.0.2:6443', 'https://10.0.0.3:6443']);
  client.learnServers(['https://10.0.0.4:6443']);
  assert.deepEqual(client.servers, ['https://10.0.0.1:6443', 'https://10.0.0.2:6443', 'https://10.0.0.4:6443']);
  client.close();
});
