import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NetworkPicture } from './network-model.js';
import { escapeXml, renderNetworkSvg } from './network-svg.js';

const pod = (name: string, ready = true) => ({
  key: `default/${name}`,
  name,
  namespace: 'default',
  ip: '10.244.1.2',
  phase: 'Running',
  ready,
  hostNetwork: false,
  containers: ['c'],
});

const picture: NetworkPicture = {
  nodes: [
    {
      name: 'n1',
      ip: '10.250.0.2',
      podCidr: '10.244.1.0/24',
      backend: 'vxlan',
      ready: true,
      pods: [pod('web-1'), pod('a<b>')],
    },
    {
      name: 'n2',
      ip: '10.250.0.3',
      podCidr: '10.244.2.0/24',
      backend: 'vxlan',
      ready: false,
      pods: [pod('web-2', false)],
    },
  ],
  unscheduled: [pod('pending')],
  tunnels: [{ from: 'n1', to: 'n2', kind: 'vxlan' }],
  services: [
    {
      key: 'default/web',
      name: 'web',
      namespace: 'default',
      type: 'ClusterIP',
      clusterIp: '10.96.0.20',
      ports: ['80→8080'],
      dnsNames: ['web.default.svc.cluster.local', 'shop.mall'],
      routes: ['shop.example.com/'],
      endpoints: [
        { pod: 'default/web-1', ip: '10.244.1.2', ready: true },
        { pod: 'default/web-2', ip: '10.244.2.2', ready: false },
        { ip: '192.0.2.1', ready: true },
      ],
    },
  ],
};

test('every node, pod, Service, tunnel and Service-to-pod line is drawn', () => {
  const svg = renderNetworkSvg(picture);
  assert.match(svg, /^<svg [^>]*viewBox="0 0 \d+ \d+"/);
  for (const s of ['data-node="n1"', 'data-node="n2"', 'data-node="not scheduled"', '10.244.1.0/24', 'VXLAN tunnel'])
    assert.ok(svg.includes(s), s);
  for (const p of ['default/web-1', 'default/web-2', 'default/pending']) assert.ok(svg.includes(`data-pod="${p}"`), p);
  assert.ok(svg.includes('data-service="default/web"'));
  for (const t of ['10.96.0.20 : 80→8080', 'dns shop.mall', 'route shop.example.com/', '2/3 endpoints ready'])
    assert.ok(svg.includes(escapeXml(t)), t);
  // One line per endpoint that is a pod in the picture; the unready one dashed.
  const links = [...svg.matchAll(/<path class="(link[^"]*)"[^>]*data-to="([^"]+)"/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(links, [
    ['link', 'default/web-1'],
    ['link not-ready', 'default/web-2'],
  ]);
  assert.ok(svg.includes('n2 (NotReady)'));
});

test('names are escaped', () => {
  const svg = renderNetworkSvg(picture);
  assert.ok(!svg.includes('a<b>'));
  assert.ok(svg.includes('a&lt;b&gt;'));
  assert.equal(escapeXml(`<x a="1" b='2'>&`), '&lt;x a=&quot;1&quot; b=&#39;2&#39;&gt;&amp;');
});

test('an empty cluster is an empty picture, not an error', () => {
  const svg = renderNetworkSvg({ nodes: [], unscheduled: [], tunnels: [], services: [] });
  assert.match(svg, /^<svg .*<\/svg>$/);
});
