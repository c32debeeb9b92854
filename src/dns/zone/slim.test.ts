import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slimService } from './slim.js';
import type { DnsService } from './objects.js';

const api = (spec: object, metadata: object = {}): DnsService => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name: 'web',
    namespace: 'shop',
    uid: 'u-1',
    resourceVersion: '42',
    creationTimestamp: '2026-01-01T00:00:00Z',
    labels: { app: 'web' },
    managedFields: [],
    ...metadata,
  },
  spec: { selector: { app: 'web' }, sessionAffinity: 'None', ...spec } as DnsService['spec'], // as the API serves it: more than DNS reads
});

/** What DNS reads of a Service, through the API shape. */
const view = (s: DnsService) => ({
  apiVersion: s.apiVersion,
  kind: s.kind,
  name: s.metadata.name,
  namespace: s.metadata.namespace,
  rv: s.metadata.resourceVersion,
  uid: s.metadata.uid,
  created: s.metadata.creationTimestamp,
  annotations: s.metadata.annotations,
  type: s.spec?.type,
  clusterIP: s.spec?.clusterIP,
  clusterIPs: s.spec?.clusterIPs,
  externalName: s.spec?.externalName,
  publishNotReady: s.spec?.publishNotReadyAddresses,
  ports: s.spec?.ports?.map((p) => `${p.name}/${p.protocol}/${p.port}`),
});

test('slim Services read back through metadata and spec: only what DNS needs', () => {
  const base = {
    apiVersion: 'v1',
    kind: 'Service',
    name: 'web',
    namespace: 'shop',
    rv: '42',
    uid: undefined,
    created: undefined,
    annotations: undefined,
    type: undefined,
    clusterIP: undefined,
    clusterIPs: undefined,
    externalName: undefined,
    publishNotReady: undefined,
    ports: undefined,
  };
  const rows: [string, DnsService, object][] = [
    [
      'IPv4 ClusterIP, named and unnamed ports',
      api({
        clusterIP: '10.96.3.250',
        clusterIPs: ['10.96.3.250'],
        ports: [{ name: 'http', port: 80 }, { port: 81 }, { name: 'dns', protocol: 'UDP', port: 53 }],
      }),
      { clusterIP: '10.96.3.250', ports: ['http/TCP/80', 'dns/UDP/53'] },
    ],
    ['high IPv4 address (sign bit)', api({ clusterIP: '250.0.0.1' }), { clusterIP: '250.0.0.1' }],
    ['IPv6 ClusterIP', api({ clusterIP: 'fd00::5', clusterIPs: ['fd00::5'] }), { clusterIP: 'fd00::5' }],
    [
      'dual-stack',
      api({ clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5', 'fd00::5'] }),
      { clusterIPs: ['10.96.0.5', 'fd00::5'] },
    ],
    [
      'headless',
      api({ clusterIP: 'None', publishNotReadyAddresses: true }),
      { clusterIP: 'None', publishNotReady: true },
    ],
    [
      'ExternalName',
      api({ type: 'ExternalName', externalName: 'example.com' }),
      { type: 'ExternalName', externalName: 'example.com' },
    ],
    [
      'business names keep uid and creationTimestamp (claims, Events)',
      api({ clusterIP: '10.96.0.7' }, { annotations: { 'podnet.io/dns-names': 'a.mall', other: 'x' } }),
      {
        clusterIP: '10.96.0.7',
        uid: 'u-1',
        created: '2026-01-01T00:00:00Z',
        annotations: { 'podnet.io/dns-names': 'a.mall' },
      },
    ],
  ];
  for (const [what, svc, want] of rows) assert.deepEqual(view(slimService(svc)), { ...base, ...want }, what);
});

test('Services with the same named ports share one port list', () => {
  const ports = [{ name: 'http', port: 80 }];
  assert.equal(
    slimService(api({ clusterIP: '10.96.0.1', ports })).spec!.ports,
    slimService(api({ clusterIP: '10.96.0.2', ports }, { name: 'other' })).spec!.ports,
  );
});
