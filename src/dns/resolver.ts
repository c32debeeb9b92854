/**
 * The authoritative part: answers a question from the cluster zone and the
 * business names, or says "forward". Pure over its tables (no sockets, no
 * clock), so the conformance tables drive it directly.
 */
import { RRType, Rcode, type Question, type ResourceRecord } from './wire/types.js';
import { lowerName } from './wire/name.js';
import { inZone, undashIp } from './zone/names.js';
import type { ZoneTable } from './zone/zone.js';
import type { ClusterIpServices } from './zone/cluster-ips.js';
import type { BusinessNames } from './zone/business.js';
import type { PodIndex } from './zone/pod-index.js';
import { RRsets } from './zone/rrsets.js';

export type PodRecordsMode = 'disabled' | 'insecure' | 'verified';

export interface ResolverConfig {
  /** Cluster domain, lowercase, no trailing dot. */
  domain: string;
  ttl: number;
  podRecords: PodRecordsMode;
}

/** A local answer: the sections to send; `chase` asks the caller to resolve an out-of-zone CNAME target and append it. */
interface LocalAnswer {
  kind: 'local';
  rcode: number;
  aa: boolean;
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  additionals: ResourceRecord[];
  /** The answer depended on the client's namespace (business names): cache it per namespace. */
  viewDependent: boolean;
  chase?: Question;
}

type Resolution = LocalAnswer | { kind: 'forward' };

const MAX_CNAME_HOPS = 8;
const REVERSE_ZONES = ['in-addr.arpa', 'ip6.arpa'];

export class ClusterResolver {
  constructor(
    private readonly cfg: ResolverConfig,
    private readonly zone: ZoneTable,
    private readonly clusterIps: ClusterIpServices,
    private readonly business: BusinessNames,
    private readonly pods: PodIndex,
  ) {}

  /** The zone's SOA (authority section of negative answers). */
  soa(): ResourceRecord {
    return this.zone.get(this.cfg.domain)!.rrsets.get(RRType.SOA)![0]!;
  }

  resolve(q: Question, clientNamespace: string | undefined): Resolution {
    const qname = lowerName(q.name);
    const viewDependent = this.business.published.has(qname);
    const first = this.authorityFor(qname, clientNamespace);
    if (first === 'none') return { kind: 'forward' };
    const res: LocalAnswer = {
      kind: 'local',
      rcode: Rcode.NOERROR,
      aa: true,
      answers: [],
      authorities: [],
      additionals: [],
      viewDependent,
    };
    let name = qname;
    const seen = new Set<string>();
    for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
      const where = hop === 0 ? first : this.authorityFor(name, clientNamespace);
      if (where === 'none') {
        // An ExternalName pointing outside: the forwarder resolves the target.
        res.chase = { name, type: q.type, class: q.class };
        return res;
      }
      if (where === 'business') res.viewDependent = true;
      const rrsets =
        where === 'business' ? this.business.lookup(name, clientNamespace)!.rrsets : this.clusterRRsets(name);
      if (q.type === RRType.ANY) {
        // ANY: return what the name holds (authoritative, small); UDP truncation bounds the size.
        for (const set of rrsets?.values() ?? []) res.answers.push(...set);
        if (!rrsets?.size) this.negative(res, name, where);
        return res;
      }
      const set = rrsets?.get(q.type);
      if (set) {
        res.answers.push(...set);
        if (q.type === RRType.NS && name === this.cfg.domain) this.addNsGlue(res);
        return res;
      }
      const cname = q.type === RRType.CNAME ? undefined : rrsets?.get(RRType.CNAME)?.[0];
      if (cname && !seen.has(name)) {
        seen.add(name);
        res.answers.push(cname);
        name = cname.data as string;
        continue;
      }
      this.negative(res, name, where);
      return res;
    }
    res.rcode = Rcode.SERVFAIL; // CNAME chain too long
    return res;
  }

  /** Who answers for a name: visible business names first, then the cluster zone, reverse names we hold; else upstream. */
  private authorityFor(name: string, clientNamespace: string | undefined): 'business' | 'cluster' | 'none' {
    if (this.business.lookup(name, clientNamespace)) return 'business';
    if (inZone(name, this.cfg.domain)) return 'cluster';
    // Reverse names fall through to upstream unless we hold them (CoreDNS's default "fallthrough in-addr.arpa ip6.arpa").
    if (REVERSE_ZONES.some((z) => inZone(name, z)) && (this.zone.get(name) || this.clusterIps.rrsets(name)))
      return 'cluster';
    return 'none';
  }

  private clusterRRsets(name: string): RRsets | undefined {
    const node = this.zone.get(name) ?? this.clusterIps.rrsets(name);
    if (node) return node.rrsets;
    const podSuffix = `.pod.${this.cfg.domain}`;
    if (this.cfg.podRecords !== 'disabled' && name.endsWith(podSuffix))
      return this.podRRsets(name.slice(0, -podSuffix.length), name);
    return undefined;
  }

  /** Pod records: "<dashed ip>.<ns>" under pod.<zone>; "verified" also needs a live pod with that IP in that namespace. */
  private podRRsets(rest: string, name: string): RRsets | undefined {
    const parts = rest.split('.');
    if (parts.length !== 2) return undefined;
    const ip = undashIp(parts[0]!);
    if (!ip) return undefined;
    if (this.cfg.podRecords === 'verified' && !this.pods.has(ip, parts[1]!)) return undefined;
    const rr: ResourceRecord = ip.includes(':')
      ? { name, type: RRType.AAAA, class: 1, ttl: this.cfg.ttl, data: ip }
      : { name, type: RRType.A, class: 1, ttl: this.cfg.ttl, data: ip };
    const sets = new RRsets();
    sets.set(rr.type, [rr]);
    return sets;
  }

  /** NODATA when the name exists (records of other types, or names below it), else NXDOMAIN; SOA in authority for the cluster zone. */
  private negative(res: LocalAnswer, name: string, where: 'business' | 'cluster'): void {
    if (where === 'business') return; // the name exists; we hold no SOA for business domains
    const exists = this.zone.exists(name) || this.clusterIps.exists(name) || this.podNamespaceExists(name);
    if (!exists) res.rcode = Rcode.NXDOMAIN;
    if (inZone(name, this.cfg.domain)) res.authorities.push(this.soa());
  }

  /** pod.<zone> and <ns>.pod.<zone> are empty non-terminals when pod records are on. */
  private podNamespaceExists(name: string): boolean {
    if (this.cfg.podRecords === 'disabled') return false;
    const podZone = `pod.${this.cfg.domain}`;
    return name === podZone || (inZone(name, podZone) && name.split('.').length === podZone.split('.').length + 1);
  }

  private addNsGlue(res: LocalAnswer): void {
    for (const ns of res.answers) {
      if (ns.type !== RRType.NS) continue;
      const node = this.clusterRRsets(ns.data as string);
      for (const t of [RRType.A, RRType.AAAA]) res.additionals.push(...(node?.get(t) ?? []));
    }
  }
}
