import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProxyState, ipv4Order } from './model.js';
import { NODE, slice, svc, tcp } from './testdata.js';
import type { EndpointSliceObject, ServiceObject } from './types.js';

const eps = (list: { ip: string; port: number }[]) => list.map((e) => `${e.ip}:${e.port}`);

describe('proxy model', () => {
  const cases: {
    name: string;
    services: ServiceObject[];
    slices: EndpointSliceObject[];
    want: Record<string, { cluster: string[]; external?: string[]; has?: boolean }> | string[];
  }[] = [
    {
      name: 'ready endpoints only; not-ready ones left out',
      services: [svc('web', { clusterIP: '10.96.0.5', ports: [tcp(80, { targetPort: 8080 })] })],
      slices: [slice('web', [{ port: 8080 }], ['10.244.1.2', { ip: '10.244.2.2', ready: false }])],
      want: { 'default/web/tcp/p80': { cluster: ['10.244.1.2:8080'] } },
    },
    {
      name: 'terminating-but-serving endpoints are the fallback when none is ready',
      services: [svc('web', { clusterIP: '10.96.0.5', ports: [tcp(80)] })],
      slices: [
        slice(
          'web',
          [{ port: 80 }],
          [
            { ip: '10.244.1.2', ready: false, serving: true, terminating: true },
            { ip: '10.244.1.3', ready: false, serving: false, terminating: true },
          ],
        ),
      ],
      want: { 'default/web/tcp/p80': { cluster: ['10.244.1.2:80'] } },
    },
    {
      name: 'named targetPorts resolve per slice; multi-port services get one entry per port',
      services: [
        svc('web', {
          clusterIP: '10.96.0.5',
          ports: [tcp(80, { name: 'http', targetPort: 'web' }), { name: 'dns', protocol: 'UDP', port: 53 }],
        }),
      ],
      slices: [
        slice(
          'web',
          [
            { name: 'http', port: 8080 },
            { name: 'dns', port: 5353, protocol: 'UDP' },
          ],
          ['10.244.1.2'],
        ),
        slice('web', [{ name: 'http', port: 9090 }], ['10.244.2.2']),
      ],
      want: {
        'default/web/tcp/http': { cluster: ['10.244.1.2:8080', '10.244.2.2:9090'] },
        'default/web/udp/dns': { cluster: ['10.244.1.2:5353'] },
      },
    },
    {
      name: 'internalTrafficPolicy Local keeps node-local endpoints for ClusterIP traffic only',
      services: [
        svc('web', {
          type: 'NodePort',
          clusterIP: '10.96.0.5',
          internalTrafficPolicy: 'Local',
          ports: [tcp(80, { nodePort: 30080 })],
        }),
      ],
      slices: [slice('web', [{ port: 80 }], [{ ip: '10.244.1.2', node: 'n1' }, '10.244.2.2'])],
      want: { 'default/web/tcp/p80': { cluster: ['10.244.1.2:80'], external: ['10.244.1.2:80', '10.244.2.2:80'] } },
    },
    {
      name: 'externalTrafficPolicy Local with no local endpoints: empty external list, but the service has endpoints',
      services: [
        svc('web', {
          type: 'NodePort',
          clusterIP: '10.96.0.5',
          externalTrafficPolicy: 'Local',
          ports: [tcp(80, { nodePort: 30080 })],
        }),
      ],
      slices: [slice('web', [{ port: 80 }], ['10.244.2.2'])],
      want: { 'default/web/tcp/p80': { cluster: ['10.244.2.2:80'], external: [], has: true } },
    },
    {
      name: 'no endpoints at all',
      services: [svc('web', { clusterIP: '10.96.0.5', ports: [tcp(80)] })],
      slices: [],
      want: { 'default/web/tcp/p80': { cluster: [], has: false } },
    },
    {
      name: 'headless and ExternalName services get nothing',
      services: [
        svc('h', { clusterIP: 'None', ports: [tcp(80)] }),
        svc('x', { type: 'ExternalName', ports: [tcp(80)] }),
      ],
      slices: [slice('h', [{ port: 80 }], ['10.244.1.2'])],
      want: [],
    },
    {
      name: 'slices of other services and other namespaces do not leak in; duplicates across slices count once',
      services: [svc('web', { clusterIP: '10.96.0.5', ports: [tcp(80)] })],
      slices: [
        slice('web', [{ port: 80 }], ['10.244.1.2']),
        slice('web', [{ port: 80 }], ['10.244.1.2']),
        slice('web', [{ port: 80 }], ['10.244.9.9'], 'other'),
        slice('db', [{ port: 80 }], ['10.244.8.8']),
      ],
      want: { 'default/web/tcp/p80': { cluster: ['10.244.1.2:80'] } },
    },
    {
      name: 'an endpoint in two slices: its first listing decides; endpoints come out in address order',
      services: [svc('web', { clusterIP: '10.96.0.5', ports: [tcp(80)] })],
      slices: [
        slice('web', [{ port: 80 }], ['10.244.3.1', { ip: '10.244.1.2', ready: false }]),
        slice('web', [{ port: 80 }], ['10.244.1.2', '10.244.1.10', '10.244.3.1']),
      ],
      want: { 'default/web/tcp/p80': { cluster: ['10.244.1.10:80', '10.244.3.1:80'] } },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const state = buildProxyState(c.services, c.slices, NODE);
      if (Array.isArray(c.want)) {
        assert.deepEqual(
          state.ports.map((p) => p.id),
          c.want,
        );
        return;
      }
      assert.deepEqual(
        state.ports.map((p) => p.id),
        Object.keys(c.want).sort(),
      );
      for (const p of state.ports) {
        const w: { cluster: string[]; external?: string[]; has?: boolean } = (
          c.want as Record<string, { cluster: string[]; external?: string[]; has?: boolean }>
        )[p.id]!;
        assert.deepEqual(eps(p.clusterEndpoints), w.cluster, `${p.id} cluster endpoints`);
        if (w.external) assert.deepEqual(eps(p.externalEndpoints), w.external, `${p.id} external endpoints`);
        if (w.has !== undefined) assert.equal(p.hasEndpoints, w.has);
      }
    });
  }

  test('ClientIP affinity carries its timeout (default 10800 s); NodePort only for NodePort/LoadBalancer types', () => {
    const s = buildProxyState(
      [
        svc('a', { clusterIP: '10.96.0.5', sessionAffinity: 'ClientIP', ports: [tcp(80, { nodePort: 30001 })] }),
        svc('b', {
          type: 'NodePort',
          clusterIP: '10.96.0.6',
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
          externalIPs: ['192.168.0.50'],
          ports: [tcp(80, { nodePort: 30002 })],
        }),
      ],
      [],
      NODE,
    );
    assert.equal(s.ports[0]!.affinitySeconds, 10800);
    assert.equal(s.ports[0]!.nodePort, undefined);
    assert.equal(s.ports[1]!.affinitySeconds, 60);
    assert.equal(s.ports[1]!.nodePort, 30002);
    assert.deepEqual(s.ports[1]!.externalIPs, ['192.168.0.50']);
  });
});

describe('endpoint order', () => {
  test('ipv4Order orders addresses numerically, not as text', () => {
    const cases: [string, number][] = [
      ['0.0.0.0', 0],
      ['0.0.0.1', 1],
      ['0.0.1.0', 256],
      ['10.244.1.2', 10 * 2 ** 24 + 244 * 2 ** 16 + 256 + 2],
      ['255.255.255.255', 2 ** 32 - 1],
    ];
    for (const [ip, want] of cases) assert.equal(ipv4Order(ip), want, ip);
    assert.ok(ipv4Order('10.244.0.9') < ipv4Order('10.244.0.10'));
  });

  test('endpoints come out by address, then port, whatever the slices order', () => {
    const state = buildProxyState(
      [svc('web', { clusterIP: '10.96.0.5', ports: [tcp(80, { name: 'http', targetPort: 'web' })] })],
      [
        slice('web', [{ name: 'http', port: 9090 }], ['10.244.0.10', '10.244.0.9']),
        slice('web', [{ name: 'http', port: 8080 }], ['10.244.0.10', '9.1.1.1']),
      ],
      NODE,
    );
    assert.deepEqual(eps(state.ports[0]!.clusterEndpoints), [
      '9.1.1.1:8080',
      '10.244.0.9:9090',
      '10.244.0.10:8080',
      '10.244.0.10:9090',
    ]);
  });
});
