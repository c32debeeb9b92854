/**
 * IPv4 addresses and CIDRs, the one module every component uses for them:
 * addresses as unsigned 32-bit numbers, CIDRs parsed and masked, containment
 * and overlap.
 */

export function ipv4ToNumber(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
}

/** The dotted form of a 32-bit number (signed or unsigned). */
export const numberToIpv4 = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

export const isIpv4 = (s: string): boolean => ipv4ToNumber(s) !== undefined;

/** Parses "a.b.c.d/len"; the address is masked to the network. Throws on anything else. */
export function parseIpv4Cidr(cidr: string): { base: number; prefix: number; size: number } {
  const [ip, len] = cidr.split('/');
  const addr = ipv4ToNumber(ip ?? '');
  const prefix = Number(len);
  if (addr === undefined || !/^\d+$/.test(len ?? '') || prefix > 32) {
    throw new Error(`invalid CIDR "${cidr}": expected an IPv4 CIDR such as 10.244.0.0/16`);
  }
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (addr & mask) >>> 0, prefix, size: 2 ** (32 - prefix) };
}

/** Parses a CIDR, or undefined when it is not an IPv4 CIDR. */
export function tryParseCidr(cidr: string): { base: number; prefix: number; size: number } | undefined {
  try {
    return parseIpv4Cidr(cidr);
  } catch {
    return undefined; // not a CIDR: the caller's answer
  }
}

/** "10.244.1.7/24" -> "10.244.1.0/24": the form `ip route` prints. */
export function canonicalCidr(cidr: string): string {
  const c = parseIpv4Cidr(cidr);
  return `${numberToIpv4(c.base)}/${c.prefix}`;
}

/** A CIDR, or an address as its /32. */
const asCidr = (s: string) => parseIpv4Cidr(s.includes('/') ? s : `${s}/32`);

/** True when `inner` lies entirely inside `outer` (each a CIDR or an address). Throws when either is not IPv4. */
export function cidrContains(outer: string, inner: string): boolean {
  const o = asCidr(outer);
  const i = asCidr(inner);
  return i.prefix >= o.prefix && i.base >= o.base && i.base + i.size <= o.base + o.size;
}

/** True when two IPv4 CIDRs share any address. Throws when either is not IPv4. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseIpv4Cidr(a);
  const y = parseIpv4Cidr(b);
  return x.base < y.base + y.size && y.base < x.base + x.size;
}
