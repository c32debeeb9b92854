/**
 * Services with ClusterIPs, answered without stored records. The spec
 * gives such a Service A/AAAA at <svc>.<ns>.svc.<zone>, SRV per named port
 * and PTR per ClusterIP; all of it follows from the Service itself (name,
 * ClusterIPs, named ports), so the records are derived when a question
 * arrives and only two small indexes are kept: ClusterIP -> Service (PTR)
 * and counts per namespace and reverse-name prefix (empty non-terminals
 * answer NODATA, not NXDOMAIN). Stored as records, a Service cost ~1.5 KB
 * at 100k Services; this costs one reverse-index entry per address.
 * Headless and ExternalName Services keep stored records (zone.ts).
 */
import { RRType, type ResourceRecord } from '../wire/types.js';
import { reverseName } from './names.js';
import type { DnsService } from './objects.js';
import { clusterIPs, serviceFqdn, type ZoneParams } from './records.js';
import { RRsets } from './rrsets.js';
import { SlimService, ipv4ToInt32 } from './slim-service.js';

const IN = 1;
const V4_REVERSE = '.in-addr.arpa';
const V6_REVERSE = '.ip6.arpa';

function addCount<K>(m: Map<K, number>, k: K, delta: number): void {
  const v = (m.get(k) ?? 0) + delta;
  if (v > 0) m.set(k, v);
  else m.delete(k);
}

export class ClusterIpServices {
  /** IPv4 ClusterIP (int32) -> its Service. */
  private readonly byV4 = new Map<number, DnsService>();
  /** IPv6 reverse name -> its Service (IPv6 is rare; its 32-label names are kept as strings). */
  private readonly byV6 = new Map<string, DnsService>();
  /** Reverse-name prefixes with addresses below them: /8, /16, /24 of IPv4 (int keys), and every IPv6 ancestor name. */
  private readonly v4Prefix = [
    new Map<number, number>(),
    new Map<number, number>(),
    new Map<number, number>(),
  ] as const;
  private readonly v6Names = new Map<string, number>();
  private v4Count = 0;
  /** Namespace -> ClusterIP Services in it (<ns>.svc.<zone> exists). */
  private readonly perNamespace = new Map<string, number>();
  private total = 0;
  private readonly svcSuffix: string;

  /** @param services the Services by "namespace/name" (the informer's cache, read, never written). */
  constructor(
    private readonly p: ZoneParams,
    private readonly services: ReadonlyMap<string, DnsService>,
  ) {
    this.svcSuffix = `.svc.${p.domain}`;
  }

  /** True when the Service is answered here: it has ClusterIPs (not headless, not ExternalName). */
  static handles(svc: DnsService | undefined): svc is DnsService {
    if (svc === undefined) return false;
    // Asked per query: a plain SlimService with an IPv4 address is a ClusterIP Service (other
    // types, headless and dual-stack Services carry rare fields), known without building strings.
    if (svc instanceof SlimService && svc.ipv4 !== undefined && svc.rare === undefined) return true;
    return clusterIPs(svc).length > 0;
  }

  /** Moves the indexes from `before` (the Service as last indexed, if it was) to `after` (undefined: deleted). */
  update(before: DnsService | undefined, after: DnsService | undefined): void {
    if (ClusterIpServices.handles(before)) this.index(before, -1);
    if (ClusterIpServices.handles(after)) this.index(after, 1);
  }

  private index(svc: DnsService, delta: 1 | -1): void {
    this.total += delta;
    addCount(this.perNamespace, svc.metadata.namespace!, delta);
    for (const ip of clusterIPs(svc)) {
      const v4 = ipv4ToInt32(ip);
      if (v4 !== undefined) {
        // Two Services never share a ClusterIP (the allocator); if they do, the last indexed answers PTR.
        if (delta > 0) this.byV4.set(v4, svc);
        else if (this.byV4.get(v4) === svc) this.byV4.delete(v4);
        this.v4Count += delta;
        for (let level = 0; level < 3; level++) addCount(this.v4Prefix[level]!, v4 >>> (24 - 8 * level), delta);
        continue;
      }
      const rev = reverseName(ip);
      if (!rev) continue;
      if (delta > 0) this.byV6.set(rev, svc);
      else if (this.byV6.get(rev) === svc) this.byV6.delete(rev);
      for (let n = rev; n.endsWith(V6_REVERSE); n = n.slice(n.indexOf('.') + 1)) addCount(this.v6Names, n, delta);
    }
  }

  /** The record sets at a lowercase name, derived from the Service it names; undefined when none is here. */
  rrsets(name: string): RRsets | undefined {
    if (name.endsWith(V4_REVERSE) || name.endsWith(V6_REVERSE)) return this.ptr(name);
    if (name === `ns.dns.${this.p.domain}`) return this.addresses(this.services.get('kube-system/kube-dns'), name);
    const labels = this.svcLabels(name);
    if (!labels) return undefined;
    if (labels.length === 2) return this.addresses(this.service(labels[1]!, labels[0]!), name);
    if (labels.length === 4 && labels[0]!.startsWith('_') && labels[1]!.startsWith('_')) return this.srv(labels, name);
    return undefined;
  }

  /** True when the name exists here: it holds records, or a Service's records sit below it. */
  exists(name: string): boolean {
    if (this.rrsets(name)) return true;
    if (name === `svc.${this.p.domain}`) return this.total > 0;
    if (name === `dns.${this.p.domain}`) return ClusterIpServices.handles(this.services.get('kube-system/kube-dns'));
    if (name.endsWith(V4_REVERSE) || name === V4_REVERSE.slice(1)) return this.v4Exists(name);
    if (name.endsWith(V6_REVERSE)) return this.v6Names.has(name);
    if (name === V6_REVERSE.slice(1)) return this.byV6.size > 0;
    const labels = this.svcLabels(name);
    if (!labels) return false;
    if (labels.length === 1) return this.perNamespace.has(labels[0]!);
    if (labels.length === 3 && labels[0]!.startsWith('_')) {
      const svc = this.service(labels[2]!, labels[1]!);
      const proto = labels[0]!.slice(1);
      return svc?.spec?.ports?.some((pt) => pt.name && (pt.protocol ?? 'TCP').toLowerCase() === proto) ?? false;
    }
    return false;
  }

  /** The labels left of ".svc.<zone>", or undefined when the name is not under it. */
  private svcLabels(name: string): string[] | undefined {
    if (!name.endsWith(this.svcSuffix) || name.length === this.svcSuffix.length) return undefined;
    return name.slice(0, -this.svcSuffix.length).split('.');
  }

  private service(namespace: string, name: string): DnsService | undefined {
    const svc = this.services.get(`${namespace}/${name}`);
    return ClusterIpServices.handles(svc) ? svc : undefined;
  }

  private addresses(svc: DnsService | undefined, owner: string): RRsets | undefined {
    if (!ClusterIpServices.handles(svc)) return undefined;
    const sets = new RRsets();
    for (const ip of clusterIPs(svc)) {
      const type = ip.includes(':') ? RRType.AAAA : RRType.A;
      const rr: ResourceRecord = { name: owner, type, class: IN, ttl: this.p.ttl, data: ip };
      const set = sets.get(type);
      if (set) set.push(rr);
      else sets.set(type, [rr]);
    }
    return sets;
  }

  /** _<port>._<proto>.<svc>.<ns>: SRV to the Service name for the named port (spec 2.4.1). */
  private srv(labels: string[], owner: string): RRsets | undefined {
    const svc = this.service(labels[3]!, labels[2]!);
    const portName = labels[0]!.slice(1),
      proto = labels[1]!.slice(1);
    const port = svc?.spec?.ports?.find(
      (pt) => pt.name?.toLowerCase() === portName && (pt.protocol ?? 'TCP').toLowerCase() === proto,
    );
    if (!svc || !port) return undefined;
    const sets = new RRsets();
    sets.set(RRType.SRV, [
      {
        name: owner,
        type: RRType.SRV,
        class: IN,
        ttl: this.p.ttl,
        data: { priority: 0, weight: 100, port: port.port, target: serviceFqdn(svc, this.p.domain) },
      },
    ]);
    return sets;
  }

  private ptr(name: string): RRsets | undefined {
    let svc: DnsService | undefined;
    if (name.endsWith(V6_REVERSE)) svc = this.byV6.get(name);
    else {
      const octets = name.slice(0, -V4_REVERSE.length).split('.');
      const ip = octets.length === 4 ? ipv4ToInt32(octets.reverse().join('.')) : undefined;
      svc = ip === undefined ? undefined : this.byV4.get(ip);
    }
    if (!svc) return undefined;
    const sets = new RRsets();
    sets.set(RRType.PTR, [
      { name, type: RRType.PTR, class: IN, ttl: this.p.ttl, data: serviceFqdn(svc, this.p.domain) },
    ]);
    return sets;
  }

  /** in-addr.arpa and its /8, /16, /24 names exist when a ClusterIP sits below them. */
  private v4Exists(name: string): boolean {
    if (name === V4_REVERSE.slice(1)) return this.v4Count > 0;
    const octets = name.slice(0, -V4_REVERSE.length).split('.');
    if (octets.length > 3) return false;
    const key = ipv4ToInt32([...octets.reverse(), ...Array<string>(4 - octets.length).fill('0')].join('.'));
    if (key === undefined) return false;
    const level = octets.length - 1;
    return this.v4Prefix[level]!.has(key >>> (24 - 8 * level));
  }
}
