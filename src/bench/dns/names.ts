/**
 * The names both servers serve: Service i is svc-NNNNNN in namespace
 * bench-(i mod namespaces) with ClusterIP 10.100.0.0 + i (inside the API
 * server's default 10.96.0.0/12, so up to ~900k fit). dnsmasq gets the same
 * name -> address pairs as a hosts file.
 */
import { numberToIpv4 } from '../../api/ipv4.js';

export const DOMAIN = 'cluster.local';

export function namespaceName(i: number): string {
  return `bench-${String(i).padStart(3, '0')}`;
}

export function serviceName(i: number): string {
  return `svc-${String(i).padStart(6, '0')}`;
}

export function serviceNamespace(i: number, namespaces: number): string {
  return namespaceName(i % namespaces);
}

/** 10.100.0.0 + offset, as dotted quad. */
export function ipAt(base: number, offset: number): string {
  return numberToIpv4(base + offset);
}

const SERVICE_BASE = (10 << 24) | (100 << 16);
export function serviceIp(i: number): string {
  return ipAt(SERVICE_BASE, i);
}

export function serviceFqdn(i: number, namespaces: number): string {
  return `${serviceName(i)}.${serviceNamespace(i, namespaces)}.svc.${DOMAIN}`;
}

/** Service i as the API server stores it: explicit ClusterIP, two named ports, no selector (no controller writes). */
export function serviceObject(i: number, namespaces: number): object {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: serviceName(i), namespace: serviceNamespace(i, namespaces), labels: { app: `app-${i}` } },
    spec: {
      clusterIP: serviceIp(i),
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
        { name: 'metrics', protocol: 'TCP', port: 9090 },
      ],
    },
  };
}

/** dnsperf's input: one "name A" line per Service, in a shuffled order (same seed, same order). */
export function queryFile(count: number, namespaces: number): string {
  const order = Array.from({ length: count }, (_, i) => i);
  let seed = 12345;
  for (let i = count - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order.map((i) => `${serviceFqdn(i, namespaces)} A\n`).join('');
}

/** dnsmasq's hosts file: "ip name" per Service. */
export function hostsFile(count: number, namespaces: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`${serviceIp(i)} ${serviceFqdn(i, namespaces)}\n`);
  return lines.join('');
}
