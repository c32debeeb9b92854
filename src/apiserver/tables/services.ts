/**
 * `kubectl get services`: Name, Type, Cluster-IP, External-IP, Port(s), Age;
 * wide Selector. Ports read "80/TCP", or "80:30080/TCP" with a node port;
 * External-IP is "<none>" for ClusterIP/NodePort without externalIPs,
 * "<pending>" for a LoadBalancer with no ingress yet, the externalName for
 * ExternalName services.
 */
import type { KObject } from '../../api/meta.js';
import { ageColumn, column, doc, nameColumn } from './columns.js';
import { since } from './duration.js';
import { arr, formatLabels, num, obj, str } from './format.js';
import type { Printer, PrintedRow } from './types.js';

/** Load-balancer ingress IPs (or hostnames), de-duplicated and sorted. Server-side tables are wide, so never clipped. */
export function loadBalancerAddresses(ingress: unknown): string {
  const set = new Set<string>();
  for (const i of arr(ingress).map(obj)) {
    const ip = str(i['ip']);
    const hostname = str(i['hostname']);
    if (ip !== '') set.add(ip);
    else if (hostname !== '') set.add(hostname);
  }
  return [...set].sort().join(',');
}

function externalIP(spec: Record<string, unknown>, status: Record<string, unknown>): string {
  const externalIPs = arr(spec['externalIPs']).map(str);
  switch (str(spec['type'])) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(obj(status['loadBalancer'])['ingress']);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb !== '' ? lb : '<pending>';
    }
    case 'ExternalName':
      return str(spec['externalName']);
  }
  return '<unknown>';
}

function portString(ports: unknown): string {
  return arr(ports)
    .map(obj)
    .map((p) => {
      // API defaulting sets TCP; objects that skipped it print as they would after defaulting.
      const protocol = str(p['protocol']) || 'TCP';
      const nodePort = num(p['nodePort']);
      return nodePort > 0 ? `${num(p['port'])}:${nodePort}/${protocol}` : `${num(p['port'])}/${protocol}`;
    })
    .join(',');
}

function printService(svc: KObject, now: Date): PrintedRow {
  const spec = obj(svc['spec']);
  const clusterIPs = arr(spec['clusterIPs']).map(str);
  const clusterIP = clusterIPs[0] || str(spec['clusterIP']) || '<none>';
  const ports = portString(spec['ports']) || '<none>';
  return {
    cells: [
      svc.metadata.name ?? '',
      str(spec['type']),
      clusterIP,
      externalIP(spec, obj(svc['status'])),
      ports,
      since(svc.metadata.creationTimestamp, now),
      formatLabels(spec['selector']),
    ],
  };
}

export const servicePrinter: Printer = {
  columns: [
    nameColumn(),
    column('Type', 'string', doc['ServiceSpec.type']),
    column('Cluster-IP', 'string', doc['ServiceSpec.clusterIP']),
    column('External-IP', 'string', doc['ServiceSpec.externalIPs']),
    column('Port(s)', 'string', doc['ServiceSpec.ports']),
    ageColumn(),
    column('Selector', 'string', doc['ServiceSpec.selector'], 1),
  ],
  print: printService,
};
