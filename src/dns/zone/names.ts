/** Name helpers for the cluster zone: reverse names, dashed IPs, label checks. */
import { ipv6ToBytes } from '../wire/writer.js';

/** "10.96.0.12" -> "12.0.96.10.in-addr.arpa"; IPv6 -> the nibble form under ip6.arpa. undefined for non-IPs. */
export function reverseName(ip: string): string | undefined {
  if (ip.includes(':')) {
    let bytes: Uint8Array;
    try {
      bytes = ipv6ToBytes(ip);
    } catch {
      return undefined;
    }
    const nibbles: string[] = [];
    for (let i = 15; i >= 0; i--) nibbles.push((bytes[i]! & 0xf).toString(16), (bytes[i]! >> 4).toString(16));
    return `${nibbles.join('.')}.ip6.arpa`;
  }
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^[0-9]{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return `${parts.reverse().join('.')}.in-addr.arpa`;
}

/** The system-assigned endpoint hostname the spec allows when none is set: the address with dashes (CoreDNS's choice). */
export function dashedIp(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

/** "10-244-1-5" -> "10.244.1.5" (pod A records); undefined unless it is a dashed IPv4 or IPv6 address. */
export function undashIp(label: string): string | undefined {
  const v4 = label.split('-');
  if (v4.length === 4 && v4.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255)) return v4.join('.');
  if (label.includes('--') || v4.length >= 3) {
    const v6 = label.replace(/-/g, ':');
    try {
      ipv6ToBytes(v6);
      return v6;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** True when `name` is `zone` or below it (both lowercase, no trailing dot). */
export function inZone(name: string, zone: string): boolean {
  return (
    name === zone ||
    (name.length > zone.length && name.endsWith(zone) && name.charCodeAt(name.length - zone.length - 1) === 46)
  );
}

/** A DNS hostname: dot-separated labels of letters, digits, hyphens (and underscores, which real names carry), each 1-63, total <= 253. */
export function isValidDomainName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 253 &&
    name.split('.').every((l) => /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/.test(l))
  );
}
