/**
 * `kubectl get ingresses`: Name, Class, Hosts, Address, Ports, Age. Hosts
 * lists up to three rule hosts ("*" when none), Ports is "80" or "80, 443"
 * when TLS is configured, Address the load-balancer IPs/hostnames.
 */
import type { KObject } from '../../api/meta.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { since } from './duration.js';
import { arr, obj, str } from './format.js';
import { loadBalancerAddresses } from './services.js';
import type { Printer, PrintedRow } from './types.js';

function formatHosts(rules: unknown): string {
  const all = arr(rules).map(obj);
  const max = 3;
  const list: string[] = [];
  let more = false;
  for (const rule of all) {
    if (list.length === max) more = true;
    if (!more && str(rule['host']) !== '') list.push(str(rule['host']));
  }
  if (list.length === 0) return '*';
  // kube counts every rule past the third, with or without a host.
  return more ? `${list.join(',')} + ${all.length - max} more...` : list.join(',');
}

function printIngress(ing: KObject, now: Date): PrintedRow {
  const spec = obj(ing['spec']);
  const className = typeof spec['ingressClassName'] === 'string' ? spec['ingressClassName'] : '<none>';
  const address = loadBalancerAddresses(obj(obj(ing['status'])['loadBalancer'])['ingress']);
  const ports = arr(spec['tls']).length > 0 ? '80, 443' : '80';
  return {
    cells: [
      ing.metadata.name ?? '',
      className,
      formatHosts(spec['rules']),
      address,
      ports,
      since(ing.metadata.creationTimestamp, now),
    ],
  };
}

export const ingressPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'string', 'Ports of TLS configurations that open'),
    ageColumn(),
  ],
  print: printIngress,
};
