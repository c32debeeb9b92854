/**
 * Service externalIPs (the CVE-2020-8554 hole: a Service may claim any
 * address, and every node's proxy then captures traffic to it). As kube's
 * DenyServiceExternalIPs plugin: no new externalIP unless the API server
 * allows its range (--service-external-ip-cidrs; none by default), and an
 * address the cluster itself answers on (an API server's, a node's) never.
 * Addresses a Service already had may stay.
 */
import { cidrContains, ipv4ToNumber } from '../../api/ipv4.js';

export const DENIED = 'Use of external IPs is denied by admission control';

/** Why the Service's new externalIPs are refused, or undefined. */
export function externalIpsProblem(
  ips: readonly string[] | undefined,
  previous: readonly string[] | undefined,
  allowedCidrs: readonly string[],
  protectedAddresses: ReadonlySet<string>,
): string | undefined {
  const before = new Set(previous ?? []);
  const added = (ips ?? []).filter((ip) => !before.has(ip));
  if (added.length === 0) return undefined;
  if (allowedCidrs.length === 0) return DENIED;
  for (const ip of added) {
    if (ipv4ToNumber(ip) === undefined) return `${DENIED}: ${ip} is not an IPv4 address`;
    if (protectedAddresses.has(ip))
      return `${DENIED}: ${ip} is an address of the cluster itself (an API server or node)`;
    if (!allowedCidrs.some((c) => cidrContains(c, ip)))
      return `${DENIED}: ${ip} is outside the allowed ranges (--service-external-ip-cidrs ${allowedCidrs.join(',')})`;
  }
  return undefined;
}
