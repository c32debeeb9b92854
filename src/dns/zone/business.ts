/**
 * Business domains: extra names a Service publishes through the annotation
 * podnet.io/dns-names ("orders.mall, api.orders.mall"). They answer only to
 * clients in the Service's namespace unless podnet.io/dns-scope is
 * "cluster". When two Services claim one name the oldest wins (then
 * namespace/name), so every replica picks the same winner.
 */
import { RRType, type ResourceRecord } from '../wire/types.js';
import { inZone, isValidDomainName } from './names.js';
import { ANNOTATION_DNS_NAMES, ANNOTATION_DNS_SCOPE, type DnsEndpointSlice, type DnsService } from './objects.js';
import { clusterIPs, isHeadless, readyAddresses, serviceFqdn, type ZoneParams } from './records.js';
import { RRsets } from './rrsets.js';

interface BusinessClaim {
  /** The claimed name, lowercase. */
  name: string;
  serviceKey: string;
  namespace: string;
  creationTimestamp: string;
  clusterScope: boolean;
  /** Records at the name and its SRV names. */
  records: ResourceRecord[];
}

interface ParsedNames {
  names: string[];
  rejected: { name: string; why: string }[];
}

/** The annotation's names: trimmed, lowercased, trailing dot dropped; invalid or in-cluster-zone names are rejected with a reason. */
export function parseDnsNames(value: string | undefined, domain: string): ParsedNames {
  const out: ParsedNames = { names: [], rejected: [] };
  if (!value) return out;
  for (const raw of value.split(/[,\s]+/)) {
    const name = raw.trim().toLowerCase().replace(/\.$/, '');
    if (!name) continue;
    if (!isValidDomainName(name) || !name.includes('.'))
      out.rejected.push({ name: raw, why: 'not a domain name with at least two labels' });
    else if (inZone(name, domain) || inZone(name, 'in-addr.arpa') || inZone(name, 'ip6.arpa'))
      out.rejected.push({ name: raw, why: `inside the cluster zone ${domain} or a reverse zone` });
    else if (!out.names.includes(name)) out.names.push(name);
  }
  return out;
}

/** The claims one Service makes, with the records each name answers. */
export function businessClaims(svc: DnsService, slices: readonly DnsEndpointSlice[], p: ZoneParams): BusinessClaim[] {
  const { names } = parseDnsNames(svc.metadata.annotations?.[ANNOTATION_DNS_NAMES], p.domain);
  if (!names.length) return [];
  const clusterScope = svc.metadata.annotations?.[ANNOTATION_DNS_SCOPE]?.trim().toLowerCase() === 'cluster';
  const base = {
    serviceKey: `${svc.metadata.namespace}/${svc.metadata.name}`,
    namespace: svc.metadata.namespace!,
    creationTimestamp: svc.metadata.creationTimestamp ?? '',
    clusterScope,
  };
  return names.map((name) => ({ ...base, name, records: recordsFor(name, svc, slices, p) }));
}

function recordsFor(
  name: string,
  svc: DnsService,
  slices: readonly DnsEndpointSlice[],
  p: ZoneParams,
): ResourceRecord[] {
  const out: ResourceRecord[] = [];
  const addr = (owner: string, ip: string): ResourceRecord =>
    ip.includes(':')
      ? { name: owner, type: RRType.AAAA, class: 1, ttl: p.ttl, data: ip }
      : { name: owner, type: RRType.A, class: 1, ttl: p.ttl, data: ip };
  if (svc.spec?.type === 'ExternalName') {
    const target = (svc.spec.externalName ?? '').toLowerCase().replace(/\.$/, '');
    if (target) out.push({ name, type: RRType.CNAME, class: 1, ttl: p.ttl, data: target });
    return out;
  }
  if (!isHeadless(svc)) {
    const ips = clusterIPs(svc);
    for (const ip of ips) out.push(addr(name, ip));
    if (ips.length) {
      for (const port of svc.spec?.ports ?? []) {
        if (!port.name) continue;
        out.push({
          name: `_${port.name.toLowerCase()}._${(port.protocol ?? 'TCP').toLowerCase()}.${name}`,
          type: RRType.SRV,
          class: 1,
          ttl: p.ttl,
          data: { priority: 0, weight: 100, port: port.port, target: name },
        });
      }
    }
    return out;
  }
  const ready = readyAddresses(svc, slices);
  for (const a of ready) out.push(addr(name, a.ip));
  // Headless: SRV targets are the per-endpoint names in the cluster zone, which resolve for everyone.
  const fqdn = serviceFqdn(svc, p.domain);
  const seen = new Set<string>();
  for (const slice of slices) {
    const ips = new Set(slice.endpoints?.flatMap((e) => e.addresses) ?? []);
    for (const port of slice.ports ?? []) {
      if (!port.name || port.port === undefined) continue;
      const owner = `_${port.name.toLowerCase()}._${(port.protocol ?? 'TCP').toLowerCase()}.${name}`;
      for (const a of ready) {
        if (!ips.has(a.ip) || seen.has(`${owner}|${a.hostname}`)) continue;
        seen.add(`${owner}|${a.hostname}`);
        out.push({
          name: owner,
          type: RRType.SRV,
          class: 1,
          ttl: p.ttl,
          data: {
            priority: 0,
            weight: Math.max(1, Math.floor(100 / ready.length)),
            port: port.port,
            target: `${a.hostname}.${fqdn}`,
          },
        });
      }
    }
  }
  return out;
}

/** Oldest creationTimestamp first, then namespace/name: the same winner on every replica. */
export function compareClaims(a: BusinessClaim, b: BusinessClaim): number {
  if (a.creationTimestamp !== b.creationTimestamp) return a.creationTimestamp < b.creationTimestamp ? -1 : 1;
  return a.serviceKey < b.serviceKey ? -1 : a.serviceKey > b.serviceKey ? 1 : 0;
}

/** A published owner name: the winning claim and its record sets by type. */
interface BusinessEntry {
  claim: BusinessClaim;
  rrsets: RRsets;
}

/** The outcome for one claimed name after a change: who answers, who lost. */
export interface ClaimOutcome {
  name: string;
  winner: BusinessClaim | undefined;
  losers: BusinessClaim[];
}

/** All claims, the winner of each name, and the records the winners publish (by lowercase owner name). */
export class BusinessNames {
  private readonly claims = new Map<string, Map<string, BusinessClaim>>(); // name -> serviceKey -> claim
  private readonly namesByService = new Map<string, string[]>();
  private readonly ownersByName = new Map<string, string[]>();
  readonly published = new Map<string, BusinessEntry>();

  /** Replaces one Service's claims; returns the outcome for every name whose claims changed. */
  setService(serviceKey: string, claims: BusinessClaim[]): ClaimOutcome[] {
    const before = this.namesByService.get(serviceKey) ?? [];
    const affected = new Set([...before, ...claims.map((c) => c.name)]);
    for (const name of before) this.claims.get(name)?.delete(serviceKey);
    for (const c of claims) {
      let m = this.claims.get(c.name);
      if (!m) this.claims.set(c.name, (m = new Map<string, BusinessClaim>()));
      m.set(serviceKey, c);
    }
    if (claims.length)
      this.namesByService.set(
        serviceKey,
        claims.map((c) => c.name),
      );
    else this.namesByService.delete(serviceKey);
    return [...affected].map((name) => this.republish(name));
  }

  private republish(name: string): ClaimOutcome {
    for (const owner of this.ownersByName.get(name) ?? []) this.published.delete(owner);
    this.ownersByName.delete(name);
    const all = [...(this.claims.get(name)?.values() ?? [])].sort(compareClaims);
    if (!all.length) {
      this.claims.delete(name);
      return { name, winner: undefined, losers: [] };
    }
    const winner = all[0]!;
    const owners: string[] = [];
    const entry = (owner: string) => {
      let e = this.published.get(owner);
      if (!e) {
        this.published.set(owner, (e = { claim: winner, rrsets: new RRsets() }));
        owners.push(owner);
      }
      return e;
    };
    entry(name);
    for (const rr of winner.records) {
      const e = entry(rr.name);
      const set = e.rrsets.get(rr.type);
      if (set) set.push(rr);
      else e.rrsets.set(rr.type, [rr]);
    }
    this.ownersByName.set(name, owners);
    return { name, winner, losers: all.slice(1) };
  }

  /** The entry for a lowercase owner name, if the client's namespace may see it. */
  lookup(name: string, clientNamespace: string | undefined): BusinessEntry | undefined {
    const e = this.published.get(name);
    if (!e) return undefined;
    return e.claim.clusterScope || e.claim.namespace === clientNamespace ? e : undefined;
  }
}
