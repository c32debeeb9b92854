/** The records at the cluster zone's apex: SOA, NS and the spec's dns-version TXT. */
import { RRType, type ResourceRecord } from '../wire/types.js';

/** Schema version of the Kubernetes DNS-Based Service Discovery spec implemented here. */
const DNS_SCHEMA_VERSION = '1.1.0';

export function apexRecords(domain: string, ttl: number, serial: number): ResourceRecord[] {
  const ns = `ns.dns.${domain}`;
  return [
    // Negative answers are cached for min(SOA TTL, minimum) (RFC 2308): keep both at the record TTL.
    {
      name: domain,
      type: RRType.SOA,
      class: 1,
      ttl,
      data: {
        mname: ns,
        rname: `hostmaster.${domain}`,
        serial: serial >>> 0,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: ttl,
      },
    },
    { name: domain, type: RRType.NS, class: 1, ttl, data: ns },
    { name: `dns-version.${domain}`, type: RRType.TXT, class: 1, ttl, data: [DNS_SCHEMA_VERSION] },
  ];
}
