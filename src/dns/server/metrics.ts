/**
 * Prometheus metrics for the DNS server under CoreDNS's names and labels
 * (plugin/metrics, plugin/cache, plugin/forward), so CoreDNS dashboards and
 * alerts work on podnet dns. The server is one server block for the root
 * zone, as the kube-dns Corefile is: zone=".", view="", and `plugin` says
 * what wrote the response (kubernetes: a cluster answer; cache: a repeat
 * served from the answer cache or the forwarder's cache; forward: an
 * upstream's answer; empty: the server itself, e.g. FORMERR).
 *
 * Counting is on the hot path (every query, the batched UDP path too), so
 * it is typed arrays indexed by small numbers; names and labels are made
 * only when rendering.
 */
import { processMetricsText } from '../../metrics/process.js';

/** CoreDNS's plugin.TimeBuckets: 0.25 ms doubling to 8.192 s. */
const TIME_BUCKETS = Array.from({ length: 16 }, (_, i) => 0.00025 * 2 ** i);
const NB = TIME_BUCKETS.length;

/** The query types CoreDNS names in its `type` label; every other is "other" (index 0). */
const TYPES: [string, number][] = [
  ['A', 1],
  ['AAAA', 28],
  ['MX', 15],
  ['SOA', 6],
  ['CNAME', 5],
  ['PTR', 12],
  ['TXT', 16],
  ['NS', 2],
  ['SRV', 33],
  ['DS', 43],
  ['DNSKEY', 48],
  ['RRSIG', 46],
  ['NSEC', 47],
  ['NSEC3', 50],
  ['HTTPS', 65],
  ['IXFR', 251],
  ['AXFR', 252],
  ['ANY', 255],
];
const TYPE_LABELS = ['other', ...TYPES.map(([n]) => n)];
const NT = TYPE_LABELS.length;
const TYPE_INDEX = new Uint8Array(256);
TYPES.forEach(([, code], i) => (TYPE_INDEX[code] = i + 1));
const typeIndex = (qtype: number): number => (qtype < 256 ? TYPE_INDEX[qtype]! : 0);

/** Header rcodes as CoreDNS (miekg/dns) spells them; 11-15 are unassigned and shown as numbers. */
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET'];
const rcodeLabel = (r: number) => (r === 9 ? 'NOTAUTH' : r === 10 ? 'NOTZONE' : (RCODES[r] ?? String(r)));

/** What wrote a response: CoreDNS's `plugin` label. */
export const Plugin = { server: 0, kubernetes: 1, forward: 2, cache: 3 } as const;
const PLUGIN_LABELS = ['', 'kubernetes', 'forward', 'cache'];
const NP = PLUGIN_LABELS.length;

export type CacheType = 'success' | 'denial';

interface UpstreamSeries {
  to: string;
  rcode: string;
  buckets: number[];
  sum: number;
  count: number;
}

export class DnsMetrics {
  /** CoreDNS's `server` label: dns://<listen address>:<port>. */
  server = 'dns://:53';
  /** 1 for IPv4, 2 for IPv6: the family of the listening socket, which is the clients'. */
  family: 1 | 2 = 1;
  private readonly requests = new Float64Array(2 * NT); // proto (udp 0, tcp 1) x type
  private readonly responses = new Float64Array(16 * NP); // rcode x plugin
  private readonly durationBuckets = new Float64Array(NT * NB); // type x bucket (not cumulative)
  private readonly durationSum = new Float64Array(NT);
  private readonly durationCount = new Float64Array(NT);
  private readonly cacheHitsByType = [0, 0]; // success, denial
  private cacheRequests = 0;
  private readonly upstreams = new Map<string, UpstreamSeries>();
  /** Forwarded questions that no upstream answered in time (every upstream tried). */
  forwardBroken = 0;
  /** Repeats of cluster questions answered from the precomputed answer cache. */
  answerCacheHits = 0;
  malformed = 0;

  request(proto: 'udp' | 'tcp', qtype: number): void {
    this.requests[(proto === 'tcp' ? NT : 0) + typeIndex(qtype)]!++;
  }

  response(rcode: number, seconds: number, qtype: number, plugin: number): void {
    this.responses[(rcode & 15) * NP + plugin]!++;
    const t = typeIndex(qtype);
    this.durationSum[t]! += seconds;
    this.durationCount[t]!++;
    for (let i = 0; i < NB; i++)
      if (seconds <= TIME_BUCKETS[i]!) {
        this.durationBuckets[t * NB + i]!++;
        break;
      }
  }

  /** A forwarded question looked up in the forwarder's cache: a hit (with its kind) or a miss. */
  cacheLookup(hit: CacheType | undefined): void {
    this.cacheRequests++;
    if (hit) this.cacheHitsByType[hit === 'success' ? 0 : 1]!++;
  }

  /** One exchange with an upstream that got an answer (`to` is its ip:port). */
  upstream(to: string, rcode: number, seconds: number): void {
    const label = rcodeLabel(rcode & 15);
    const key = `${to}|${label}`;
    let s = this.upstreams.get(key);
    if (!s) this.upstreams.set(key, (s = { to, rcode: label, buckets: TIME_BUCKETS.map(() => 0), sum: 0, count: 0 }));
    s.sum += seconds;
    s.count++;
    const i = TIME_BUCKETS.findIndex((b) => seconds <= b);
    if (i >= 0) s.buckets[i]!++;
  }

  render(ready: boolean, zoneSources: number, cacheEntries: { success: number; denial: number }): string {
    const base = `server="${this.server}",zone=".",view=""`;
    const out: string[] = [];
    const head = (name: string, type: string, help: string) =>
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    const family = String(this.family);

    head('coredns_dns_requests_total', 'counter', 'Counter of DNS requests made per zone, protocol and family.');
    for (let p = 0; p < 2; p++)
      for (let t = 0; t < NT; t++) {
        const v = this.requests[p * NT + t]!;
        if (v)
          out.push(
            `coredns_dns_requests_total{${base},proto="${p ? 'tcp' : 'udp'}",family="${family}",type="${TYPE_LABELS[t]}"} ${v}`,
          );
      }
    head('coredns_dns_responses_total', 'counter', 'Counter of response status codes.');
    for (let r = 0; r < 16; r++)
      for (let p = 0; p < NP; p++) {
        const v = this.responses[r * NP + p]!;
        if (v)
          out.push(`coredns_dns_responses_total{${base},rcode="${rcodeLabel(r)}",plugin="${PLUGIN_LABELS[p]}"} ${v}`);
      }
    head('coredns_dns_request_duration_seconds', 'histogram', 'Histogram of the time (in seconds) each request took.');
    for (let t = 0; t < NT; t++) {
      const count = this.durationCount[t]!;
      if (!count) continue;
      const labels = `${base},type="${TYPE_LABELS[t]}"`;
      let cum = 0;
      for (let i = 0; i < NB; i++) {
        cum += this.durationBuckets[t * NB + i]!;
        out.push(`coredns_dns_request_duration_seconds_bucket{${labels},le="${TIME_BUCKETS[i]}"} ${cum}`);
      }
      out.push(
        `coredns_dns_request_duration_seconds_bucket{${labels},le="+Inf"} ${count}`,
        `coredns_dns_request_duration_seconds_sum{${labels}} ${this.durationSum[t]}`,
        `coredns_dns_request_duration_seconds_count{${labels}} ${count}`,
      );
    }

    const cacheBase = `server="${this.server}",zones="."`;
    head('coredns_cache_entries', 'gauge', 'The number of elements in the cache.');
    out.push(
      `coredns_cache_entries{${cacheBase},type="success"} ${cacheEntries.success}`,
      `coredns_cache_entries{${cacheBase},type="denial"} ${cacheEntries.denial}`,
    );
    head('coredns_cache_requests_total', 'counter', 'The count of cache requests.');
    out.push(`coredns_cache_requests_total{${cacheBase}} ${this.cacheRequests}`);
    head('coredns_cache_hits_total', 'counter', 'The count of cache hits.');
    out.push(
      `coredns_cache_hits_total{${cacheBase},type="success"} ${this.cacheHitsByType[0]}`,
      `coredns_cache_hits_total{${cacheBase},type="denial"} ${this.cacheHitsByType[1]}`,
    );
    head(
      'coredns_cache_misses_total',
      'counter',
      'The count of cache misses. Deprecated, derive misses from cache hits/requests counters.',
    );
    out.push(
      `coredns_cache_misses_total{${cacheBase}} ${this.cacheRequests - this.cacheHitsByType[0]! - this.cacheHitsByType[1]!}`,
    );

    head('coredns_proxy_request_duration_seconds', 'histogram', 'Histogram of the time each request took.');
    for (const s of this.upstreams.values()) {
      const labels = `proxy_name="forward",to="${s.to}",rcode="${s.rcode}"`;
      let cum = 0;
      TIME_BUCKETS.forEach((b, i) => {
        cum += s.buckets[i]!;
        out.push(`coredns_proxy_request_duration_seconds_bucket{${labels},le="${b}"} ${cum}`);
      });
      out.push(
        `coredns_proxy_request_duration_seconds_bucket{${labels},le="+Inf"} ${s.count}`,
        `coredns_proxy_request_duration_seconds_sum{${labels}} ${s.sum}`,
        `coredns_proxy_request_duration_seconds_count{${labels}} ${s.count}`,
      );
    }
    // The deprecated per-upstream counters, which older CoreDNS dashboards still chart.
    const byTo = new Map<string, number>();
    for (const s of this.upstreams.values()) byTo.set(s.to, (byTo.get(s.to) ?? 0) + s.count);
    head('coredns_forward_requests_total', 'counter', 'Counter of requests made per upstream.');
    for (const [to, v] of byTo) out.push(`coredns_forward_requests_total{to="${to}"} ${v}`);
    head('coredns_forward_responses_total', 'counter', 'Counter of responses received per upstream.');
    for (const s of this.upstreams.values())
      out.push(`coredns_forward_responses_total{to="${s.to}",rcode="${s.rcode}"} ${s.count}`);
    head(
      'coredns_forward_healthcheck_broken_total',
      'counter',
      'Counter of the number of complete failures of the upstreams (podnet: questions no upstream answered in time).',
    );
    out.push(`coredns_forward_healthcheck_broken_total ${this.forwardBroken}`);

    head('podnet_dns_answer_cache_hits_total', 'counter', 'Cluster answers served from the precomputed answer cache.');
    out.push(`podnet_dns_answer_cache_hits_total ${this.answerCacheHits}`);
    head('podnet_dns_malformed_requests_total', 'counter', 'Packets that did not parse.');
    out.push(`podnet_dns_malformed_requests_total ${this.malformed}`);
    head('podnet_dns_ready', 'gauge', '1 once the informer caches have synced.');
    out.push(`podnet_dns_ready ${ready ? 1 : 0}`);
    head('podnet_dns_zone_services', 'gauge', 'Services (plus the apex) in the cluster zone.');
    out.push(`podnet_dns_zone_services ${zoneSources}`);
    return `${out.join('\n')}\n${processMetricsText()}`;
  }
}
