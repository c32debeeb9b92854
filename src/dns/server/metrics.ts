/** Prometheus metrics for the DNS server, in the text exposition format (names follow CoreDNS's where they overlap). */
import { rcodeName, typeName } from '../wire/types.js';

const BUCKETS = [
  0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096,
];

export class DnsMetrics {
  // Counted by number (no string building per query); names are made when rendering.
  private readonly requests = new Map<number, number>(); // (tcp ? 1 << 16 : 0) | qtype
  private readonly responses = new Map<number, number>(); // rcode
  private readonly buckets = new Array<number>(BUCKETS.length).fill(0);
  private durationSum = 0;
  private durationCount = 0;
  cacheHits = 0;
  cacheMisses = 0;
  answerCacheHits = 0;
  malformed = 0;
  forwardFailures = 0;

  request(proto: 'udp' | 'tcp', qtype: number): void {
    const k = (proto === 'tcp' ? 1 << 16 : 0) | (qtype & 0xffff);
    this.requests.set(k, (this.requests.get(k) ?? 0) + 1);
  }

  response(rcode: number, seconds: number): void {
    this.responses.set(rcode, (this.responses.get(rcode) ?? 0) + 1);
    this.durationSum += seconds;
    this.durationCount++;
    for (let i = 0; i < BUCKETS.length; i++)
      if (seconds <= BUCKETS[i]!) {
        this.buckets[i]!++;
        break;
      }
  }

  render(ready: boolean, zoneSources: number): string {
    const out: string[] = [];
    out.push(
      '# HELP podnet_dns_requests_total DNS requests by transport and query type.',
      '# TYPE podnet_dns_requests_total counter',
    );
    const byLabel = new Map<string, number>();
    for (const [k, v] of this.requests) {
      const qtype = k & 0xffff;
      const known = qtype <= 255 ? typeName(qtype) : 'other';
      const label = `proto="${k >> 16 ? 'tcp' : 'udp'}",type="${known.startsWith('TYPE') ? 'other' : known}"`;
      byLabel.set(label, (byLabel.get(label) ?? 0) + v);
    }
    for (const [label, v] of byLabel) out.push(`podnet_dns_requests_total{${label}} ${v}`);
    out.push('# HELP podnet_dns_responses_total DNS responses by rcode.', '# TYPE podnet_dns_responses_total counter');
    for (const [k, v] of this.responses) out.push(`podnet_dns_responses_total{rcode="${rcodeName(k)}"} ${v}`);
    out.push(
      '# HELP podnet_dns_request_duration_seconds Time to answer a request.',
      '# TYPE podnet_dns_request_duration_seconds histogram',
    );
    let cum = 0;
    BUCKETS.forEach((b, i) => {
      cum += this.buckets[i]!;
      out.push(`podnet_dns_request_duration_seconds_bucket{le="${b}"} ${cum}`);
    });
    out.push(`podnet_dns_request_duration_seconds_bucket{le="+Inf"} ${this.durationCount}`);
    out.push(
      `podnet_dns_request_duration_seconds_sum ${this.durationSum}`,
      `podnet_dns_request_duration_seconds_count ${this.durationCount}`,
    );
    out.push(
      '# HELP podnet_dns_cache_hits_total Forwarded questions answered from the cache.',
      '# TYPE podnet_dns_cache_hits_total counter',
      `podnet_dns_cache_hits_total ${this.cacheHits}`,
    );
    out.push(
      '# HELP podnet_dns_cache_misses_total Forwarded questions sent upstream.',
      '# TYPE podnet_dns_cache_misses_total counter',
      `podnet_dns_cache_misses_total ${this.cacheMisses}`,
    );
    out.push(
      '# HELP podnet_dns_answer_cache_hits_total Cluster answers served from the precomputed answer cache.',
      '# TYPE podnet_dns_answer_cache_hits_total counter',
      `podnet_dns_answer_cache_hits_total ${this.answerCacheHits}`,
    );
    out.push(
      '# HELP podnet_dns_malformed_requests_total Packets that did not parse.',
      '# TYPE podnet_dns_malformed_requests_total counter',
      `podnet_dns_malformed_requests_total ${this.malformed}`,
    );
    out.push(
      '# HELP podnet_dns_forward_failures_total Forwarded questions answered SERVFAIL because no upstream answered.',
      '# TYPE podnet_dns_forward_failures_total counter',
      `podnet_dns_forward_failures_total ${this.forwardFailures}`,
    );
    out.push(
      '# HELP podnet_dns_ready 1 once the informer caches have synced.',
      '# TYPE podnet_dns_ready gauge',
      `podnet_dns_ready ${ready ? 1 : 0}`,
    );
    out.push(
      '# HELP podnet_dns_zone_services Services (plus the apex) in the cluster zone.',
      '# TYPE podnet_dns_zone_services gauge',
      `podnet_dns_zone_services ${zoneSources}`,
    );
    return out.join('\n') + '\n';
  }
}
