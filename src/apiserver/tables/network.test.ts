import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointsPrinter } from './endpoints.js';
import { endpointSlicePrinter } from './endpointslices.js';
import { ingressClassPrinter } from './ingressclasses.js';
import { ingressPrinter } from './ingresses.js';
import { networkPolicyPrinter } from './networkpolicies.js';
import { servicePrinter } from './services.js';
import type { Printer } from './types.js';
import { kobj, now } from './testdata.js';

type Case = [string, Record<string, unknown>, unknown[]];

function runCases(printer: Printer, apiVersion: string, kind: string, cases: Case[]): void {
  for (const [name, fields, cells] of cases) {
    test(name, () => assert.deepEqual(printer.print(kobj(apiVersion, kind, 'x', fields), now).cells, cells));
  }
}

const svc = (spec: Record<string, unknown>, status: Record<string, unknown> = {}) => ({ spec, status });

describe('service printer', () => {
  runCases(servicePrinter, 'v1', 'Service', [
    [
      'ClusterIP',
      svc({
        type: 'ClusterIP',
        clusterIP: '10.96.14.2',
        clusterIPs: ['10.96.14.2'],
        ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }],
        selector: { app: 'web' },
      }),
      ['x', 'ClusterIP', '10.96.14.2', '<none>', '80/TCP', '5m', 'app=web'],
    ],
    [
      'ClusterIP with external IPs and two protocols',
      svc({
        type: 'ClusterIP',
        clusterIPs: ['10.96.0.10'],
        externalIPs: ['192.0.2.10', '192.0.2.11'],
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ],
        selector: { 'k8s-app': 'kube-dns' },
      }),
      ['x', 'ClusterIP', '10.96.0.10', '192.0.2.10,192.0.2.11', '53/UDP,53/TCP', '5m', 'k8s-app=kube-dns'],
    ],
    [
      'NodePort',
      svc({
        type: 'NodePort',
        clusterIPs: ['10.96.5.5'],
        ports: [
          { port: 80, nodePort: 30080, protocol: 'TCP' },
          { port: 443, nodePort: 30443, protocol: 'TCP' },
        ],
        selector: { app: 'web', tier: 'fe' },
      }),
      ['x', 'NodePort', '10.96.5.5', '<none>', '80:30080/TCP,443:30443/TCP', '5m', 'app=web,tier=fe'],
    ],
    [
      'LoadBalancer waiting for an address',
      svc({ type: 'LoadBalancer', clusterIPs: ['10.96.7.7'], ports: [{ port: 80, nodePort: 31000, protocol: 'TCP' }] }),
      ['x', 'LoadBalancer', '10.96.7.7', '<pending>', '80:31000/TCP', '5m', '<none>'],
    ],
    [
      'LoadBalancer with ingress (long, not clipped server-side)',
      svc(
        { type: 'LoadBalancer', clusterIPs: ['10.96.7.7'], ports: [{ port: 80, nodePort: 31000, protocol: 'TCP' }] },
        { loadBalancer: { ingress: [{ hostname: 'a1b2c3.elb.example.com' }, { ip: '203.0.113.9' }] } },
      ),
      ['x', 'LoadBalancer', '10.96.7.7', '203.0.113.9,a1b2c3.elb.example.com', '80:31000/TCP', '5m', '<none>'],
    ],
    [
      'LoadBalancer with ingress and external IPs',
      svc(
        {
          type: 'LoadBalancer',
          clusterIPs: ['10.96.7.7'],
          externalIPs: ['192.0.2.1'],
          ports: [{ port: 80, nodePort: 31000, protocol: 'TCP' }],
        },
        { loadBalancer: { ingress: [{ ip: '203.0.113.9' }] } },
      ),
      ['x', 'LoadBalancer', '10.96.7.7', '203.0.113.9,192.0.2.1', '80:31000/TCP', '5m', '<none>'],
    ],
    [
      'headless',
      svc({
        type: 'ClusterIP',
        clusterIP: 'None',
        clusterIPs: ['None'],
        ports: [{ port: 5432, protocol: 'TCP' }],
        selector: { app: 'db' },
      }),
      ['x', 'ClusterIP', 'None', '<none>', '5432/TCP', '5m', 'app=db'],
    ],
    [
      'ExternalName',
      svc({ type: 'ExternalName', externalName: 'db.example.com' }),
      ['x', 'ExternalName', '<none>', 'db.example.com', '<none>', '5m', '<none>'],
    ],
  ]);
});

const subset = (ips: string[], ports: number[], notReady: string[] = []) => ({
  addresses: ips.map((ip) => ({ ip })),
  notReadyAddresses: notReady.map((ip) => ({ ip })),
  ports: ports.map((port) => ({ port, protocol: 'TCP' })),
});

describe('endpoints printer', () => {
  runCases(endpointsPrinter, 'v1', 'Endpoints', [
    ['no subsets', {}, ['x', '<none>', '5m']],
    [
      'two ready addresses',
      { subsets: [subset(['10.244.1.5', '10.244.2.7'], [8080])] },
      ['x', '10.244.1.5:8080,10.244.2.7:8080', '5m'],
    ],
    [
      'not-ready addresses are not printed',
      { subsets: [subset(['10.244.1.5'], [8080], ['10.244.3.3'])] },
      ['x', '10.244.1.5:8080', '5m'],
    ],
    ['only not-ready addresses print nothing', { subsets: [subset([], [8080], ['10.244.3.3'])] }, ['x', '', '5m']],
    [
      'five addresses: three then + 2 more',
      { subsets: [subset(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5'], [80])] },
      ['x', '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...', '5m'],
    ],
    [
      'two ports count every address per port',
      { subsets: [subset(['10.0.0.1', '10.0.0.2'], [80, 443])] },
      ['x', '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...', '5m'],
    ],
    [
      'headless without ports prints bare IPs',
      { subsets: [subset(['10.0.0.1', '10.0.0.2'], [])] },
      ['x', '10.0.0.1,10.0.0.2', '5m'],
    ],
    ['IPv6', { subsets: [subset(['fd00::5'], [80])] }, ['x', '[fd00::5]:80', '5m']],
  ]);
});

const ep = (...addresses: string[]) => ({ addresses, conditions: { ready: true } });

describe('endpointslice printer', () => {
  runCases(endpointSlicePrinter, 'discovery.k8s.io/v1', 'EndpointSlice', [
    [
      'typical slice',
      {
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        endpoints: [ep('10.244.1.5'), ep('10.244.2.7')],
      },
      ['x', 'IPv4', '8080', '10.244.1.5,10.244.2.7', '5m'],
    ],
    ['empty slice', { addressType: 'IPv4', ports: [], endpoints: [] }, ['x', 'IPv4', '<unset>', '<unset>', '5m']],
    [
      'port without number shows its name, without either "*"',
      { addressType: 'IPv4', ports: [{ name: 'http' }, {}], endpoints: [ep('10.0.0.1')] },
      ['x', 'IPv4', 'http,*', '10.0.0.1', '5m'],
    ],
    [
      'many ports and endpoints truncate',
      {
        addressType: 'IPv6',
        ports: [{ port: 1 }, { port: 2 }, { port: 3 }, { port: 4 }],
        endpoints: [ep('fd00::1'), ep('fd00::2'), ep('fd00::3', 'fd00::4'), ep('fd00::5')],
      },
      ['x', 'IPv6', '1,2,3 + 1 more...', 'fd00::1,fd00::2,fd00::3 + 2 more...', '5m'],
    ],
  ]);
});

describe('ingress printer', () => {
  runCases(ingressPrinter, 'networking.k8s.io/v1', 'Ingress', [
    [
      'class, two hosts, TLS, address',
      {
        spec: {
          ingressClassName: 'podnet',
          rules: [{ host: 'shop.example.com' }, { host: 'api.example.com' }],
          tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
        },
        status: { loadBalancer: { ingress: [{ ip: '192.168.1.20' }] } },
      },
      ['x', 'podnet', 'shop.example.com,api.example.com', '192.168.1.20', '80, 443', '5m'],
    ],
    [
      'no class, default backend only',
      { spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } } },
      ['x', '<none>', '*', '', '80', '5m'],
    ],
    ['rules without host', { spec: { rules: [{ http: { paths: [] } }] } }, ['x', '<none>', '*', '', '80', '5m']],
    [
      'more than three rules',
      { spec: { rules: [{ host: 'a' }, { host: 'b' }, { host: 'c' }, { host: 'd' }, {}] } },
      ['x', '<none>', 'a,b,c + 2 more...', '', '80', '5m'],
    ],
  ]);
});

describe('ingressclass printer', () => {
  runCases(ingressClassPrinter, 'networking.k8s.io/v1', 'IngressClass', [
    ['no parameters', { spec: { controller: 'podnet.io/router' } }, ['x', 'podnet.io/router', '<none>', '5m']],
    [
      'parameters with apiGroup',
      {
        spec: {
          controller: 'example.com/ingress',
          parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' },
        },
      },
      ['x', 'example.com/ingress', 'IngressParameters.k8s.example.com/external-lb', '5m'],
    ],
    [
      'core-group parameters',
      {
        spec: {
          controller: 'example.com/ingress',
          parameters: { kind: 'ConfigMap', name: 'cfg', scope: 'Namespace', namespace: 'ing' },
        },
      },
      ['x', 'example.com/ingress', 'ConfigMap/cfg', '5m'],
    ],
  ]);
});

describe('networkpolicy printer', () => {
  runCases(networkPolicyPrinter, 'networking.k8s.io/v1', 'NetworkPolicy', [
    ['all pods', { spec: { podSelector: {}, policyTypes: ['Ingress'] } }, ['x', '<none>', '5m']],
    [
      'selector',
      {
        spec: {
          podSelector: {
            matchLabels: { app: 'db' },
            matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend', 'api'] }],
          },
        },
      },
      ['x', 'app=db,tier in (api,backend)', '5m'],
    ],
  ]);
});
