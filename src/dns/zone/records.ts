/**
 * The records a headless or ExternalName Service (with its EndpointSlices)
 * stores in the cluster zone, per the Kubernetes DNS-Based Service
 * Discovery spec 1.1.0 (section 2.4): headless -> A/AAAA per ready
 * endpoint, per-endpoint hostname records, SRV per endpoint, PTR;
 * ExternalName -> CNAME. ClusterIP Services store nothing: their A/AAAA,
 * SRV and PTR are derived per question (cluster-ips.ts). Pure.
 */
import { RRType, type ResourceRecord } from '../wire/types.js';
import { dashedIp, isValidDomainName, reverseName } from './names.js';
import type { DnsEndpointSlice, DnsService } from './objects.js';

export interface ZoneParams {
  /** Cluster domain, lowercase, no trailing dot (cluster.local). */
  domain: string;
  ttl: number;
}

/** A ready endpoint address with the hostname the spec names it by. */
interface ReadyAddress {
  ip: string;
  family: 4 | 6;
  hostname: string;
}

const IN = 1;

export function isHeadless(svc: DnsService): boolean {
  return svc.spec?.clusterIP === 'None';
}

export function serviceFqdn(svc: DnsService, domain: string): string {
  return `${svc.metadata.name}.${svc.metadata.namespace}.svc.${domain}`.toLowerCase();
}

/** The ClusterIPs of a non-headless, non-ExternalName Service. */
export function clusterIPs(svc: DnsService): string[] {
  if (svc.spec?.type === 'ExternalName' || isHeadless(svc)) return [];
  const ips = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : [];
  return ips.filter((ip) => ip && ip !== 'None');
}

/** Ready addresses across slices, deduplicated by IP (a pod can sit in two slices during a move). */
export function readyAddresses(svc: DnsService, slices: readonly DnsEndpointSlice[]): ReadyAddress[] {
  const seen = new Map<string, ReadyAddress>();
  const publishAll = svc.spec?.publishNotReadyAddresses === true;
  for (const slice of slices) {
    const family = slice.addressType === 'IPv6' ? 6 : slice.addressType === 'IPv4' ? 4 : undefined;
    if (!family) continue; // FQDN slices carry no addresses DNS can publish
    for (const ep of slice.endpoints ?? []) {
      // EndpointSlice API: a missing ready condition means ready.
      if (!publishAll && ep.conditions?.ready === false) continue;
      for (const ip of ep.addresses) {
        if (seen.has(ip)) continue;
        const hostname =
          ep.hostname && isValidDomainName(ep.hostname.toLowerCase()) && !ep.hostname.includes('.')
            ? ep.hostname.toLowerCase()
            : dashedIp(ip);
        seen.set(ip, { ip, family, hostname });
      }
    }
  }
  return [...seen.values()].sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
}

/** Named ports as SRV owner prefixes: "_http._tcp". Unnamed ports get no SRV (spec 2.4.1). */
function srvPrefix(name: string | undefined, protocol: string | undefined): string | undefined {
  if (!name) return undefined;
  return `_${name.toLowerCase()}._${(protocol ?? 'TCP').toLowerCase()}`;
}

function addressRecord(name: string, ip: string, ttl: number): ResourceRecord {
  return ip.includes(':')
    ? { name, type: RRType.AAAA, class: IN, ttl, data: ip }
    : { name, type: RRType.A, class: IN, ttl, data: ip };
}

/** SRV weight: spread 100 over the targets, as CoreDNS does, at least 1. */
function srvWeight(n: number): number {
  return Math.max(1, Math.floor(100 / Math.max(1, n)));
}

/**
 * The stored records of one Service in the cluster zone (none for a
 * ClusterIP Service). `slices` are the Service's EndpointSlices.
 */
export function serviceRecords(svc: DnsService, slices: readonly DnsEndpointSlice[], p: ZoneParams): ResourceRecord[] {
  const fqdn = serviceFqdn(svc, p.domain);
  const out: ResourceRecord[] = [];
  if (svc.spec?.type === 'ExternalName') {
    const target = (svc.spec.externalName ?? '').toLowerCase().replace(/\.$/, '');
    if (target && isValidDomainName(target))
      out.push({ name: fqdn, type: RRType.CNAME, class: IN, ttl: p.ttl, data: target });
    return out;
  }
  // ClusterIP Services' records are derived per question (cluster-ips.ts), not stored.
  if (!isHeadless(svc)) return out;
  const ready = readyAddresses(svc, slices);
  for (const a of ready) out.push(addressRecord(fqdn, a.ip, p.ttl));
  const hostnames = new Set<string>();
  for (const a of ready) {
    out.push(addressRecord(`${a.hostname}.${fqdn}`, a.ip, p.ttl));
    hostnames.add(a.hostname);
    const rev = reverseName(a.ip);
    if (rev) out.push({ name: rev, type: RRType.PTR, class: IN, ttl: p.ttl, data: `${a.hostname}.${fqdn}` });
  }
  // Headless SRV: one per (named port, ready endpoint); ports come from the slices (the endpoint's own port).
  const srv = new Map<string, Map<string, number>>(); // prefix -> hostname -> port
  for (const slice of slices) {
    const ips = new Set(slice.endpoints?.flatMap((e) => e.addresses) ?? []);
    for (const port of slice.ports ?? []) {
      const prefix = srvPrefix(port.name ?? undefined, port.protocol);
      if (!prefix || port.port === undefined) continue;
      for (const a of ready) {
        if (!ips.has(a.ip)) continue;
        let m = srv.get(prefix);
        if (!m) srv.set(prefix, (m = new Map<string, number>()));
        m.set(a.hostname, port.port);
      }
    }
  }
  for (const [prefix, targets] of [...srv].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const weight = srvWeight(targets.size);
    for (const [host, port] of targets) {
      out.push({
        name: `${prefix}.${fqdn}`,
        type: RRType.SRV,
        class: IN,
        ttl: p.ttl,
        data: { priority: 0, weight, port, target: `${host}.${fqdn}` },
      });
    }
  }
  return out;
}
