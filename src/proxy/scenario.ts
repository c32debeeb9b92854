/** One cluster's Services and EndpointSlices used by the renderer and tracer tests of both modes. */
import { buildProxyState } from './model.js';
import { NODE, slice, svc, tcp } from './testdata.js';
import type { ProxyState } from './types.js';

export const POD_HERE = '10.244.1.9';
const OUTSIDE = '192.168.0.99';
export const NODE_IP = NODE.ips[0]!;

export function scenarioState(): ProxyState {
  const services = [
    svc('web', {
      type: 'NodePort',
      clusterIP: '10.96.0.10',
      externalIPs: ['192.168.0.50'],
      ports: [tcp(80, { nodePort: 30080, targetPort: 8080 })],
    }),
    svc('empty', { type: 'NodePort', clusterIP: '10.96.0.11', ports: [tcp(80, { nodePort: 30081 })] }),
    svc('aff', {
      clusterIP: '10.96.0.12',
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 30 } },
      ports: [tcp(80)],
    }),
    svc('etpl', {
      type: 'NodePort',
      clusterIP: '10.96.0.13',
      externalTrafficPolicy: 'Local',
      ports: [tcp(80, { nodePort: 30083 })],
    }),
    svc('etpl-remote', {
      type: 'NodePort',
      clusterIP: '10.96.0.14',
      externalTrafficPolicy: 'Local',
      ports: [tcp(80, { nodePort: 30084 })],
    }),
    svc('itpl', { clusterIP: '10.96.0.15', internalTrafficPolicy: 'Local', ports: [tcp(80)] }),
    svc('headless', { clusterIP: 'None', ports: [tcp(80)] }),
    svc('dns', { clusterIP: '10.96.0.17', ports: [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: 'dns' }] }),
  ];
  const slices = [
    slice('web', [{ port: 8080 }], [{ ip: '10.244.1.2', node: 'n1' }, '10.244.2.2']),
    slice('aff', [{ port: 80 }], [{ ip: '10.244.1.3', node: 'n1' }, '10.244.2.3']),
    slice('etpl', [{ port: 80 }], [{ ip: '10.244.1.4', node: 'n1' }, '10.244.2.4']),
    slice('etpl-remote', [{ port: 80 }], ['10.244.2.6']),
    slice('itpl', [{ port: 80 }], ['10.244.2.7']),
    slice('headless', [{ port: 80 }], ['10.244.2.8']),
    slice('dns', [{ name: 'dns', port: 5353, protocol: 'UDP' }], ['10.244.2.5']),
  ];
  return buildProxyState(services, slices, NODE);
}

type Proto = 'tcp' | 'udp' | 'sctp';
interface TraceCase {
  name: string;
  src: string;
  dst: string;
  port: number;
  proto?: Proto;
  fromLocal?: boolean;
  want: string;
}

/** (source, destination, port) -> what must happen; "masq" marks masquerading. */
export const TRACE_CASES: TraceCase[] = [
  {
    name: 'pod -> ClusterIP spreads over every endpoint',
    src: POD_HERE,
    dst: '10.96.0.10',
    port: 80,
    want: 'DNAT 10.244.1.2:8080,10.244.2.2:8080',
  },
  {
    name: 'node itself -> ClusterIP, masqueraded (not from the cluster CIDR)',
    src: NODE_IP,
    dst: '10.96.0.10',
    port: 80,
    fromLocal: true,
    want: 'DNAT 10.244.1.2:8080,10.244.2.2:8080 masq',
  },
  {
    name: 'outside -> NodePort',
    src: OUTSIDE,
    dst: NODE_IP,
    port: 30080,
    want: 'DNAT 10.244.1.2:8080,10.244.2.2:8080 masq',
  },
  {
    name: 'pod -> NodePort (externalTrafficPolicy Cluster masquerades)',
    src: POD_HERE,
    dst: NODE_IP,
    port: 30080,
    want: 'DNAT 10.244.1.2:8080,10.244.2.2:8080 masq',
  },
  {
    name: 'node itself -> its NodePort',
    src: NODE_IP,
    dst: NODE_IP,
    port: 30080,
    fromLocal: true,
    want: 'DNAT 10.244.1.2:8080,10.244.2.2:8080 masq',
  },
  {
    name: 'outside -> externalIP',
    src: OUTSIDE,
    dst: '192.168.0.50',
    port: 80,
    want: 'DNAT 10.244.1.2:8080,10.244.2.2:8080 masq',
  },
  {
    name: 'pod -> ClusterIP without endpoints is rejected',
    src: POD_HERE,
    dst: '10.96.0.11',
    port: 80,
    want: 'REJECT',
  },
  {
    name: 'node -> ClusterIP without endpoints is rejected',
    src: NODE_IP,
    dst: '10.96.0.11',
    port: 80,
    fromLocal: true,
    want: 'REJECT',
  },
  {
    name: 'outside -> NodePort without endpoints is rejected',
    src: OUTSIDE,
    dst: NODE_IP,
    port: 30081,
    want: 'REJECT',
  },
  {
    name: 'pod -> unallocated address in the service CIDR is dropped',
    src: POD_HERE,
    dst: '10.96.0.99',
    port: 80,
    want: 'DROP',
  },
  {
    name: 'node -> unallocated service address is dropped',
    src: NODE_IP,
    dst: '10.96.0.99',
    port: 80,
    fromLocal: true,
    want: 'DROP',
  },
  {
    name: 'pod -> ClusterIP on a port the Service lacks is rejected',
    src: POD_HERE,
    dst: '10.96.0.10',
    port: 81,
    want: 'REJECT',
  },
  {
    name: 'pod -> ClusterIP with the wrong protocol is rejected',
    src: POD_HERE,
    dst: '10.96.0.10',
    port: 80,
    proto: 'udp',
    want: 'REJECT',
  },
  {
    name: 'outside -> NodePort with externalTrafficPolicy Local: local endpoint only, source kept',
    src: OUTSIDE,
    dst: NODE_IP,
    port: 30083,
    want: 'DNAT 10.244.1.4:80',
  },
  {
    name: 'pod -> NodePort with externalTrafficPolicy Local: cluster-wide, source kept',
    src: POD_HERE,
    dst: NODE_IP,
    port: 30083,
    want: 'DNAT 10.244.1.4:80,10.244.2.4:80',
  },
  {
    name: 'node -> its NodePort with externalTrafficPolicy Local: cluster-wide, masqueraded',
    src: NODE_IP,
    dst: NODE_IP,
    port: 30083,
    fromLocal: true,
    want: 'DNAT 10.244.1.4:80,10.244.2.4:80 masq',
  },
  {
    name: 'outside -> NodePort with externalTrafficPolicy Local and no local endpoint is dropped',
    src: OUTSIDE,
    dst: NODE_IP,
    port: 30084,
    want: 'DROP',
  },
  {
    name: 'pod -> ClusterIP with externalTrafficPolicy Local still reaches every endpoint',
    src: POD_HERE,
    dst: '10.96.0.14',
    port: 80,
    want: 'DNAT 10.244.2.6:80',
  },
  {
    name: 'pod -> internalTrafficPolicy Local without a local endpoint is dropped',
    src: POD_HERE,
    dst: '10.96.0.15',
    port: 80,
    want: 'DROP',
  },
  {
    name: 'UDP ClusterIP with a named targetPort',
    src: POD_HERE,
    dst: '10.96.0.17',
    port: 53,
    proto: 'udp',
    want: 'DNAT 10.244.2.5:5353',
  },
  { name: 'pod -> pod is not touched', src: POD_HERE, dst: '10.244.2.2', port: 8080, want: 'ACCEPT' },
  { name: 'outside -> a node port nobody uses is not touched', src: OUTSIDE, dst: NODE_IP, port: 22, want: 'ACCEPT' },
  {
    name: 'headless Service endpoints are reached directly, untouched',
    src: POD_HERE,
    dst: '10.244.2.8',
    port: 80,
    want: 'ACCEPT',
  },
  {
    name: 'hairpin: a pod reaching itself through its Service is masqueraded, others not',
    src: '10.244.1.2',
    dst: '10.96.0.10',
    port: 80,
    want: 'DNAT 10.244.1.2:8080,10.244.2.2:8080 masq-mixed',
  },
];
